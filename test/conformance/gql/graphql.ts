/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/**
 * A batch copy request for exactly one provider: one field per provider, each added by that provider's
 * SDL file (`extend input BatchCopyInput`).
 */
export type BatchCopyInput =
  {   /** Copy within DingTalk storage. */
  dingtalk: DingTalkBatchCopyInput; memory?: never; smh?: never; }
  |  { dingtalk?: never;   /** Copy within memory. */
  memory: MemoryBatchCopyInput; smh?: never; }
  |  { dingtalk?: never; memory?: never;   /** Copy within Tencent Cloud Smart Media Hosting. */
  smh: SmhBatchCopyInput; };

/** What to do when the target name is taken. */
export type ConflictStrategy =
  /** Fail the item with CONFLICT. SMH `ask`, DingTalk `RETURN_ERROR_IF_EXISTS`. */
  | 'FAIL'
  /** Copy nothing and report the existing item. DingTalk `RETURN_DENTRY_IF_EXISTS`; not supported by SMH. */
  | 'KEEP_EXISTING'
  /** Replace the existing item. SMH `overwrite` (files only), DingTalk `OVERWRITE`. */
  | 'OVERWRITE'
  /** Copy under a new, free name. SMH `rename`, DingTalk `AUTO_RENAME`. */
  | 'RENAME';

/** One unified code for every failure, whichever upstream it came from. */
export type CopyErrorCode =
  /** The background task was cancelled before this item was sent; it was not copied, and retrying it is safe. */
  | 'CANCELLED'
  /** An item with the same name already exists at the target (strategy FAIL). */
  | 'CONFLICT'
  /** The idempotency key was already used for a different request. */
  | 'IDEMPOTENCY_CONFLICT'
  /** The gateway stopped (a crash or a restart) before this item's answer: UNKNOWN when it may have been sent, FAILED (retryable) when it was not. */
  | 'INTERRUPTED'
  /** The request was invalid; the message names what was wrong. */
  | 'INVALID_ARGUMENT'
  /** The source, the target folder, the space or the library does not exist. */
  | 'NOT_FOUND'
  /**
   * The copy ran in part and stopped: some of the entries under a copied folder were created, others not
   * (a DingTalk folder copy whose task ended with failures). The item is FAILED, but the target is not
   * untouched: `result` names the copy's root when the upstream named it. Not retryable: sending it again
   * would copy the folder a second time (or, with FAIL, conflict with the partial copy). Check the target,
   * remove or complete the partial copy, then decide.
   */
  | 'PARTIALLY_COPIED'
  /** The caller's credential may not do this. */
  | 'PERMISSION_DENIED'
  /** A storage quota is exhausted. */
  | 'QUOTA_EXCEEDED'
  /** The upstream throttled the request; it did not run and may be retried later. */
  | 'THROTTLED'
  /** The upstream credential is missing, invalid or expired. */
  | 'UNAUTHENTICATED'
  /** The provider cannot do what was asked (e.g. KEEP_EXISTING on SMH). */
  | 'UNSUPPORTED'
  /**
   * The upstream reported an error of its own (a 5xx), or refused several items together with a code
   * about one of them without saying which: the outcome of the items concerned is unknown.
   */
  | 'UPSTREAM_ERROR'
  /** The upstream answered with something the gateway cannot read. */
  | 'UPSTREAM_PROTOCOL_ERROR'
  /** The upstream did not answer in time: the work may or may not have been done. */
  | 'UPSTREAM_TIMEOUT'
  /** The upstream could not be reached or is failing; the request was not sent. */
  | 'UPSTREAM_UNAVAILABLE';

/**
 * How a batch copy runs: inside the request that asks for it, or as a background task the gateway runs
 * chunk by chunk (any gateway replica sharing its Redis can resume it after a crash).
 */
export type CopyExecution =
  /**
   * Inline when the batch needs at most the gateway's inline limit of upstream calls
   * (INLINE_MAX_UPSTREAM_CALLS, default 10), else BACKGROUND.
   */
  | 'AUTO'
  /**
   * Always a background task. Without `waitSeconds` the answer is `CopyAccepted` at once, every item
   * PENDING, with a short task id to follow (`copyTask`, `copyTaskUpdated`). With `waitSeconds`, the
   * answer is where the items stand when the task finishes or the wait ends: `CopySucceeded` or
   * `CopyPartiallyFailed` with `task` once every item finished, else `CopyAccepted`. A replay by
   * `idempotencyKey` answers the same way: the task's outcome once it finished. Refused before anything is
   * accepted exactly as an inline batch is refused before anything is sent (bad input, UNSUPPORTED,
   * UNAUTHENTICATED).
   */
  | 'BACKGROUND'
  /** Inside the request; refused with INVALID_ARGUMENT when the batch needs more upstream calls than the inline limit. */
  | 'INLINE';

