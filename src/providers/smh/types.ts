/** SMH's side of the domain: its batch copy input, task references and settings. */
import type { ConflictStrategy } from '../../copy/types.js';
import type { ProviderSettings } from '../module.js';

/** One item of `SmhBatchCopyInput` (optional fields may be null or absent). */
export interface SmhCopyItemRequest {
  from: string;
  to: string;
  fromSpaceId?: string | null;
  conflictStrategy?: ConflictStrategy | null;
}

/** `SmhBatchCopyInput` as the API takes it. */
export interface SmhBatchCopyRequest {
  libraryId: string;
  spaceId?: string | null;
  userId?: string | null;
  items: SmhCopyItemRequest[];
  conflictStrategy?: ConflictStrategy | null;
  idempotencyKey?: string | null;
  waitSeconds?: number | null;
}

/** One upstream task and where its items sit in the original request. */
export interface SmhTaskPart {
  taskId: string;
  /** Index of the task's first item in the original request (a request over 1000 items is chunked). */
  offset: number;
  /** How many items the task covers. */
  count: number;
}

/** What an SMH task id carries: the scope to query in, and the upstream tasks. */
export interface SmhTaskRef {
  provider: 'SMH';
  libraryId: string;
  spaceId: string;
  userId?: string;
  parts: SmhTaskPart[];
}

/** A media library the gateway holds the secret of (managed mode). */
export interface SmhLibraryCredential {
  libraryId: string;
  librarySecret: string;
}

/** SMH's settings (SMH_* variables). */
export interface SmhSettings extends ProviderSettings {
  libraries: SmhLibraryCredential[];
  /** Items per upstream call (the documented maximum is 1000). */
  chunkSize: number;
  /** Items one request may hold. */
  maxItems: number;
  /** Upstream calls of one request in flight at once. */
  concurrency: number;
  /** Calls a second to SMH at most, all APIs together, across the fleet; 0: unpaced. */
  maxCallsPerSecond: number;
}
