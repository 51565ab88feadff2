import type { BackgroundCaller, BackgroundJobs } from '../copy/background.js';
import { GatewayError } from '../copy/errors.js';
import { taskNotFound } from '../copy/task-id-seal.js';
import type { CopyTask, Provider } from '../copy/types.js';
import type { JobProvider } from './executor.js';
import { newJobTaskId, retryJobTaskId } from './job-id.js';
import {
  cancelledError,
  chunkCount,
  jobTask,
  retryablePositions,
  type JobSnapshot,
  type JobSpec,
  type RequestedItem,
} from './model.js';
import type { JobCounts, JobRunner } from './runner.js';
import type { JobStore } from './store.js';

export interface CopyJobsOptions {
  /** How long a job's records are kept after it was accepted, in seconds. */
  retentionSeconds: number;
  /** Fallback re-read interval of a watch, in case a change notice was missed. */
  watchPollMs: number;
  /**
   * How long `cancel` waits at most for the job's calls in flight to be recorded, in milliseconds
   * (default {@link DEFAULT_CANCEL_WAIT_MS}; 0: answers at once).
   */
  cancelWaitMs?: number;
  now?: () => number;
}

/** How long `cancel` waits for calls in flight by default: a chunk's call usually answers well within it. */
export const DEFAULT_CANCEL_WAIT_MS = 5_000;

/** Who asks (see {@link BackgroundCaller}). */
export type JobCaller = BackgroundCaller;

/** Accepting, reading, cancelling, retrying and watching background copy jobs. */
export class CopyJobs implements BackgroundJobs {
  readonly #now: () => number;
  readonly #described = new WeakMap<JobSpec, readonly RequestedItem[]>();

  constructor(
    private readonly store: JobStore,
    private readonly runner: JobRunner,
    private readonly providers: (provider: Provider) => JobProvider | undefined,
    private readonly options: CopyJobsOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  #provider(provider: Provider): JobProvider {
    const found = this.providers(provider);
    if (!found) {
      throw new GatewayError(`Provider ${provider} is not configured on this gateway.`, 'UNSUPPORTED', {
        provider,
      });
    }
    return found;
  }

