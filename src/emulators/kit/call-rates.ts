/** Seconds of history {@link CallRates} keeps per API: ten minutes. */
const KEPT_SECONDS = 600;

/**
 * Calls per wall-clock second per API, as an upstream's rate limiter sees them: each call counts in
 * the second (epoch seconds, `Date.now()`, never the emulator's own clock) in which it arrived. Tests
 * read it to check that clients stay within a calls-per-second limit. The last ten minutes are kept.
 */
export class CallRates {
  #byApi = new Map<string, Map<number, number>>();

  /** Counts one call of `api` now. */
  count(api: string, nowMs = Date.now()): void {
    const second = Math.floor(nowMs / 1000);
    let seconds = this.#byApi.get(api);
    if (seconds === undefined) {
      seconds = new Map();
      this.#byApi.set(api, seconds);
    }
    seconds.set(second, (seconds.get(second) ?? 0) + 1);
    if (seconds.size > KEPT_SECONDS) {
      for (const kept of seconds.keys()) {
        if (kept > second - KEPT_SECONDS) break;
        seconds.delete(kept);
      }
    }
  }

  reset(): void {
    this.#byApi = new Map();
  }

  /** `{api: {epochSecond: calls}}`, seconds in ascending order; seconds without calls are left out. */
  toJSON(): Record<string, Record<string, number>> {
    return Object.fromEntries(
      [...this.#byApi].map(([api, seconds]) => [
        api,
        Object.fromEntries([...seconds].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n])),
      ]),
    );
  }
}
