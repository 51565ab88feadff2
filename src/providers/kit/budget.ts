import type { CallBudget } from '../../copy/call.js';
import { GatewayError } from '../../copy/errors.js';

/** The per-operation budget of upstream calls (a counter; see {@link CallBudget}). */
export class UpstreamCallBudget implements CallBudget {
  #left: number;

  /** @param limit - the most upstream calls the operation may make. */
  constructor(readonly limit: number) {
    this.#left = limit;
  }

  /** Reserves `count` calls up front, or throws GatewayError INVALID_ARGUMENT before anything is sent. */
  reserve(count: number): void {
    if (count > this.#left) {
      throw new GatewayError(
        `This request needs more upstream calls than the gateway allows per request (${this.limit}); split it.`,
        'INVALID_ARGUMENT',
        { limit: this.limit },
      );
    }
    this.#left -= count;
  }

  /** Reserves `count` calls if the budget allows; false (and nothing reserved) otherwise. */
  tryReserve(count: number): boolean {
    if (count > this.#left) return false;
    this.#left -= count;
    return true;
  }

  /** Calls still allowed. */
  get remaining(): number {
    return this.#left;
  }
}
