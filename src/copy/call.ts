import type { Logger } from '../log.js';
import { GatewayError } from './errors.js';

/**
 * What one GraphQL operation carries down to the provider adapters: who may be called with which
 * credentials, the operation's deadline, and its budget of upstream calls.
 */
export interface CallContext {
  log: Logger;
  /** Aborts when the operation's deadline passes. */
  signal: AbortSignal;
  budget: CallBudget;
  /** Upstream tokens the caller sent in headers (pass-through mode). */
  callerTokens: { smh?: string; dingtalk?: string };
}

/** Caps how many upstream calls one GraphQL request may make, so it cannot fan out without bound. */
export class CallBudget {
  #left: number;

  constructor(readonly limit: number) {
    this.#left = limit;
  }

  /** Reserves `count` calls up front, or throws before anything is sent. */
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

  get remaining(): number {
    return this.#left;
  }
}
