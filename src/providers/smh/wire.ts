/** SMH's wire format for batch copy and task query (see shared/upstreams/smh.md §4–§5). */

export type SmhWireStrategy = 'ask' | 'rename' | 'overwrite';

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

export interface SmhWireTask {
  taskId?: number | string;
  /** Older docs and SDKs name the id `id`. */
  id?: number | string;
  status: number;
  result?: SmhWireResultItem[] | Record<string, unknown>;
}

export interface SmhWireError {
  code?: string;
  message?: string;
  requestId?: string;
}