/** Where one item stands. */
export type CopyItemStatus =
  /** Not copied. */
  | 'FAILED'
  /** Still running upstream. */
  | 'PENDING'
  /** Copied. */
  | 'SUCCEEDED'
  /**
   * Sent, but the answer was lost (timeout, reset, server error). The gateway looks at the target for a while
   * (`checkedAt`) and never sends it again; if it stays UNKNOWN, check the target before sending it again.
   */
  | 'UNKNOWN';

/** Where a task stands as a whole. */
export type CopyTaskState =
  /**
   * A background task cancelled by `cancelCopyTask`, final (`done: true`): items sent before it keep their
   * outcome (calls in flight were recorded), the rest are FAILED with CANCELLED. A task whose every item
   * had been sent when it was cancelled ends in the state its items give instead.
   */
  | 'CANCELLED'
  /** Everything finished and every part failed. */
  | 'FAILED'
  /** Everything finished; some parts failed. */
  | 'PARTIALLY_FAILED'
  /**
   * Not finished: an upstream task still runs, or (background tasks) a chunk is not sent or recorded yet,
   * or the targets of UNKNOWN items are still being looked at; also a cancelled task until the calls it
   * had in flight are recorded. A background task waiting for its turn to run (behind other jobs, or not
   * started yet) is RUNNING too, with `progress.completed` 0 until its first items finish: there is no
   * separate queued state.
   */
  | 'RUNNING'
  /** Everything finished and succeeded. */
  | 'SUCCEEDED';

/** A batch copy in DingTalk storage. */
export type DingTalkBatchCopyInput = {
  /** The conflict strategy for every item. Default: FAIL. */
  conflictStrategy?: ConflictStrategy | null | undefined;
  /** The dentries to copy, each once, any number up to the gateway's limit: the gateway splits them into upstream-sized chunks. An id listed twice is refused (BAD_USER_INPUT). */
  dentryIds: Array<string>;
  /** Inline, or as a background task (see `CopyExecution`). Default: AUTO. */
  execution?: CopyExecution | null | undefined;
  /**
   * Replaying a request with the same key returns the first answer instead of copying again; for a
   * background task, the task's answer now (`CopyAccepted` while it runs, its finished outcome with `task`
   * once done).
   */
  idempotencyKey?: string | null | undefined;
  /** The space that holds the sources. */
  spaceId: string;
  /** The destination folder; `0` is the space root. */
  targetFolderId: string;
  /** The destination space. */
  targetSpaceId: string;
  /** The operator's unionId. */
  unionId: string;
  /**
   * Wait up to this many seconds (0 to 60) for asynchronous work (upstream tasks, a background task) to
   * finish before answering. The wait is capped by the operation's deadline (the gateway's
   * OPERATION_TIMEOUT_MS, default 30 s): it ends about a second before it, never with an error, and the
   * answer is where the items stand then (`CopyAccepted` with the task while any still runs).
   */
  waitSeconds?: number | null | undefined;
};

/** A batch copy in memory: names ending in `~` copy asynchronously. */
export type MemoryBatchCopyInput = {
  /** Replaying a request with the same key returns the first answer instead of copying again. */
  idempotencyKey?: string | null | undefined;
  /** What to copy. */
  items: Array<string>;
  /** Wait up to this many seconds for asynchronous work to finish before answering. */
  waitSeconds?: number | null | undefined;
};

/**
 * The storage service that carried out (or refused) the work. Each provider's SDL file adds its value
 * (`extend enum Provider`).
 */
export type Provider =
  /** DingTalk storage (DingTalk Drive). */
  | 'DINGTALK'
  /** An in-memory store (tests only). */
  | 'MEMORY'
  /** Tencent Cloud Smart Media Hosting. */
  | 'SMH';

/** A batch copy in one SMH media library. */
export type SmhBatchCopyInput = {
  /** The conflict strategy for items that set none. Default: FAIL. */
  conflictStrategy?: ConflictStrategy | null | undefined;
  /** Inline, or as a background task (see `CopyExecution`). Default: AUTO. */
  execution?: CopyExecution | null | undefined;
  /**
   * Replaying a request with the same key returns the first answer instead of copying again; for a
   * background task, the task's answer now (`CopyAccepted` while it runs, its finished outcome with `task`
   * once done).
   */
  idempotencyKey?: string | null | undefined;
  /** What to copy. Any number up to the gateway's limit: more than 1000 are sent in several upstream calls. Two items with the same `to` are refused (BAD_USER_INPUT). */
  items: Array<SmhCopyItemInput>;
  /** The media library id. */
  libraryId: string;
  /** The destination space id; `-` for a single-tenant library. */
  spaceId?: string | null | undefined;
  /** A temporary user identity, honoured only for admin tokens issued without a user id. */
  userId?: string | null | undefined;
  /**
   * Wait up to this many seconds (0 to 60) for asynchronous work (upstream tasks, a background task) to
   * finish before answering. The wait is capped by the operation's deadline (the gateway's
   * OPERATION_TIMEOUT_MS, default 30 s): it ends about a second before it, never with an error, and the
   * answer is where the items stand then (`CopyAccepted` with the task while any still runs).
   */
  waitSeconds?: number | null | undefined;
};

