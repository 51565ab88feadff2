import { CallRates, type FaultInjector } from '../kit/index.js';
import type { DingTalkConflictStrategy, DingTalkCopiedItem, ResultItem } from './copy.js';
import type { RecordedRequest } from './wire.js';

/** Route names counted in `requestsByRoute`. */
export type RouteName =
  'token' | 'batchCopy' | 'getTask' | 'getDentry' | 'getDentries' | 'listDentries' | 'admin' | 'notFound';

/** One id whose copy ran (created or overwrote its target), as recorded when it ran. */
export interface DingTalkCopyRecord extends DingTalkCopiedItem {
  /** Request id of the batch copy that carried it. */
  requestId: string;
}

/** One batch copy request as the emulator ran it. */
export interface CopyRequestStat {
  requestId: string;
  /** The `x-request-id` the client sent with the request (its own id for the call), if any. */
  clientRequestId?: string;
  unionId: string;
  sourceSpaceId: string;
  targetSpaceId: string;
  targetFolderId: string;
  dentryIds: string[];
  strategy: DingTalkConflictStrategy;
  /** Items that actually created or overwrote something in this request. */
  executed: number;
  resultItems: ResultItem[];
  /** The ids that ran. */
  copied: DingTalkCopiedItem[];
  /** Set when the request failed as a whole (after `copied` ran, if any). */
  requestError?: string;
}

/** The counters and records as JSON (`GET /__admin/stats`). */
export interface DingTalkStatsSnapshot {
  requestsByRoute: Partial<Record<RouteName, number>>;
  /** API calls (admin routes aside) per wall-clock second, by route: `{route: {epochSecond: calls}}`. */
  callRates: Partial<Record<RouteName, Record<string, number>>>;
  tokenRequests: number;
  executedCopies: number;
  copyRequests: CopyRequestStat[];
  faultsFired: number;
  lastRequests: Partial<Record<RouteName, RecordedRequest>>;
  copies: DingTalkCopyRecord[];
}

/** Counters for tests and the admin API. Faults fired = injector rules plus one-off header faults. */
export class DingTalkStats {
  requestsByRoute: Partial<Record<RouteName, number>> = {};
  /** API calls per wall-clock second, by route, as DingTalk's per-app-and-API limit counts them. */
  readonly callRates = new CallRates();
  tokenRequests = 0;
  executedCopies = 0;
  copyRequests: CopyRequestStat[] = [];
  /** The last request seen per API route, as sent, so wire formats can be compared. */
  lastRequests: Partial<Record<RouteName, RecordedRequest>> = {};
  /** Every id whose copy ran, in order. */
  copies: DingTalkCopyRecord[] = [];
  #copiesBySource = new Map<string, DingTalkCopyRecord[]>();
  #copiesByTarget = new Map<string, DingTalkCopyRecord>();
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
    if (route !== 'admin') this.callRates.count(route);
  }

  countHeaderFault(): void {
    this.#headerFaults += 1;
  }

  recordCopy(stat: CopyRequestStat): void {
    this.executedCopies += stat.executed;
    this.copyRequests.push(stat);
    for (const copied of stat.copied) {
      const record: DingTalkCopyRecord = { requestId: stat.requestId, ...copied };
      this.copies.push(record);
      const list = this.#copiesBySource.get(copied.dentryId);
      if (list) list.push(record);
      else this.#copiesBySource.set(copied.dentryId, [record]);
      this.#copiesByTarget.set(copied.targetDentryId, record);
    }
  }

  /** The copies of source dentry `dentryId` that ran, in order. Constant time per call. */
  copiesOf(dentryId: string): readonly DingTalkCopyRecord[] {
    return this.#copiesBySource.get(dentryId) ?? [];
  }

  /** The last copy that created or overwrote dentry `targetDentryId`, if any. Constant time per call. */
  copyTo(targetDentryId: string): DingTalkCopyRecord | undefined {
    return this.#copiesByTarget.get(targetDentryId);
  }

  reset(): void {
    this.requestsByRoute = {};
    this.callRates.reset();
    this.tokenRequests = 0;
    this.executedCopies = 0;
    this.copyRequests = [];
    this.lastRequests = {};
    this.copies = [];
    this.#copiesBySource = new Map();
    this.#copiesByTarget = new Map();
    this.#headerFaults = 0;
    this.#faultBaseline = this.faults.firedCount;
  }

  toJSON(): DingTalkStatsSnapshot {
    return {
      requestsByRoute: { ...this.requestsByRoute },
      callRates: this.callRates.toJSON(),
      tokenRequests: this.tokenRequests,
      executedCopies: this.executedCopies,
      copyRequests: [...this.copyRequests],
      faultsFired: this.faultsFired,
      lastRequests: { ...this.lastRequests },
      copies: [...this.copies],
    };
  }
}
