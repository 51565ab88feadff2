/**
 * The DingTalk faults a client must survive, ready-made (§2.3, §5, §7), and the parser for fault rules
 * arriving as JSON (the `x-emulator-fault` header and `POST /__admin/faults`).
 */
import type { FaultKind, FaultRule } from '../shared/faults.js';

export const dingTalkFaults = {
  /** 400: another operation on the same source or target is running; rejected before any work. */
  concurrentControl: (): FaultKind => ({
    kind: 'status',
    status: 400,
    code: 'operationConcurrentControl',
    message: 'operation is under concurrent control, please retry later',
  }),
  /** 403 per-app-per-API QPS limit; the real service sends no Retry-After, so it is opt-in here. */
  qpsLimit: (retryAfterSeconds?: number): FaultKind => ({
    kind: 'status',
    status: 403,
    code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
    message: 'qps limit for appkey and api exceeded',
    ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  }),
  qpsLimitGlobal: (): FaultKind => ({
    kind: 'status',
    status: 403,
    code: 'Forbidden.AccessDenied.QpsLimitForApi',
    message: 'qps limit for api exceeded',
  }),
  systemError: (): FaultKind => ({
    kind: 'status',
    status: 500,
    code: 'systemError',
    message: 'system error',
  }),
  unknownError: (): FaultKind => ({
    kind: 'status',
    status: 500,
    code: 'unknownError',
    message: 'Unknown Error',
  }),
  operationTimeout: (): FaultKind => ({
    kind: 'status',
    status: 503,
    code: 'operationTimeout',
    message: 'operation timeout',
  }),
  spaceQuotaInsufficient: (): FaultKind => ({
    kind: 'status',
    status: 400,
    code: 'spaceQuotaInsufficient',
    message: 'space quota insufficient',
  }),
  /** The IP-level throttle page: HTML, not a JSON error (§5). */
  html: (status = 503): FaultKind => ({ kind: 'html', status }),
  latency: (ms = 1000): FaultKind => ({ kind: 'latency', ms }),
  reset: (): FaultKind => ({ kind: 'reset' }),
  truncated: (): FaultKind => ({ kind: 'truncated' }),
} as const;

export type DingTalkFaultPreset = keyof typeof dingTalkFaults;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optNumber(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${key} must be a number`);
  return v;
}

function optString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`${key} must be a string`);
  return v;
}

function parseKind(o: Record<string, unknown>): FaultKind {
  const preset = optString(o, 'preset');
  if (preset !== undefined) {
    switch (preset) {
      case 'qpsLimit':
        return dingTalkFaults.qpsLimit(optNumber(o, 'retryAfterSeconds'));
      case 'html':
        return dingTalkFaults.html(optNumber(o, 'status'));
      case 'latency':
        return dingTalkFaults.latency(optNumber(o, 'ms'));
      default:
        if (!Object.hasOwn(dingTalkFaults, preset)) throw new Error(`unknown fault preset ${preset}`);
        return (dingTalkFaults[preset as DingTalkFaultPreset] as () => FaultKind)();
    }
  }
  switch (o.kind) {
    case 'latency': {
      const ms = optNumber(o, 'ms');
      if (ms === undefined || ms < 0) throw new Error('latency needs ms >= 0');
      return { kind: 'latency', ms };
    }
    case 'status': {
      const status = optNumber(o, 'status');
      const code = optString(o, 'code');
      if (status === undefined || code === undefined) throw new Error('status fault needs status and code');
      const fault: FaultKind = { kind: 'status', status, code };
      const message = optString(o, 'message');
      if (message !== undefined) fault.message = message;
      if (o.headers !== undefined) {
        if (!isRecord(o.headers) || !Object.values(o.headers).every((v) => typeof v === 'string')) {
          throw new Error('headers must map names to strings');
        }
        fault.headers = o.headers as Record<string, string>;
      }
      return fault;
    }
    case 'html': {
      const status = optNumber(o, 'status');
      return status === undefined ? { kind: 'html' } : { kind: 'html', status };
    }
    case 'truncated':
      return { kind: 'truncated' };
    case 'reset':
      return { kind: 'reset' };
    default:
      throw new Error('fault needs a known kind or preset');
  }
}

/** Accepts a FaultRule, or `{preset, ...presetArgs, ...matchers}`. Throws with a readable message. */
export function parseFaultRule(value: unknown): FaultRule {
  if (!isRecord(value)) throw new Error('fault rule must be a JSON object');
  const rule: FaultRule = { ...parseKind(value) };
  const method = optString(value, 'method');
  if (method !== undefined) rule.method = method;
  const pathIncludes = optString(value, 'pathIncludes');
  if (pathIncludes !== undefined) rule.pathIncludes = pathIncludes;
  const times = optNumber(value, 'times');
  if (times !== undefined) rule.times = times;
  const rate = optNumber(value, 'rate');
  if (rate !== undefined) rule.rate = rate;
  if (value.after !== undefined) {
    if (typeof value.after !== 'boolean') throw new Error('after must be a boolean');
    rule.after = value.after;
  }
  return rule;
}
