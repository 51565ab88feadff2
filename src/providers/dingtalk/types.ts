/** DingTalk's side of the domain: its batch copy input, task references and settings. */
import type { ConflictStrategy } from '../../copy/types.js';
import type { ProviderSettings } from '../module.js';

/** `DingTalkBatchCopyInput` as the API takes it (optional fields may be null or absent). */
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

/** One async item: DingTalk gives each its own task. */
export interface DingTalkTaskPart {
  taskId: string;
  /** The item's position in the original request. */
  index: number;
  /** The dentry id copied. */
  source: string;
  /** The new dentry id, when DingTalk gave it before the task finished. */
  result?: string;
}

/** What a DingTalk task id carries: the operator to query as, and the items' upstream tasks. */
export interface DingTalkTaskRef {
  provider: 'DINGTALK';
  unionId: string;
  parts: DingTalkTaskPart[];
}

/** DingTalk's settings (DINGTALK_* variables). */
export interface DingTalkSettings extends ProviderSettings {
  /** The internal app's key and secret (managed mode). */
  appKey?: string;
  appSecret?: string;
  /** dentryIds per upstream call (the documented maximum is 3). */
  chunkSize: number;
  /** dentryIds one request may hold. */
  maxItems: number;
  /** Upstream calls of one request in flight at once. */
  concurrency: number;
  /** Retries of a chunk refused by throttling (it did not run, so re-sending is safe). */
  throttleRetries: number;
  /** Calls a second to each DingTalk API at most, across the fleet; 0: unpaced. */
  maxCallsPerSecond: number;
}
