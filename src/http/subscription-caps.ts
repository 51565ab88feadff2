/**
 * Caps on live subscriptions, per caller and for the whole process, so that one caller cannot hold
 * the process's memory and upstream reads with subscriptions it never closes.
 */
export class SubscriptionCaps {
  readonly #byCaller = new Map<string, number>();
  #total = 0;

  constructor(private readonly limits: { perCaller: number; total: number }) {}

  /** Live subscriptions in this process. */
  get total(): number {
    return this.#total;
  }

  /** Takes a place for `caller`; returns the reason instead when a cap is reached (nothing taken). */
  take(caller: string): string | undefined {
    const mine = this.#byCaller.get(caller) ?? 0;
    if (mine >= this.limits.perCaller) {
      return `This caller already holds at most ${this.limits.perCaller} live subscriptions per caller; close one first.`;
    }
    if (this.#total >= this.limits.total) {
      return `This gateway holds at most ${this.limits.total} live subscriptions; retry later.`;
    }
    this.#byCaller.set(caller, mine + 1);
    this.#total += 1;
    return undefined;
  }

  /** Gives back a place `take` gave `caller`. */
  release(caller: string): void {
    const mine = this.#byCaller.get(caller) ?? 0;
    if (mine <= 0) return;
    if (mine === 1) this.#byCaller.delete(caller);
    else this.#byCaller.set(caller, mine - 1);
    this.#total -= 1;
  }
}