/** One SMH item to copy. */
export type SmhCopyItemInput = {
  /** The conflict strategy for this item; overrides the request's. */
  conflictStrategy?: ConflictStrategy | null | undefined;
  /** Source path relative to the space root, e.g. `foo/1.jpg`. */
  from: string;
  /** The source space, for a copy across spaces. Leave unset within one space. */
  fromSpaceId?: string | null | undefined;
  /** Full destination path of the copy (not its parent folder), e.g. `bar/1.jpg`. */
  to: string;
};

export type ConformanceBatchCopyMutationVariables = Exact<{
  input: BatchCopyInput;
}>;


export type ConformanceBatchCopyMutation = { batchCopy:
    | { __typename: 'CopyAccepted', provider: Provider, items: Array<{ index: number, status: CopyItemStatus, source: string, target: string | null, result: string | null, renamed: boolean, error: { code: CopyErrorCode, message: string, retryable: boolean, upstream: { provider: Provider, httpStatus: number | null, code: string | null } | null } | null }>, summary: { total: number, succeeded: number, failed: number, pending: number, unknown: number }, task: { id: string, state: CopyTaskState } }
    | { __typename: 'CopyPartiallyFailed', provider: Provider, items: Array<{ index: number, status: CopyItemStatus, source: string, target: string | null, result: string | null, renamed: boolean, error: { code: CopyErrorCode, message: string, retryable: boolean, upstream: { provider: Provider, httpStatus: number | null, code: string | null } | null } | null }>, summary: { total: number, succeeded: number, failed: number, pending: number, unknown: number } }
    | { __typename: 'CopyRejected', provider: Provider, items: Array<{ index: number, status: CopyItemStatus, source: string, target: string | null, result: string | null, renamed: boolean, error: { code: CopyErrorCode, message: string, retryable: boolean, upstream: { provider: Provider, httpStatus: number | null, code: string | null } | null } | null }>, summary: { total: number, succeeded: number, failed: number, pending: number, unknown: number }, error: { code: CopyErrorCode, message: string, retryable: boolean } }
    | { __typename: 'CopySucceeded', provider: Provider, items: Array<{ index: number, status: CopyItemStatus, source: string, target: string | null, result: string | null, renamed: boolean, error: { code: CopyErrorCode, message: string, retryable: boolean, upstream: { provider: Provider, httpStatus: number | null, code: string | null } | null } | null }>, summary: { total: number, succeeded: number, failed: number, pending: number, unknown: number } }
   | null };

export type ConformanceTwoTasksQueryVariables = Exact<{
  a: string | number;
  b: string | number;
}>;


export type ConformanceTwoTasksQuery = { a: { id: string, provider: Provider, state: CopyTaskState, done: boolean, summary: { total: number, succeeded: number, failed: number, pending: number, unknown: number } } | null, b: { id: string, state: CopyTaskState, done: boolean } | null, again: { state: CopyTaskState } | null };

export type ConformanceOneTaskQueryVariables = Exact<{
  id: string | number;
}>;


export type ConformanceOneTaskQuery = { copyTask: { id: string, provider: Provider, state: CopyTaskState, done: boolean, items: Array<{ index: number, status: CopyItemStatus }> } | null };


export const ConformanceBatchCopyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConformanceBatchCopy"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"BatchCopyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"batchCopy"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CopyOutcome"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"renamed"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"upstream"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"summary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"unknown"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CopyAccepted"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CopyRejected"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConformanceBatchCopyMutation, ConformanceBatchCopyMutationVariables>;
export const ConformanceTwoTasksDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConformanceTwoTasks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"a"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"b"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"a"},"name":{"kind":"Name","value":"copyTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"a"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"summary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"unknown"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"b"},"name":{"kind":"Name","value":"copyTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"b"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"done"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"again"},"name":{"kind":"Name","value":"copyTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"a"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}}]} as unknown as DocumentNode<ConformanceTwoTasksQuery, ConformanceTwoTasksQueryVariables>;
export const ConformanceOneTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConformanceOneTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"copyTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<ConformanceOneTaskQuery, ConformanceOneTaskQueryVariables>;