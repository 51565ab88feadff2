import type { CallContext } from '../../copy/call.js';
import type { Logger } from '../../copy/ports.js';

/** What each upstream call takes from its operation: the deadline (signal and time) and the logger. */
export interface CallScope {
  signal: AbortSignal;
  /** When `signal` aborts, in epoch milliseconds (unset: no known deadline). */
  deadline?: number;
  log: Logger;
}

/** The {@link CallScope} of `call`, to spread into a client's scope. */
export function callScope(call: CallContext): CallScope {
  return { signal: call.signal, deadline: call.deadline, log: call.log };
}
