import type { CallContext } from './call.js';
import type { TaskRef } from './task-id.js';
import type { CopyOutcome, CopyTask, Provider } from './types.js';

/** What the copy service needs from a provider; each provider's adapter is the only place that knows its wire format. */
export interface ProviderAdapter<Request, Ref extends TaskRef = TaskRef> {
  readonly provider: Provider;
  batchCopy(request: Request, call: CallContext): Promise<CopyOutcome>;
  /** One entry per ref, in order: the task, null when the upstream no longer knows it, or an Error. */
  loadTasks(refs: readonly Ref[], call: CallContext): Promise<Array<CopyTask | null | Error>>;
  close(): Promise<void>;
}
