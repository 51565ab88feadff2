/**
 * The provider-neutral domain. Resolvers return these types (through codegen mappers); provider
 * adapters translate their wire formats into them. Nothing here knows HTTP or GraphQL.
 */
import type { CopyErrorCode } from './error-codes.js';

/**
 * A provider's id, as the GraphQL `Provider` enum spells it (`SMH`, `DINGTALK`, …). The domain does not
 * list them: each provider module brings its own id (and its enum value in its SDL file).
 */
export type Provider = string;

/** The unified failure codes, listed in error-codes.ts. */
export type { CopyErrorCode } from './error-codes.js';

/** What to do when the target name is taken (the GraphQL `ConflictStrategy` enum). */
export type ConflictStrategy = 'FAIL' | 'RENAME' | 'OVERWRITE' | 'KEEP_EXISTING';

/** What the upstream itself said about a failure. */
export interface UpstreamErrorInfo {
  provider: Provider;
  httpStatus?: number;
  code?: string;
  requestId?: string;
}

/** Why something failed (the GraphQL `CopyError`). */
export interface CopyErrorInfo {
  code: CopyErrorCode;
  message: string;
  /** True only when re-sending cannot duplicate work (the upstream did not run it). */
  retryable: boolean;
  /**
   * Seconds the upstream asked to wait before the request is sent again (its `Retry-After`), when it
   * said so on a failure that did not run.
   */
  retryAfterSeconds?: number;
  upstream?: UpstreamErrorInfo;
}

/** How a batch runs (the GraphQL `CopyExecution` enum): inline, in the background, or chosen by size. */
export type CopyExecution = 'AUTO' | 'INLINE' | 'BACKGROUND';

/** Where one item stands (the GraphQL `CopyItemStatus` enum). */
export type CopyItemStatus = 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'UNKNOWN';

/**
 * What an item's status rests on (the GraphQL `ItemEvidence` enum): the upstream's answer, a look at the
 * target after the answer was lost, the gateway not sending it, or nothing yet (UNKNOWN items).
 */
export type ItemEvidence = 'UPSTREAM_ANSWER' | 'TARGET_LOOKUP' | 'NOT_SENT' | 'NONE';

/** The result for one requested item; `index` is its position in the request, from 0. */
export interface CopyItemResult {
  index: number;
  status: CopyItemStatus;
  source: string;
  target?: string;
  result?: string;
  renamed: boolean;
  error?: CopyErrorInfo;
  evidence: ItemEvidence;
  /** When the gateway last looked at the target of an item whose answer was lost. */
  checkedAt?: Date;
}

/** Counts of items by status; they add up to `total`. */
export interface CopySummary {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  unknown: number;
}

/** Where a task stands as a whole (the GraphQL `CopyTaskState` enum). */
export type CopyTaskState = 'RUNNING' | 'SUCCEEDED' | 'PARTIALLY_FAILED' | 'FAILED' | 'CANCELLED';

/** How a task's progress was measured: counted exactly, derived from coarser parts, or not known. */
export type ProgressSource = 'EXACT' | 'DERIVED' | 'UNKNOWN';

/** How far a task got (the GraphQL `CopyProgress`). */
export interface CopyProgress {
  total: number;
  completed: number;
  /** completed / total, from 0 to 1 (1 when total is 0). */
  fraction: number;
  source: ProgressSource;
}

/**
 * An upstream's own counts of the entries its tasks copy, below the requested items (DingTalk counts
 * every entry under a copied folder as a sub-task). Not the request's items: `summary` counts those.
 */
export interface UpstreamEntryCounts {
  /** Entries to copy, as far as the upstream knows yet. */
  total: number;
  succeeded: number;
  failed: number;
}

/** Asynchronous copy work upstream, covering one or more upstream tasks; `id` is a task id (task-id.ts). */
export interface CopyTask {
  id: string;
  provider: Provider;
  state: CopyTaskState;
  done: boolean;
  items: CopyItemResult[];
  /** Counts of the task's items (the request's items it covers), never of upstream sub-entries. */
  summary: CopySummary;
  /** The upstream's sub-entry counts, when it reports them (DingTalk). */
  entries?: UpstreamEntryCounts;
  upstreamTaskIds: string[];
  checkedAt: Date;
  /** Set where the provider measured it; otherwise the API derives it from the items. */
  progress?: CopyProgress;
  /** Id of the task whose retryable failures this task sends again. */
  retryOf?: string;
}

/**
 * The four outcomes of a batch copy; `kind` picks the GraphQL union member, which always follows the
 * items (any PENDING: accepted). A finished outcome carries the task the batch ran as (a background job,
 * or an upstream task followed with waitSeconds), when it ran as one.
 */
export type CopyOutcome =
  | { kind: 'succeeded'; provider: Provider; items: CopyItemResult[]; task?: CopyTask }
  | { kind: 'partiallyFailed'; provider: Provider; items: CopyItemResult[]; task?: CopyTask }
  | { kind: 'accepted'; provider: Provider; items: CopyItemResult[]; task: CopyTask }
  | { kind: 'rejected'; provider: Provider; items: CopyItemResult[]; error: CopyErrorInfo };

/**
 * What the copy service reads of any provider's batch copy input; the rest is the provider's own and
 * only its adapter reads it. Optional fields may be null or absent, as GraphQL hands them over.
 */
export interface BatchCopyRequestBase {
  /** Replaying a request with the same key returns the first answer instead of copying again. */
  idempotencyKey?: string | null;
  /**
   * Wait up to this many seconds (0 to 60) for asynchronous work to finish before answering; the wait
   * ends before the operation's deadline whatever this asks.
   */
  waitSeconds?: number | null;
  /** Inline or as a background task (default AUTO: background above the inline limit of upstream calls). */
  execution?: CopyExecution | null;
}

/** `BatchCopyInput` as the API takes it: one field per provider (its input field name), exactly one set. */
export type BatchCopyRequest = Readonly<Record<string, BatchCopyRequestBase | null | undefined>>;
