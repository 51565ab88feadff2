import type { BackgroundShape } from './background.js';
import type { CallContext } from './call.js';
import type { TargetReads } from './lookups.js';
import type { RequestedItem } from './progress.js';
import type { TaskRef } from './task-id.js';
import type { CopyOutcome, CopyTask, Provider } from './types.js';

/**
 * What the copy service needs from a configured provider; each provider's adapter is the only place
 * that knows its wire format.
 */
export interface ProviderAdapter<Request = unknown, Ref extends TaskRef = TaskRef> {
  /** The provider's id (its module's `id`). */
  readonly provider: Provider;
  /**
   * Runs one batch copy. `request` is the provider's field of `BatchCopyInput` as GraphQL coerced it;
   * the adapter validates the rest (InputError before anything is sent). Upstream failures of a chunk
   * become its items' errors; a failure of the whole request is a `rejected` outcome or a GatewayError.
   * Reports progress to `call.progress` (a keyed run) before each upstream send and after each answer.
   */
  batchCopy(request: Request, call: CallContext): Promise<CopyOutcome>;
  /**
   * The items `request` names, in order (pure): for answers about items that got no upstream answer
   * (a whole-request refusal before it runs, a run interrupted by a crash). Never throws for a request
   * it would refuse as bad input: names what it can.
   */
  requestedItems(request: Request): RequestedItem[];
  /** One entry per ref, in order: the task, null when the upstream no longer knows it, or an Error. */
  loadTasks(refs: readonly Ref[], call: CallContext): Promise<Array<CopyTask | null | Error>>;
  /**
   * The upstream reads that settle items whose answer was lost (the module's `lookups` say what they
   * mean); absent when the provider has none.
   */
  readonly targetReads?: TargetReads;
  /**
   * How a request splits into upstream-sized chunks, so that it can run as a background job; absent:
   * the provider's batches always run inline.
   */
  readonly background?: BackgroundShape<Request>;
  /**
   * Gets, sending no copy, the credential a batch copy of `request` would be sent with (the caller's
   * token as it is, or a managed token for the request's scope), so that work accepted now and sent
   * later (a background job) is refused as {@link batchCopy} refuses it before sending anything.
   * @throws GatewayError UNAUTHENTICATED when there is no credential for the request or the upstream
   * refused the configured one; UpstreamFailure (not executed) when the token endpoint is unavailable.
   */
  authorize(request: Request, call: CallContext): Promise<void>;
  /** Closes the adapter's upstream connections. */
  close(): Promise<void>;
}
