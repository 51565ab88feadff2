import { EventEmitter } from 'node:events';
import type { CopyErrorInfo } from '../copy/types.js';
import type { ChunkRecord, JobSnapshot, JobSpec } from './model.js';

/** Upstream tokens a caller sent with a job (pass-through mode): the job calls the upstream with them. */
export type CallerTokens = Readonly<Record<string, string | undefined>>;

/** The result of claiming a chunk for sending. */
export type Claim = 'claimed' | 'taken' | 'stopped' | 'missing';

/**
 * Where jobs live: in memory for one instance, in Redis when several instances share the work. Every
 * transition is atomic in the store, so two runners can never both send one chunk: a chunk is claimed
 * (`queued → sending`) before its upstream call and settled (`sending → settled`) after it.
 */
export interface JobStore {
  /**
   * Records a new job; its records expire at `spec.expiresAt`. Atomic create-if-absent: false (and
   * nothing written) when a job with `spec.id` already exists, so of two calls with one id only one
   * creates it.
   */
  create(spec: JobSpec, tokens?: CallerTokens): Promise<boolean>;
  get(id: string): Promise<JobSnapshot | undefined>;
  /** The caller's upstream tokens kept for the job while it runs (none once it finished). */
  tokens(id: string): Promise<CallerTokens>;
  /** Claims chunk `n` for sending: only a queued chunk of a job that was not stopped can be claimed. */
  claim(id: string, n: number): Promise<Claim>;
  /**
   * Records chunk `n`'s outcome when it is in state `from` (`sending`: after its call; `queued`: it
   * was never sent). False when it was not (another runner settled it first): nothing is written.
   */
  settle(id: string, n: number, record: ChunkRecord, from: 'sending' | 'queued'): Promise<boolean>;
  /** The record of settled chunk `n` alone (not the whole job's); undefined when it has none. */
  record(id: string, n: number): Promise<ChunkRecord | undefined>;
  /** Replaces the record of settled chunk `n` (its asynchronous items finished upstream). */
  update(id: string, n: number, record: ChunkRecord): Promise<void>;
  /**
   * Stops the job: queued chunks are never claimed again and read as FAILED with `error`. The first
   * stop wins; `cancelled` marks a stop a caller asked for. False when the job does not exist.
   */
  stop(id: string, error: CopyErrorInfo, cancelled: boolean): Promise<boolean>;
  /** Marks the job finished (every item final) and forgets the caller's tokens. */
  finish(id: string): Promise<void>;
  /** Calls `listener` after every change to the job, made by any instance sharing the store. */
  subscribe(id: string, listener: () => void): () => void;
  close(): Promise<void>;
}

interface MemoryJob {
  snapshot: JobSnapshot;
  tokens?: CallerTokens;
  expiresAt: number;
}

/** Jobs of one instance, lost on restart. */
export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, MemoryJob>();
  readonly #events = new EventEmitter().setMaxListeners(0);
  #lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  #job(id: string): MemoryJob | undefined {
    const now = this.now();
    if (now - this.#lastSweep > 60_000) {
      this.#lastSweep = now;
      for (const [key, job] of this.#jobs) if (job.expiresAt <= now) this.#jobs.delete(key);
    }
    const job = this.#jobs.get(id);
    if (job && job.expiresAt <= now) {
      this.#jobs.delete(id);
      return undefined;
    }
    return job;
  }

  #changed(id: string): void {
    this.#events.emit(id);
  }

  async create(spec: JobSpec, tokens?: CallerTokens): Promise<boolean> {
    // Checked and set with no await in between: one call creates the job.
    if (this.#job(spec.id)) return false;
    this.#jobs.set(spec.id, {
      snapshot: { spec, cancelled: false, chunks: new Map(), records: new Map() },
      tokens,
      expiresAt: Date.parse(spec.expiresAt),
    });
    return true;
  }

  async get(id: string): Promise<JobSnapshot | undefined> {
    const job = this.#job(id);
    if (!job) return undefined;
    const s = job.snapshot;
    // A copy, so a reader never sees later changes half-applied.
    return { ...s, chunks: new Map(s.chunks), records: new Map(s.records) };
  }

  async tokens(id: string): Promise<CallerTokens> {
    return this.#job(id)?.tokens ?? {};
  }

  async claim(id: string, n: number): Promise<Claim> {
    const job = this.#job(id);
    if (!job) return 'missing';
    if (job.snapshot.stopped) return 'stopped';
    if (job.snapshot.chunks.has(n)) return 'taken';
    job.snapshot.chunks.set(n, 'sending');
    this.#changed(id);
    return 'claimed';
  }

  async settle(id: string, n: number, record: ChunkRecord, from: 'sending' | 'queued'): Promise<boolean> {
    const job = this.#job(id);
    if (!job) return false;
    const state = job.snapshot.chunks.get(n) ?? 'queued';
    if (state !== from) return false;
    job.snapshot.chunks.set(n, 'settled');
    job.snapshot.records.set(n, record);
    this.#changed(id);
    return true;
  }

  async record(id: string, n: number): Promise<ChunkRecord | undefined> {
    return this.#job(id)?.snapshot.records.get(n);
  }

  async update(id: string, n: number, record: ChunkRecord): Promise<void> {
    const job = this.#job(id);
    if (!job || job.snapshot.chunks.get(n) !== 'settled') return;
    job.snapshot.records.set(n, record);
    this.#changed(id);
  }

  async stop(id: string, error: CopyErrorInfo, cancelled: boolean): Promise<boolean> {
    const job = this.#job(id);
    if (!job) return false;
    if (!job.snapshot.stopped) {
      job.snapshot.stopped = error;
      job.snapshot.cancelled = cancelled;
      this.#changed(id);
    }
    return true;
  }

  async finish(id: string): Promise<void> {
    const job = this.#job(id);
    if (!job) return;
    job.snapshot.finishedAt = new Date(this.now());
    job.tokens = undefined;
    this.#changed(id);
  }

  subscribe(id: string, listener: () => void): () => void {
    this.#events.on(id, listener);
    return () => this.#events.off(id, listener);
  }

  async close(): Promise<void> {
    this.#jobs.clear();
    this.#events.removeAllListeners();
  }
}
