import type DataLoader from 'dataloader';
import type { CallContext } from './copy/call.js';
import type { CopyService } from './copy/service.js';
import type { CopyTask } from './copy/types.js';

/** Per-request GraphQL context. Loaders are new for every request, so nothing is cached across callers. */
export interface RequestContext extends CallContext {
  copy: CopyService;
  /** Caller name for logs (an API key's name), never the key. */
  caller?: string;
  loaders: { task: DataLoader<string, CopyTask | null> };
  /** A fresh call context (deadline, budget) with this caller's credentials, for each poll of a subscription. */
  newCall: () => CallContext;
  /** Clears the operation's deadline timer once the operation is answered (nothing else is stopped). */
  endOperation: () => void;
  /** How subscriptions poll. */
  watch: { pollMs: number; maxMs: number };
}
