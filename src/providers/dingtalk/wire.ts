/**
 * DingTalk storage's wire format for batch copy
 * (https://open.dingtalk.com/document/development/copy-files-or-folders-in-bulk) and task query
 * (https://open.dingtalk.com/document/development/get-the-asynchronous-task-information-in-storage).
 */

export type DingTalkWireStrategy =
  'AUTO_RENAME' | 'OVERWRITE' | 'RETURN_DENTRY_IF_EXISTS' | 'RETURN_ERROR_IF_EXISTS';

/** The batch copy body. */
export interface DingTalkWireCopyRequest {
  targetSpaceId: string;
  targetFolderId: string;
  dentryIds: string[];
  option: { conflictStrategy: DingTalkWireStrategy };
}

/** One item of the batch copy answer's `resultItems`. */
export interface DingTalkWireResultItem {
  spaceId?: string;
  dentryId?: string;
  async?: boolean;
  /** Absent for async items. */
  success?: boolean;
  errorCode?: string;
  taskId?: string | number;
  targetSpaceId?: string;
  targetDentryId?: string;
}

/** A task's `status`. */
export type DingTalkWireTaskStatus = 'INIT' | 'IN_PROGRESS' | 'SUCCESS' | 'FAIL';

/** The task query answer's `task`. */
export interface DingTalkWireTask {
  id?: string;
  status?: DingTalkWireTaskStatus | string;
  totalCount?: number | string;
  successCount?: number | string;
  failCount?: number | string;
  failMessage?: string;
  beginTime?: string;
  endTime?: string;
}

/** DingTalk's error body. */
export interface DingTalkWireError {
  code?: string;
  message?: string;
  /** DingTalk spells it all lowercase. */
  requestid?: string;
}
