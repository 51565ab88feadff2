/** DingTalk storage's wire format for batch copy and task query (see shared/upstreams/dingtalk.md §2, §4). */

export type DingTalkWireStrategy =
  'AUTO_RENAME' | 'OVERWRITE' | 'RETURN_DENTRY_IF_EXISTS' | 'RETURN_ERROR_IF_EXISTS';

export interface DingTalkWireCopyRequest {
  targetSpaceId: string;
  targetFolderId: string;
  dentryIds: string[];
  option: { conflictStrategy: DingTalkWireStrategy };
}

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

export type DingTalkWireTaskStatus = 'INIT' | 'IN_PROGRESS' | 'SUCCESS' | 'FAIL';

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

export interface DingTalkWireError {
  code?: string;
  message?: string;
  /** DingTalk spells it all lowercase. */
  requestid?: string;
}
