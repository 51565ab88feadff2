/**
 * Fault injection shared by both emulators. A rule matches requests by method and path; when it fires,
 * the emulator answers with the fault instead of (or, with `after: true`, after) doing the real work.
 * `after: true` models the dangerous case for a client: the upstream did the work and the answer was lost.
 */
export type FaultKind =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; code: string; message?: string; headers?: Record<string, string> }
  | { kind: 'html'; status?: number }
  | { kind: 'truncated' }
  | { kind: 'reset' };

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

export interface FiredFault {
  fault: FaultKind;
  after: boolean;
}

/** Holds the active rules and decides, per request, which fault (if any) fires. */
export class FaultInjector {
  #rules: FaultRule[] = [];
  #fired = 0;
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  add(rule: FaultRule): void {
    this.#rules.push({ ...rule });
  }

  clear(): void {
    this.#rules = [];
  }

  /** How many faults have fired since start. */
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
      return { fault: stripMatchers(rule), after: rule.after ?? false };
    }
    return undefined;
  }
}

function stripMatchers(rule: FaultRule): FaultKind {
  const { method: _m, pathIncludes: _p, times: _t, rate: _r, after: _a, ...fault } = rule;
  return fault as FaultKind;
}
