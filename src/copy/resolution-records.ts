/**
 * The record of items a request left UNKNOWN while the gateway keeps looking at their targets after
 * the request was answered: what the copyTask of such a request reads. The record lives in Redis when
 * the gateway has one (any replica answers for it), else in this process's memory.
 */
import { storedItem, type StoredItem } from './evidence.js';
import type { LookupPlan } from './lookups.js';
import { combineTaskStates, summarize } from './summary.js';
import { isTaskIdString, type TaskRef, type TaskRefCodec } from './task-id.js';
import type { CopyItemResult, CopyTask, CopyTaskState, Provider } from './types.js';

/** What a resolution task id carries: the provider and the record's id. */
export interface ResolutionRef extends TaskRef {
  resolution: string;
}

/** True for the reference of a resolution record (as opposed to a provider's upstream task). */
export function isResolutionRef(ref: TaskRef): ref is ResolutionRef {
  return typeof (ref as Partial<ResolutionRef>).resolution === 'string';
}

/** The part of a task id that names a resolution record: `{ v: provider, r: record id }` under tag `res`. */
export const resolutionRefs: TaskRefCodec<ResolutionRef> = {
  tag: 'res',
  encode: (ref) => ({ v: ref.provider, r: ref.resolution }),
  decode: ({ v, r }) => (isTaskIdString(v) && isTaskIdString(r) ? { provider: v, resolution: r } : undefined),
};

/** Items of a request being resolved, and where the resolution stands. */
export interface ResolutionRecord {
  id: string;
  provider: Provider;
  /** The lookups' plan for the items that were UNKNOWN when the request answered. */
  plan: LookupPlan;
  /** Those items as they stand now: still UNKNOWN, or settled by a look (`evidence` TARGET_LOOKUP). */
  items: CopyItemResult[];
  /** The upstream task reference (`ct1_…`) that runs the request's PENDING items, if any. */
  upstreamTask?: string;
  /** The PENDING items of that task as the request answered them. */
  pending: CopyItemResult[];
  /** Epoch ms: the items were UNKNOWN from then; looks stop at `windowEndsAt`. */
  unknownAt: number;
  windowEndsAt: number;
  /** Looks made so far, and when the next is due (epoch ms). */
  checks: number;
  nextCheckAt: number;
  /** No more looks: every item settled, or the window passed. */
  done: boolean;
}

/** Where resolution records are kept. */
export interface ResolutionStore {
  get(id: string): Promise<ResolutionRecord | undefined>;
  /** Writes the record, kept `ttlMs` from now. */
  put(record: ResolutionRecord, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A record read back from JSON: dates of its items restored. */
export function revivedRecord(raw: ResolutionRecord): ResolutionRecord {
  return {
    ...raw,
    items: raw.items.map((item) => storedItem(item as StoredItem)),
    pending: raw.pending.map((item) => storedItem(item as StoredItem)),
  };
}

/** Records in this process's memory, dropped after their time to live. */
export class MemoryResolutionStore implements ResolutionStore {
  readonly #records = new Map<string, { json: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(id: string): Promise<ResolutionRecord | undefined> {
    const found = this.#records.get(id);
    if (!found) return undefined;
    if (found.expiresAt <= this.now()) {
      this.#records.delete(id);
      return undefined;
    }
    return revivedRecord(JSON.parse(found.json) as ResolutionRecord);
  }

  async put(record: ResolutionRecord, ttlMs: number): Promise<void> {
    for (const [id, { expiresAt }] of this.#records) if (expiresAt <= this.now()) this.#records.delete(id);
    this.#records.set(record.id, { json: JSON.stringify(record), expiresAt: this.now() + ttlMs });
  }

  async close(): Promise<void> {}
}

/**
 * The task of a resolution record: its UNKNOWN items as they stand, with the PENDING items of the
 * request's upstream task (`upstream`, when it could be read; else as the request answered them).
 * Running while looks go on or the upstream task runs.
 */
export function resolutionTask(
  id: string,
  record: ResolutionRecord,
  upstream: CopyTask | null | undefined,
  checkedAt: Date,
): CopyTask {
  const pending = upstream ? upstream.items : record.pending;
  const items = [...pending, ...record.items].sort((a, b) => a.index - b.index);
  const summary = summarize(items);
  const states: CopyTaskState[] = [];
  if (!record.done || upstream?.done === false || (!upstream && record.pending.length > 0))
    states.push('RUNNING');
  for (const item of items) {
    if (item.status === 'PENDING') states.push('RUNNING');
    // An UNKNOWN item may have been copied: only a task whose every item FAILED failed as a whole.
    else if (item.status === 'UNKNOWN') states.push('PARTIALLY_FAILED');
    else states.push(item.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED');
  }
  const state = items.length === 0 ? 'SUCCEEDED' : combineTaskStates(states);
  return {
    id,
    provider: record.provider,
    state,
    done: state !== 'RUNNING',
    items,
    summary,
    ...(upstream?.entries ? { entries: upstream.entries } : {}),
    upstreamTaskIds: upstream?.upstreamTaskIds ?? [],
    checkedAt,
  };
}
