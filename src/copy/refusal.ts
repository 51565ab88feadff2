import { GatewayError, UpstreamFailure } from './errors.js';
import type { RequestedItem } from './progress.js';
import { failureEvidence } from './evidence.js';
import type { CopyErrorCode, CopyErrorInfo, CopyOutcome, Provider } from './types.js';

/**
 * Whole-request refusals of a well-formed request, answered as `CopyRejected` data rather than as a
 * GraphQL error: the key was used for another request (or its first run is still going), the request
 * needs more upstream calls than allowed, the idempotency store cannot promise at-most-once. Bad input,
 * UNSUPPORTED and UNAUTHENTICATED stay GraphQL errors (they name what to fix in the request); either
 * way only this field is null or rejected, never the other copies of the same document.
 */
const REFUSALS: ReadonlySet<string> = new Set<CopyErrorCode>([
  'IDEMPOTENCY_CONFLICT',
  'INVALID_ARGUMENT',
  'UPSTREAM_UNAVAILABLE',
]);

/**
 * The CopyRejected answer for a failure that refused the whole request before anything ran, or
 * undefined when the failure is not such a refusal (it stays an error). Every item is FAILED with the
 * request's error.
 */
export function refusedOutcome(
  provider: Provider,
  requested: readonly RequestedItem[],
  failure: unknown,
): CopyOutcome | undefined {
  let error: CopyErrorInfo;
  if (failure instanceof UpstreamFailure) {
    if (failure.execution !== 'not-executed') return undefined;
    error = failure.error;
  } else if (failure instanceof GatewayError && REFUSALS.has(failure.code)) {
    error = {
      code: failure.code as CopyErrorCode,
      message: failure.message,
      retryable: failure.extra.retryable === true,
    };
  } else {
    return undefined;
  }
  const items = requested.map((item, index) => ({
    index,
    status: 'FAILED' as const,
    ...item,
    renamed: false,
    error,
    // A refusal before anything ran: the upstream's own (it has a status) or the gateway's.
    evidence: failureEvidence('not-executed', error),
  }));
  return { kind: 'rejected', provider, items, error };
}
