/** A time source the emulators read instead of `Date.now()`, so tests can move time on demand. */
export interface Clock {
  now(): number;
}

/** Real time, for demo mode and benchmarks. */
export const systemClock: Clock = { now: () => Date.now() };

/** Time that only moves when a test says so. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('ManualClock.advance needs a non-negative number of milliseconds');
    this.#now += ms;
  }
}
