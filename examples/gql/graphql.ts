/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
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

/**
 * The storage service that carried out (or refused) the work. Each provider's SDL file adds its value
 * (`extend enum Provider`).
 */
export type Provider =
  /** DingTalk storage (DingTalk Drive). */
  | 'DINGTALK'
  /** Tencent Cloud Smart Media Hosting. */
  | 'SMH';

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

export type CopyDentriesMutationVariables = Exact<{
  input: DingTalkBatchCopyInput;
}>;


export type CopyDentriesMutation = { batchCopy:
    | { __typename: 'CopyAccepted', provider: Provider, summary: { total: number, succeeded: number, pending: number, failed: number }, task: { id: string } }
    | { __typename: 'CopyPartiallyFailed', provider: Provider, summary: { total: number, succeeded: number, pending: number, failed: number } }
    | { __typename: 'CopyRejected', provider: Provider, summary: { total: number, succeeded: number, pending: number, failed: number }, error: { code: CopyErrorCode, message: string } }
    | { __typename: 'CopySucceeded', provider: Provider, summary: { total: number, succeeded: number, pending: number, failed: number } }
   | null };

export type TaskQueryVariables = Exact<{
  id: string | number;
}>;


export type TaskQuery = { copyTask: { id: string, state: CopyTaskState, done: boolean, summary: { total: number, succeeded: number, failed: number } } | null };

export type WatchTaskSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type WatchTaskSubscription = { copyTaskUpdated: { state: CopyTaskState, done: boolean, summary: { total: number, succeeded: number, pending: number } } };

export type CopyFilesMutationVariables = Exact<{
  libraryId: string;
  items: Array<SmhCopyItemInput> | SmhCopyItemInput;
  idempotencyKey?: string | null | undefined;
}>;


export type CopyFilesMutation = { batchCopy:
    | { __typename: 'CopyAccepted', summary: { total: number, succeeded: number, failed: number, unknown: number }, items: Array<{ index: number, status: CopyItemStatus, source: string, result: string | null, renamed: boolean, error: { code: CopyErrorCode, message: string, retryable: boolean } | null }> }
    | { __typename: 'CopyPartiallyFailed', summary: { total: number, succeeded: number, failed: number, unknown: number }, items: Array<{ index: number, status: CopyItemStatus, source: string, result: string | null, renamed: boolean, error: { code: CopyErrorCode, message: string, retryable: boolean } | null }> }
    | { __typename: 'CopyRejected', summary: { total: number, succeeded: number, failed: number, unknown: number }, items: Array<{ index: number, status: CopyItemStatus, source: string, result: string | null, renamed: boolean, error: { code: CopyErrorCode, message: string, retryable: boolean } | null }> }
    | { __typename: 'CopySucceeded', summary: { total: number, succeeded: number, failed: number, unknown: number }, items: Array<{ index: number, status: CopyItemStatus, source: string, result: string | null, renamed: boolean, error: { code: CopyErrorCode, message: string, retryable: boolean } | null }> }
   | null };


export const CopyDentriesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CopyDentries"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DingTalkBatchCopyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"batchCopy"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"dingtalk"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CopyOutcome"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"summary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CopyAccepted"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"task"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CopyRejected"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CopyDentriesMutation, CopyDentriesMutationVariables>;
export const TaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Task"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"copyTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"summary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}}]}}]} as unknown as DocumentNode<TaskQuery, TaskQueryVariables>;
export const WatchTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"WatchTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"copyTaskUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"summary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"pending"}}]}}]}}]}}]} as unknown as DocumentNode<WatchTaskSubscription, WatchTaskSubscriptionVariables>;
export const CopyFilesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CopyFiles"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"libraryId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"NonEmptyString"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"items"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SmhCopyItemInput"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"batchCopy"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"smh"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"libraryId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"libraryId"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"items"},"value":{"kind":"Variable","name":{"kind":"Name","value":"items"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"conflictStrategy"},"value":{"kind":"EnumValue","value":"RENAME"}},{"kind":"ObjectField","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}}}]}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CopyOutcome"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"summary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"unknown"}}]}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"renamed"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CopyFilesMutation, CopyFilesMutationVariables>;