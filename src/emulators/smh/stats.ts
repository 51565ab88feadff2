/** One batch copy request, so a test can check how often a retried request really ran. */
export interface BatchRecord {
  requestId: string;
  libraryId: string;
  spaceId: string;
  items: number;
  mode: 'sync' | 'async';
  taskId?: number;
  /** Items that changed the tree; undefined until an async task has run. */
  executed?: number;
  nodesCopied?: number;
}

/** One copy item that changed the tree, as recorded when it ran. */
export interface SmhCopyRecord {
  /** Request id of the batch copy that carried it. */
  requestId: string;
  sourceSpaceId: string;
  copyFrom: readonly string[];
  /** The destination space. */
  spaceId: string;
  /** Final path of the copy (after any rename). */
  path: string[];
}

/** The counters and records as JSON (`GET /__admin/stats`). */
export interface SmhStatsSnapshot {
  requests: Record<string, number>;
  requestsTotal: number;
  executedItems: number;
  executedNodes: number;
  batches: BatchRecord[];
  tasksCreated: number;
  faultsFired: number;
  faultsByKind: Record<string, number>;
  itemFaultsFired: number;
  copies: SmhCopyRecord[];
}

/** Request and fault counters, and the records of what ran. */
export class SmhStats {
  requests: Record<string, number> = {};
  requestsTotal = 0;
  /** Items actually copied, across all requests and tasks. */
  executedItems = 0;
  executedNodes = 0;
  batches: BatchRecord[] = [];
  tasksCreated = 0;
  faultsFired = 0;
  faultsByKind: Record<string, number> = {};
  itemFaultsFired = 0;
  /** Every copy item that ran, in order. */
  copies: SmhCopyRecord[] = [];
  #copiesByTarget = new Map<string, SmhCopyRecord[]>();
  #batchesByRequestId = new Map<string, BatchRecord>();

  /** Records a batch request (call once per request). */
  recordBatch(record: BatchRecord): void {
    this.batches.push(record);
    this.#batchesByRequestId.set(record.requestId, record);
  }

  /** Records one item that ran. */
  recordCopy(record: SmhCopyRecord): void {
    this.copies.push(record);
    const key = targetKey(record.spaceId, record.path);
    const list = this.#copiesByTarget.get(key);
    if (list) list.push(record);
    else this.#copiesByTarget.set(key, [record]);
  }

  /**
   * The items that ran with this final target path (segments or `a/b.jpg`) in space `spaceId`; more
   * than one means the same target was written again. Constant time per call.
   */
  copiesTo(spaceId: string, path: string | readonly string[]): readonly SmhCopyRecord[] {
    return this.#copiesByTarget.get(targetKey(spaceId, path)) ?? [];
  }

  countRequest(route: string): void {
    this.requestsTotal += 1;
    this.requests[route] = (this.requests[route] ?? 0) + 1;
  }

  countFault(kind: string): void {
    this.faultsFired += 1;
    this.faultsByKind[kind] = (this.faultsByKind[kind] ?? 0) + 1;
  }

  recordExecution(record: BatchRecord, executed: number, nodesCopied: number): void {
    record.executed = executed;
    record.nodesCopied = nodesCopied;
    this.executedItems += executed;
    this.executedNodes += nodesCopied;
  }

  /** Executed item count of the batch request with this request id. */
  executedFor(requestId: string): number | undefined {
    return this.#batchesByRequestId.get(requestId)?.executed;
  }

  snapshot(): SmhStatsSnapshot {
    return {
      requests: { ...this.requests },
      requestsTotal: this.requestsTotal,
      executedItems: this.executedItems,
      executedNodes: this.executedNodes,
      batches: this.batches.map((b) => ({ ...b })),
      tasksCreated: this.tasksCreated,
      faultsFired: this.faultsFired,
      faultsByKind: { ...this.faultsByKind },
      itemFaultsFired: this.itemFaultsFired,
      copies: [...this.copies],
    };
  }

  reset(): void {
    this.requests = {};
    this.requestsTotal = 0;
    this.executedItems = 0;
    this.executedNodes = 0;
    this.batches = [];
    this.tasksCreated = 0;
    this.faultsFired = 0;
    this.faultsByKind = {};
    this.itemFaultsFired = 0;
    this.copies = [];
    this.#copiesByTarget = new Map();
    this.#batchesByRequestId = new Map();
  }
}

function targetKey(spaceId: string, path: string | readonly string[]): string {
  const segments = typeof path === 'string' ? path.split('/').filter((s) => s.length > 0) : path;
  return `${spaceId}\u0000${segments.join('/')}`;
}
