/**
 * Background copy jobs: a copy task the gateway runs itself, chunk by chunk, so that a batch of any
 * size is answered at once and survives the loss of the instance running it. This file holds the
 * job's records and the pure functions that turn them into the API's CopyTask; nothing here does I/O.
 */
import type {
  CopyErrorInfo,
  CopyItemResult,
  CopyItemStatus,
  CopyTask,
  CopyTaskState,
  ItemEvidence,
  Provider,
} from '../copy/types.js';
import { storedItem } from '../copy/evidence.js';
import { unknownOutcome } from '../copy/errors.js';
import { summarize } from '../copy/summary.js';

/** What a job copies, fixed when it is accepted. */
export interface JobSpec {
  /** The task id (`cj1_…`, the job store's reference). */
  id: string;
  provider: Provider;
  /** The provider's batch request, without the fields that only steer how it runs. */
  request: unknown;
  itemCount: number;
  /** Items per upstream call; chunk `n` covers items `[n × chunkSize, (n + 1) × chunkSize)`. */
  chunkSize: number;
  /** The task whose retryable failures this one sends again. */
  retryOf?: string;
  /**
   * A retry job's items' positions in the first request of its retry chain, in this job's order (item
   * `k` of this job is item `indices[k]` there; a retry of a retry keeps the first request's). Absent:
   * each item's position in this job's own request.
   */
  indices?: number[];
  /**
   * The id of the request that accepted the job (for a retry job, of the `retryCopyTask` request; see
   * CallContext.requestId): every upstream call of the job sends it as `x-request-id`, and every log
   * line of the job carries it as `reqId`, on whichever instance runs it. Absent in jobs accepted
   * before jobs kept it.
   */
  requestId?: string;
  /**
   * Who created the job (an API key's name, or a digest of the caller's upstream token); only that
   * caller may read, cancel or retry it.
   */
  caller?: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; every record of the job is gone after it. */
  expiresAt: string;
}

/**
 * A chunk's life: `queued` (never sent; absent from the store), `sending` (claimed: its upstream call
 * may be under way, so it is never sent again), `settled` (its outcome is recorded).
 */
export type ChunkState = 'queued' | 'sending' | 'settled';

/** One item's outcome inside a chunk record (its source and target come from the request). */
export interface ItemRecord {
  status: CopyItemStatus;
  result?: string;
  renamed?: boolean;
  error?: CopyErrorInfo;
  /** Absent in records written before items carried their evidence. */
  evidence?: ItemEvidence;
  /** ISO 8601: when the target of an UNKNOWN item was last looked at. */
  checkedAt?: string;
}

/** A settled chunk: one record per item of the chunk, in request order. */
export interface ChunkRecord {
  items: ItemRecord[];
  /** The upstream task (a `ct1_` id) that still runs some of the chunk's items asynchronously. */
  upstreamTask?: string;
  upstreamTaskIds?: string[];
  /**
   * When the chunk was sent (epoch ms), kept with its upstream task: the looks at the targets of items
   * the task leaves UNKNOWN begin when the task ends, and count entries new since this time. Absent in
   * records written before records kept it (the job's acceptance is then taken instead).
   */
  sentAt?: number;
  /**
   * Looks at the targets of the chunk's UNKNOWN items (never sending them again): `sentAt` and `since`
   * (epoch ms) when the chunk was sent and when the looks began (their window runs from it), `ended`
   * once every item was settled or the window ended. Absent: nothing is looked at.
   */
  looks?: { sentAt: number; since: number; ended: boolean };
}

/** Everything the store knows about a job at one moment. */
export interface JobSnapshot {
  spec: JobSpec;
  /** Set when the job was cancelled; also when it stopped on its own (see `stopped`). */
  cancelled: boolean;
  /** Why chunks not yet sent will never be sent (cancellation, or a refused credential). */
  stopped?: CopyErrorInfo;
  /** Chunks that are not queued. */
  chunks: Map<number, Exclude<ChunkState, 'queued'>>;
  /** Records of settled chunks. */
  records: Map<number, ChunkRecord>;
  finishedAt?: Date;
}

/** The request's item as the API reports it. */
export interface RequestedItem {
  source: string;
  target?: string;
}

export function chunkCount(spec: Pick<JobSpec, 'itemCount' | 'chunkSize'>): number {
  return Math.ceil(spec.itemCount / spec.chunkSize);
}

/** Where chunk `n` sits in the request. */
export function chunkRange(
  spec: Pick<JobSpec, 'itemCount' | 'chunkSize'>,
  n: number,
): { offset: number; count: number } {
  const offset = n * spec.chunkSize;
  return { offset, count: Math.min(spec.chunkSize, spec.itemCount - offset) };
}

/** The error of items that were never sent because the task was cancelled; sending them later is safe. */
export function cancelledError(provider: Provider): CopyErrorInfo {
  return {
    code: 'CANCELLED',
    message: 'The task was cancelled before this item was sent; it was not copied.',
    retryable: true,
    upstream: { provider },
  };
}

