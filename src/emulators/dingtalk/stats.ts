import type { FaultInjector } from '../shared/faults.js';
import type { ConflictStrategy, ResultItem } from './copy.js';
import type { RecordedRequest } from './wire.js';

export type RouteName = 'token' | 'batchCopy' | 'getTask' | 'admin' | 'notFound';

export interface CopyRequestStat {
  requestId: string;
  unionId: string;
  sourceSpaceId: string;
  targetSpaceId: string;
  targetFolderId: string;
  dentryIds: string[];
  strategy: ConflictStrategy;
  /** Items that actually created or overwrote something in this request. */
  executed: number;
  resultItems: ResultItem[];
}

export interface DingTalkStatsSnapshot {
  requestsByRoute: Partial<Record<RouteName, number>>;
  tokenRequests: number;
  executedCopies: number;
  copyRequests: CopyRequestStat[];
  faultsFired: number;
  lastRequests: Partial<Record<RouteName, RecordedRequest>>;
}

/** Counters for tests and the admin API. Faults fired = injector rules plus one-off header faults. */
export class DingTalkStats {
  requestsByRoute: Partial<Record<RouteName, number>> = {};
  tokenRequests = 0;
  executedCopies = 0;
  copyRequests: CopyRequestStat[] = [];
  /** The last request seen per API route, as sent, so wire formats can be compared. */
  lastRequests: Partial<Record<RouteName, RecordedRequest>> = {};
  #headerFaults = 0;
  #faultBaseline: number;

  constructor(private readonly faults: FaultInjector) {
    this.#faultBaseline = faults.firedCount;
  }

  get faultsFired(): number {
    return this.faults.firedCount - this.#faultBaseline + this.#headerFaults;
  }

  countRequest(route: RouteName): void {
    this.requestsByRoute[route] = (this.requestsByRoute[route] ?? 0) + 1;
  }

  countHeaderFault(): void {
    this.#headerFaults += 1;
  }

  recordCopy(stat: CopyRequestStat): void {
    this.executedCopies += stat.executed;
    this.copyRequests.push(stat);
  }

  reset(): void {
    this.requestsByRoute = {};
    this.tokenRequests = 0;
    this.executedCopies = 0;
    this.copyRequests = [];
    this.lastRequests = {};
    this.#headerFaults = 0;
    this.#faultBaseline = this.faults.firedCount;
  }

  toJSON(): DingTalkStatsSnapshot {
    return {
      requestsByRoute: { ...this.requestsByRoute },
      tokenRequests: this.tokenRequests,
      executedCopies: this.executedCopies,
      copyRequests: [...this.copyRequests],
      faultsFired: this.faultsFired,
      lastRequests: { ...this.lastRequests },
    };
  }
}
