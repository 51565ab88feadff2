/**
 * SMH's wire format for batch copy (https://www.tencentcloud.com/document/product/1283/75493) and task
 * query (https://www.tencentcloud.com/document/product/1283/75479).
 */

export type SmhWireStrategy = 'ask' | 'rename' | 'overwrite';

/** One item of the batch copy body. */
export interface SmhWireCopyItem {
  copyFrom: string;
  to: string;
  conflictResolutionStrategy: SmhWireStrategy;
  copyFromSpaceId?: string;
}

/** One item of `result`. Paths arrive as segment arrays, or (older docs) as plain strings. */
export interface SmhWireResultItem {
  status: number;
  path?: string[] | string;
  copyFrom?: string[] | string;
  to?: string[] | string;
  code?: string;
  message?: string;
}

/** One task of the task query's answer. */
export interface SmhWireTask {
  taskId?: number | string;
  /** Older docs and SDKs name the id `id`. */
  id?: number | string;
  status: number;
  result?: SmhWireResultItem[] | Record<string, unknown>;
}

/** SMH's error body. */
export interface SmhWireError {
  code?: string;
  message?: string;
  requestId?: string;
}

/**
 * A file or directory in `?info` answers and listing `contents`
 * (https://www.tencentcloud.com/document/product/1283/75454): directories have no size or crc64.
 */
export interface SmhWireEntry {
  name?: string;
  path?: string[];
  /** `dir`, `file`, `image`, `video`, `symlink`, `virtual`. */
  type?: string;
  creationTime?: string;
  modificationTime?: string;
  inode?: string | number;
  /** Bytes, as a decimal string. */
  size?: string | number;
  /** CRC-64/ECMA-182 of the content, an unsigned decimal string. */
  crc64?: string;
  versionId?: number | null;
}