/** The error of items whose chunk was being sent by an instance that stopped before recording the answer. */
export function orphanedError(provider: Provider): CopyErrorInfo {
  return {
    code: 'UPSTREAM_ERROR',
    message: unknownOutcome('The gateway instance sending this item stopped before it recorded the answer'),
    retryable: false,
    upstream: { provider },
  };
}

/** A chunk record in which every item has the same status and error. */
export function uniformRecord(count: number, status: CopyItemStatus, error?: CopyErrorInfo): ChunkRecord {
  return { items: Array.from({ length: count }, () => (error ? { status, error } : { status })) };
}

/**
 * The job's task as the API shows it, with its items in request order. It is done once no item is
 * PENDING and no UNKNOWN item is still being looked at (or its run finished), and RUNNING until then
 * (cancelled or not). A done task is CANCELLED when its cancellation left items unsent; otherwise its
 * state follows the items: FAILED only when every one FAILED, SUCCEEDED when every one SUCCEEDED.
 */
export function jobTask(
  snapshot: JobSnapshot,
  requested: readonly RequestedItem[],
  checkedAt = new Date(),
): CopyTask {
  const { spec } = snapshot;
  const items: CopyItemResult[] = new Array(spec.itemCount);
  const upstreamTaskIds: string[] = [];
  let looking = false;
  // Items never sent because the job was stopped.
  let unsent = 0;
  const chunks = chunkCount(spec);
  for (let n = 0; n < chunks; n++) {
    const { offset, count } = chunkRange(spec, n);
    const state = snapshot.chunks.get(n) ?? 'queued';
    const record = state === 'settled' ? snapshot.records.get(n) : undefined;
    if (record?.upstreamTaskIds) upstreamTaskIds.push(...record.upstreamTaskIds);
    if (record?.looks && !record.looks.ended && record.items.some((item) => item.status === 'UNKNOWN'))
      looking = true;
    for (let k = 0; k < count; k++) {
      const position = offset + k;
      // A retry job's item reports its index in the first request.
      const index = spec.indices?.[position] ?? position;
      const asked = requested[position];
      const source = asked?.source ?? '';
      const target = asked?.target;
      const done = record?.items[k];
      // One object per item, written out: a read of a 100,000-item job builds them all.
      if (done) {
        items[position] = {
          index,
          source,
          target,
          status: done.status,
          result: done.result,
          renamed: done.renamed ?? false,
          error: done.error,
          evidence: done.evidence ?? storedItem({ index, source, target, renamed: false, ...done }).evidence,
          checkedAt: done.checkedAt === undefined ? undefined : new Date(done.checkedAt),
        };
      } else if (state === 'queued' && snapshot.stopped) {
        unsent++;
        items[position] = {
          index,
          source,
          target,
          renamed: false,
          status: 'FAILED',
          error: snapshot.stopped,
          evidence: 'NOT_SENT',
        };
      } else {
        // Queued: not sent yet (NOT_SENT); sending: its call may be under way, nothing is known yet (NONE).
        const evidence = state === 'queued' ? 'NOT_SENT' : 'NONE';
        items[position] = { index, source, target, renamed: false, status: 'PENDING', evidence };
      }
    }
  }
  const summary = summarize(items);
  const done = summary.pending === 0 && (!looking || snapshot.finishedAt !== undefined);
  let state: CopyTaskState;
  // CANCELLED is final: the calls in flight when the job was cancelled are recorded first (RUNNING till
  // then), and a cancel that came after every chunk was sent stopped nothing: the items decide.
  if (!done) state = 'RUNNING';
  else if (snapshot.cancelled && unsent > 0) state = 'CANCELLED';
  else if (summary.succeeded === summary.total) state = 'SUCCEEDED';
  // An UNKNOWN item may have been copied: only a job whose every item FAILED failed as a whole.
  else if (summary.failed === summary.total) state = 'FAILED';
  else state = 'PARTIALLY_FAILED';
  const completed = summary.total - summary.pending;
  return {
    id: spec.id,
    provider: spec.provider,
    state,
    done,
    items,
    summary,
    upstreamTaskIds,
    checkedAt,
    progress: {
      total: summary.total,
      completed,
      fraction: summary.total === 0 ? 1 : completed / summary.total,
      source: 'EXACT',
    },
    retryOf: spec.retryOf,
  };
}

/**
 * Positions in the task's items (and so in its job's request) of the items a retry sends again: FAILED
 * and marked retryable (never UNKNOWN ones).
 */
export function retryablePositions(task: Pick<CopyTask, 'items'>): number[] {
  const positions: number[] = [];
  task.items.forEach((item, k) => {
    if (item.status === 'FAILED' && item.error?.retryable === true) positions.push(k);
  });
  return positions;
}
