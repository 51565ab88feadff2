/**
 * Fault injection shared by both emulators. A rule matches requests by method and path; when it fires,
 * the emulator answers with the fault instead of (or, with `after: true`, after) doing the real work.
 * `after: true` models the dangerous case for a client: the upstream did the work and the answer was lost.
 */
import { isRecord } from './errors.js';

/** What a fired fault does to the answer. */
export type FaultKind =
  /** Wait `ms` milliseconds, then answer normally. */
  | { kind: 'latency'; ms: number }
  /** Answer `status` with the upstream's error body carrying `code` (and `message`), plus `headers`. */
  | { kind: 'status'; status: number; code: string; message?: string; headers?: Record<string, string> }
  /** Answer an HTML page (a proxy or throttle page) with `status` (default 503). */
  | { kind: 'html'; status?: number }
  /** Promise 64 bytes of JSON, send fewer, then drop the connection. */
  | { kind: 'truncated' }
  /** Drop the connection without an answer. */
  | { kind: 'reset' };

/** A fault plus the requests it applies to. */
export type FaultRule = FaultKind & {
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose path (without query) contains this string. */
  pathIncludes?: string;
  /** Fire this many times, then disappear. Unset: fire on every match. */
  times?: number;
  /** Fire on this fraction of matching requests (0..1). Unset: every match. */
  rate?: number;
  /** Run the real operation first, then answer with the fault (latency: delay the answer). */
  after?: boolean;
};

/** A fault chosen for one request. */
export interface FiredFault {
  fault: FaultKind;
  /** True: the work runs first and its answer is replaced (or delayed). */
  after: boolean;
}

/**
 * Named, ready-made faults an emulator offers (`{"preset": "systemError"}`). Each builder reads its
 * own optional arguments from the rule object and throws an Error with a readable message when they
 * are wrong.
 */
export type FaultPresets = Readonly<Record<string, (args: Record<string, unknown>) => FaultKind>>;

/** Holds the active rules and decides, per request, which fault (if any) fires. */
export class FaultInjector {
  #rules: FaultRule[] = [];
  #fired = 0;
  readonly #random: () => number;

  /** @param random Source of numbers in [0, 1) for `rate`. */
  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  add(rule: FaultRule): void {
    this.#rules.push({ ...rule });
  }

  clear(): void {
    this.#rules = [];
  }

  /** How many rule faults have fired since start (one-off header faults are not counted here). */
  get firedCount(): number {
    return this.#fired;
  }

  /** Picks the first matching rule that fires for this request, consuming one of its `times`. */
  pick(method: string, path: string): FiredFault | undefined {
    for (const rule of this.#rules) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.pathIncludes && !path.includes(rule.pathIncludes)) continue;
      if (rule.rate !== undefined && this.#random() >= rule.rate) continue;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
      }
      this.#fired += 1;
      return fired(rule);
    }
    return undefined;
  }
}

/** The fault of a rule, without its matchers. */
export function fired(rule: FaultRule): FiredFault {
  const { method: _m, pathIncludes: _p, times: _t, rate: _r, after, ...fault } = rule;
  return { fault: fault as FaultKind, after: after ?? false };
}

/** An optional finite number field; throws when present with another type. */
export function optionalNumber(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${key} must be a number`);
  return v;
}

/** An optional string field; throws when present with another type. */
export function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`${key} must be a string`);
  return v;
}

function httpStatus(o: Record<string, unknown>, required: boolean): number | undefined {
  const status = optionalNumber(o, 'status');
  if (status === undefined) {
    if (required) throw new Error('status is required');
    return undefined;
  }
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error('status must be a whole number from 100 to 599');
  }
  return status;
}

function parseKind(o: Record<string, unknown>, presets: FaultPresets): FaultKind {
  const preset = optionalString(o, 'preset');
  if (preset !== undefined) {
    const build = Object.hasOwn(presets, preset) ? presets[preset] : undefined;
    if (!build) throw new Error(`unknown fault preset ${preset}`);
    return build(o);
  }
  switch (o.kind) {
    case 'latency': {
      const ms = optionalNumber(o, 'ms');
      if (ms === undefined || ms < 0) throw new Error('latency needs ms >= 0');
      return { kind: 'latency', ms };
    }
    case 'status': {
      const status = httpStatus(o, true) as number;
      const code = optionalString(o, 'code');
      if (code === undefined) throw new Error('a status fault needs status and code');
      const fault: FaultKind = { kind: 'status', status, code };
      const message = optionalString(o, 'message');
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
      const status = httpStatus(o, false);
      return status === undefined ? { kind: 'html' } : { kind: 'html', status };
    }
    case 'truncated':
      return { kind: 'truncated' };
    case 'reset':
      return { kind: 'reset' };
    default:
      throw new Error('a fault needs a known kind (latency, status, html, truncated, reset) or a preset');
  }
}

/**
 * Validates untrusted JSON (an admin body or the fault header) into a FaultRule: either a raw fault
 * (`{"kind": "status", "status": 500, "code": "…"}`) or `{"preset": name, …presetArguments}`, plus the
 * optional matchers. Throws an Error with a readable message when the value is not a valid rule.
 */
export function parseFaultRule(value: unknown, presets: FaultPresets = {}): FaultRule {
  if (!isRecord(value)) throw new Error('a fault rule must be a JSON object');
  const rule: FaultRule = { ...parseKind(value, presets) };
  const method = optionalString(value, 'method');
  if (method !== undefined) rule.method = method;
  const pathIncludes = optionalString(value, 'pathIncludes');
  if (pathIncludes !== undefined) rule.pathIncludes = pathIncludes;
  const times = optionalNumber(value, 'times');
  if (times !== undefined) rule.times = times;
  const rate = optionalNumber(value, 'rate');
  if (rate !== undefined) rule.rate = rate;
  if (value.after !== undefined) {
    if (typeof value.after !== 'boolean') throw new Error('after must be a boolean');
    rule.after = value.after;
  }
  return rule;
}
