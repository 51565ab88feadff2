/**
 * The provider-neutral domain. Resolvers return these types (through codegen mappers); provider
 * adapters translate their wire formats into them. Nothing here knows HTTP or GraphQL.
 */

export type Provider = 'SMH' | 'DINGTALK';

export type CopyErrorCode =
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'QUOTA_EXCEEDED'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED'
  | 'THROTTLED'
  | 'UNAUTHENTICATED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_PROTOCOL_ERROR'
  | 'IDEMPOTENCY_CONFLICT'
  | 'CANCELLED';

export type ConflictStrategy = 'FAIL' | 'RENAME' | 'OVERWRITE' | 'KEEP_EXISTING';

/** What the upstream itself said about a failure. */
export interface UpstreamErrorInfo {
  provider: Provider;
  httpStatus?: number;
  code?: string;
  requestId?: string;
}

export interface CopyErrorInfo {
  code: CopyErrorCode;
  message: string;
  /** True only when re-sending cannot duplicate work (the upstream did not run it). */
  retryable: boolean;
  upstream?: UpstreamErrorInfo;
}

export type CopyItemStatus = 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'UNKNOWN';

export interface CopyItemResult {
  index: number;
  status: CopyItemStatus;
  source: string;
  target?: string;
  result?: string;
  renamed: boolean;
  error?: CopyErrorInfo;
}

export interface CopySummary {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  unknown: number;
}

export type CopyTaskState = 'RUNNING' | 'SUCCEEDED' | 'PARTIALLY_FAILED' | 'FAILED' | 'CANCELLED';

/** How a task's progress was measured: counted exactly, derived from coarser parts, or not known. */
export type ProgressSource = 'EXACT' | 'DERIVED' | 'UNKNOWN';

export interface CopyProgress {
  total: number;
  completed: number;
  /** completed / total, from 0 to 1 (1 when total is 0). */
  fraction: number;
  source: ProgressSource;
}

export interface CopyTask {
  id: string;
  provider: Provider;
  state: CopyTaskState;
  done: boolean;
  items: CopyItemResult[];
  summary: CopySummary;
  upstreamTaskIds: string[];
  checkedAt: Date;
  /** Set where the provider measured it; otherwise the API derives it from the items. */
  progress?: CopyProgress;
  /** Id of the task whose retryable failures this task sends again. */
  retryOf?: string;
}

/** The four outcomes of a batch copy; `kind` picks the GraphQL union member. */
export type CopyOutcome =
  | { kind: 'succeeded'; provider: Provider; items: CopyItemResult[] }
  | { kind: 'partiallyFailed'; provider: Provider; items: CopyItemResult[] }
  | { kind: 'accepted'; provider: Provider; items: CopyItemResult[]; task: CopyTask }
  | { kind: 'rejected'; provider: Provider; items: CopyItemResult[]; error: CopyErrorInfo };

/** A batch copy request as the API takes it (optional fields may be null or absent). */
export interface SmhCopyItemRequest {
  from: string;
  to: string;
  fromSpaceId?: string | null;
  conflictStrategy?: ConflictStrategy | null;
}

export interface SmhBatchCopyRequest {
  libraryId: string;
  spaceId?: string | null;
  userId?: string | null;
  items: SmhCopyItemRequest[];
  conflictStrategy?: ConflictStrategy | null;
  idempotencyKey?: string | null;
  waitSeconds?: number | null;
}

export interface DingTalkBatchCopyRequest {
  spaceId: string;
  unionId: string;
  targetSpaceId: string;
  targetFolderId: string;
  dentryIds: string[];
  conflictStrategy?: ConflictStrategy | null;
  idempotencyKey?: string | null;
  waitSeconds?: number | null;
}

export interface BatchCopyRequest {
  smh?: SmhBatchCopyRequest | null;
  dingtalk?: DingTalkBatchCopyRequest | null;
}
