/** A time source the emulators read instead of `Date.now()`, so tests can move time on demand. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Real time, for demo mode and benchmarks. */
export const systemClock: Clock = { now: () => Date.now() };

/** Time that only moves when a test says so. Starts at 2026-01-01T00:00:00Z unless told otherwise. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward; throws RangeError for a negative or non-numeric `ms`. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('ManualClock.advance needs a non-negative number of milliseconds');
    this.#now += ms;
  }
}