  /**
   * Records a job and schedules it; the answer lists every item PENDING and does not wait for any
   * upstream call. `request` must already be validated.
   */
  async submit(provider: Provider, request: unknown, who: JobCaller): Promise<CopyTask> {
    const id = newJobTaskId();
    return (await this.#create(id, provider, request, who)) ?? (await this.#existing(id, who));
  }

  /**
   * Records job `id` and schedules it; undefined (nothing recorded or scheduled) when it exists. A retry
   * job names the job it retries and its items' positions in the first request (see {@link JobSpec}).
   */
  async #create(
    id: string,
    provider: Provider,
    request: unknown,
    who: JobCaller,
    retry?: { of: string; indices: number[] },
  ): Promise<CopyTask | undefined> {
    const shape = this.#provider(provider);
    const requested = shape.describe(request);
    const now = this.#now();
    const spec: JobSpec = {
      id,
      provider,
      request,
      itemCount: requested.length,
      chunkSize: shape.chunkSize,
      caller: who.owner(provider),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.options.retentionSeconds * 1000).toISOString(),
    };
    if (retry) {
      spec.retryOf = retry.of;
      spec.indices = retry.indices;
    }
    if (who.requestId !== undefined) spec.requestId = who.requestId;
    if (!(await this.store.create(spec, { [provider]: who.tokens[provider] }))) return undefined;
    this.#described.set(spec, requested);
    await this.runner.enqueue(spec.id);
    return jobTask(
      { spec, cancelled: false, chunks: new Map(), records: new Map() },
      requested,
      new Date(now),
    );
  }

  /** The task of job `id`, which exists (another call created it). */
  async #existing(id: string, who: JobCaller): Promise<CopyTask> {
    const task = await this.task(id, who);
    if (!task) throw taskNotFound();
    return task;
  }

  async #snapshot(id: string, who: JobCaller): Promise<JobSnapshot | undefined> {
    const snapshot = await this.store.get(id);
    // Another key's job reads as missing: its existence is not the caller's business.
    if (
      !snapshot ||
      (snapshot.spec.caller !== undefined && snapshot.spec.caller !== who.owner(snapshot.spec.provider))
    )
      return undefined;
    return snapshot;
  }

  #task(snapshot: JobSnapshot): CopyTask {
    return jobTask(snapshot, this.#requested(snapshot.spec), new Date(this.#now()));
  }

  /** The items a job's request names, read once per spec (stores keep a job's spec object). */
  #requested(spec: JobSpec): readonly RequestedItem[] {
    let requested = this.#described.get(spec);
    if (!requested) {
      requested = this.providers(spec.provider)?.describe(spec.request) ?? [];
      this.#described.set(spec, requested);
    }
    return requested;
  }

  /** The job's task, or null when it does not exist (any more) for this caller. */
  async task(id: string, who: JobCaller): Promise<CopyTask | null> {
    const snapshot = await this.#snapshot(id, who);
    return snapshot ? this.#task(snapshot) : null;
  }

  /**
   * Cancels the job: once this returns, no new upstream call starts for it. Items not yet sent read as
   * FAILED with CANCELLED (retryable); calls in flight finish and are recorded. Waits for them (and for
   * anything else that keeps the job from being done) at most `cancelWaitMs`, and at most half of what
   * is left of `who.deadline`, wherever the job runs: the task answered is final (`done`) when they
   * finished in time, else RUNNING (and final later). A finished job stays as it is.
   */
  async cancel(id: string, who: JobCaller): Promise<CopyTask | null> {
    const snapshot = await this.#snapshot(id, who);
    if (!snapshot) return null;
    const now = this.#task(snapshot);
    if (snapshot.finishedAt || now.done) return now;
    await this.store.stop(id, cancelledError(snapshot.spec.provider), true);
    const left = who.deadline === undefined ? Infinity : (who.deadline - this.#now()) / 2;
    const waitMs = Math.max(0, Math.min(this.options.cancelWaitMs ?? DEFAULT_CANCEL_WAIT_MS, left));
    let last: CopyTask | null = null;
    // The watch reads the job now, then on each change any instance publishes, until it is done.
    for await (const task of this.watch(id, who, waitMs)) {
      if (task instanceof Error) throw task;
      last = task;
      if (task.done) break;
    }
    return last;
  }

  /**
   * A new job, linked by `retryOf`, for the items of a finished job that FAILED with retryable: true.
   * UNKNOWN items are never sent again (they may have been copied). A job is retried at most once: its
   * retry job's id is derived from its id and created only if absent (atomically, in the store), so a
   * later or concurrent call, on any instance, answers that same retry job in its current state.
   * `admit` checks the retry's request before it is recorded (a missing credential refuses it).
   */
  async retry(
    id: string,
    who: JobCaller,
    admit?: (provider: Provider, request: unknown) => Promise<void>,
  ): Promise<CopyTask | null> {
    const snapshot = await this.#snapshot(id, who);
    if (!snapshot) return null;
    const earlier = await this.task(retryJobTaskId(id), who);
    if (earlier) return earlier;
    const task = this.#task(snapshot);
    if (!task.done) {
      throw new GatewayError(
        'The task is still running; retry it once it is done (or cancel it first).',
        'INVALID_ARGUMENT',
        {
          field: 'id',
        },
      );
    }
    const positions = retryablePositions(task);
    if (positions.length === 0) {
      throw new GatewayError(
        'No item of this task failed in a way that is safe to send again.',
        'INVALID_ARGUMENT',
        {
          field: 'id',
        },
      );
    }
    const { provider, request } = snapshot.spec;
    const shape = this.#provider(provider);
    const retryId = retryJobTaskId(id);
    // Each item keeps the index it had in the first request (the task's items carry it already).
    const indices = positions.map((k) => (task.items[k] as CopyTask['items'][number]).index);
    const picked = shape.pick(request, positions);
    await admit?.(provider, picked);
    const created = await this.#create(retryId, provider, picked, who, { of: id, indices });
    return created ?? (await this.#existing(retryId, who));
  }

  /**
   * Follows a job: its task now, then after every change (from whichever instance runs it), until it
   * is done or `maxMs` passes. Changes arrive as notices from the store; between notices the job is
   * re-read every `watchPollMs` in case one was missed.
   */
  watch(id: string, who: JobCaller, maxMs: number): AsyncIterableIterator<CopyTask | Error> {
    const stop = new AbortController();
    const until = this.#now() + maxMs;
    let wake: (() => void) | undefined;
    let dirty = true;
    const unsubscribe = this.store.subscribe(id, () => {
      dirty = true;
      wake?.();
    });
    let last = '';
    const end = (): IteratorResult<CopyTask | Error> => {
      stop.abort();
      unsubscribe();
      wake?.();
      return { value: undefined, done: true };
    };
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
        stop.signal.addEventListener('abort', done, { once: true });
      });
    return {
      next: async () => {
        while (!stop.signal.aborted) {
          if (!dirty) {
            const left = until - this.#now();
            if (left <= 0) return end();
            await pause(Math.min(this.options.watchPollMs, left));
            if (stop.signal.aborted) break;
          }
          dirty = false;
          const snapshot = await this.#snapshot(id, who).catch((error: Error) => error);
          if (snapshot instanceof Error || !snapshot) {
            end();
            return {
              value:
                snapshot ??
                new GatewayError('No such task (it may have expired).', 'NOT_FOUND', { field: 'id' }),
              done: false,
            };
          }
          const task = this.#task(snapshot);
          const seen = `${task.state}:${task.progress?.completed}:${JSON.stringify(task.summary)}`;
          if (task.done) stop.abort();
          if (seen !== last) {
            last = seen;
            if (task.done) unsubscribe();
            return { value: task, done: false };
          }
          // Notices come per chunk: read at most a few times a second.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return end();
      },
      return: async () => end(),
      throw: async (error: unknown) => {
        end();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Upstream calls a job of `items` items makes (one per chunk). */
  static calls(items: number, chunkSize: number): number {
    return chunkCount({ itemCount: items, chunkSize });
  }

  /** Jobs waiting and running (see {@link JobRunner.counts}). */
  counts(): Promise<JobCounts> {
    return this.runner.counts();
  }

  async close(): Promise<void> {
    await this.runner.close();
    await this.store.close();
  }
}
