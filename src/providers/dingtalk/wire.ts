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

/**
 * A dentry of GetDentry, GetDentries and ListDentries
 * (https://help.dingtalk.io/open/development/obtain-file-or-folder-information): folders have no
 * `size` or `extension`; times are ISO 8601 (whole seconds). No content hash is given.
 */
export interface DingTalkWireDentry {
  id: string;
  spaceId?: string;
  parentId?: string;
  /** `FILE` or `FOLDER` (compare without case: some SDK examples write it in lower case). */
  type?: string;
  name?: string;
  extension?: string;
  /** Bytes. */
  size?: number | string;
  version?: number | string;
  /** `NORMAL`, `DELETED` or `EXPIRED`. */
  status?: string;
  creatorId?: string;
  modifierId?: string;
  createTime?: string;
  modifiedTime?: string;
}

/** One item of GetDentries' `resultItems`. */
export interface DingTalkWireQueryItem {
  spaceId?: string;
  dentryId?: string;
  success?: boolean;
  errorCode?: string;
  dentry?: DingTalkWireDentry;
}
