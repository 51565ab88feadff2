import type { CallContext } from '../../copy/call.js';
import { operationLink, type OperationLink } from '../../upstream/http.js';

/** What each upstream call takes from its operation: the deadline (signal and time), the logger, the request id. */
export type CallScope = OperationLink;

/** The {@link CallScope} of `call`, to spread into a client's scope. */
export function callScope(call: CallContext): CallScope {
  return operationLink(call);
}
