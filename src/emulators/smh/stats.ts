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
}

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
    return this.batches.find((b) => b.requestId === requestId)?.executed;
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
  }
}
