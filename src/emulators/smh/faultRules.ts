import type { FaultRule } from '../shared/faults.js';

type Fields = Record<string, unknown>;

const optional = (v: unknown, type: 'string' | 'number' | 'boolean'): boolean =>
  v === undefined || typeof v === type;

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');
}

/** Validates untrusted JSON (admin body or `x-emulator-fault` header) into a FaultRule. */
export function parseFaultRule(value: unknown): FaultRule | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Fields;
  if (
    !optional(v.method, 'string') ||
    !optional(v.pathIncludes, 'string') ||
    !optional(v.times, 'number') ||
    !optional(v.rate, 'number') ||
    !optional(v.after, 'boolean')
  ) {
    return undefined;
  }
  const matchers = {
    ...(v.method !== undefined && { method: v.method as string }),
    ...(v.pathIncludes !== undefined && { pathIncludes: v.pathIncludes as string }),
    ...(v.times !== undefined && { times: v.times as number }),
    ...(v.rate !== undefined && { rate: v.rate as number }),
    ...(v.after !== undefined && { after: v.after as boolean }),
  };
  switch (v.kind) {
    case 'latency':
      return typeof v.ms === 'number' && v.ms >= 0 ? { kind: 'latency', ms: v.ms, ...matchers } : undefined;
    case 'status': {
      if (!Number.isInteger(v.status) || (v.status as number) < 100 || (v.status as number) > 599)
        return undefined;
      if (typeof v.code !== 'string' || !optional(v.message, 'string')) return undefined;
      if (v.headers !== undefined && !isStringRecord(v.headers)) return undefined;
      return {
        kind: 'status',
        status: v.status as number,
        code: v.code,
        ...(v.message !== undefined && { message: v.message as string }),
        ...(v.headers !== undefined && { headers: v.headers }),
        ...matchers,
      };
    }
    case 'html':
      if (v.status !== undefined && !Number.isInteger(v.status)) return undefined;
      return { kind: 'html', ...(v.status !== undefined && { status: v.status as number }), ...matchers };
    case 'truncated':
      return { kind: 'truncated', ...matchers };
    case 'reset':
      return { kind: 'reset', ...matchers };
    default:
      return undefined;
  }
}
