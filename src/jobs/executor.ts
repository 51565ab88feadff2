import type { BackgroundShape } from '../copy/background.js';
import type { CallContext } from '../copy/call.js';
import { GatewayError, UpstreamFailure, unknownOutcome } from '../copy/errors.js';
import { UpstreamCallBudget } from '../providers/kit/budget.js';
import { sleep } from '../providers/kit/retry.js';
import type {
  CopyErrorInfo,
  CopyItemResult,
  CopyOutcome,
  CopyTask,
  CopyTaskState,
  ItemEvidence,
  Provider,
} from '../copy/types.js';
import type { Logger } from '../copy/ports.js';
import type { CopyService } from '../copy/service.js';
import {
  chunkCount,
  chunkRange,
  jobTask,
  orphanedError,
  uniformRecord,
  type ChunkRecord,
  type ItemRecord,
  type JobSnapshot,
  type JobSpec,
} from './model.js';
import type { CallerTokens, JobStore } from './store.js';

/**
 * What a job needs from a provider: how its request splits into items (its {@link BackgroundShape}),
 * and the provider's own batch copy and task query (each chunk is sent as a batch of its own items, so
 * everything a provider does for a batch — validation, tokens, retries of throttled calls,
 * classification — applies unchanged).
 */
export interface JobProvider extends BackgroundShape {
  readonly provider: Provider;
  batchCopy(request: unknown, call: CallContext): Promise<CopyOutcome>;
  /**
   * The upstream tasks behind provider task ids (at most `tasksPerRead` of them), in order: each null
   * when the upstream no longer knows it, or an Error.
   */
  loadTasks(ids: readonly string[], call: CallContext): Promise<Array<CopyTask | null | Error>>;
}

/** Where job events are counted (Prometheus in production). */
export interface JobMetrics {
  jobStarted(provider: Provider): void;
  jobFinished(provider: Provider, state: CopyTaskState): void;
  chunkSettled(provider: Provider): void;
  /** A run ended with its turn, the job going back to the queue with work left (see {@link RunResult}). */
  jobYielded(provider: Provider): void;
}

/**
 * Looks at the targets of a chunk's UNKNOWN items in the background, never sending anything again, and
 * hands `onLook` the chunk's items after each look. False when nothing will be looked at.
 */
export type FollowUnknown = CopyService['followUnknown'];

export interface JobExecutorOptions {
  /** Upstream calls one job has in flight at most. */
  chunkConcurrency: number;
  /** How often the job reads the upstream tasks that run some of its items asynchronously. */
  followPollMs: number;
  /** Deadline of one chunk's call, its retries of throttled attempts included. */
  chunkTimeoutMs: number;
  log: Logger;
  metrics?: JobMetrics;
  /** Settles UNKNOWN items by looking at their targets; absent: they stay UNKNOWN. */
  followUnknown?: FollowUnknown;
}

/**
 * How a run ended: every item final; stopped to be resumed elsewhere (this instance stops); its turn
 * ended with work left, every outcome of its calls recorded (run it again, after the jobs waiting, to
 * go on from its records); or the job no longer exists.
 */
export type RunResult = 'finished' | 'interrupted' | 'yielded' | 'missing';

/** What every upstream call of one run of a job carries: the caller's tokens, the job's logger, its request id. */
interface RunScope {
  tokens: CallerTokens;
  /** Bound to the job's id and request id. */
  log: Logger;
  /** The id of the request that accepted the job (see {@link JobSpec.requestId}). */
  requestId?: string;
}

/** Upstream calls one chunk may make: its first attempt plus retries of refused (not run) attempts. */
const CHUNK_CALL_BUDGET = 16;

/**
 * Runs a job to the end, on whichever instance its runner picked. Safe to start again on another
 * instance after a crash: chunks still queued are sent, a chunk found `sending` (its runner died
 * between claiming it and recording its answer) is never sent again: its items become UNKNOWN.
 */
export class JobExecutor {
  constructor(
    private readonly store: JobStore,
    private readonly providers: (provider: Provider) => JobProvider | undefined,
    private readonly options: JobExecutorOptions,
  ) {}

  /**
   * Runs job `id`; `stop` aborting makes it start no new call and return `interrupted` after the calls
   * in flight. `turn` aborting asks it to give its place to other jobs: it starts no new call and
   * returns `yielded` once its calls in flight are recorded, unless nothing is left to send or follow,
   * or another instance could not resume it (the caller's tokens are in this instance's memory alone),
   * or a look at an UNKNOWN item's target began in this run (it would go on after the yield): then it
   * goes on.
   */
  async run(id: string, stop: AbortSignal, turn?: AbortSignal): Promise<RunResult> {
    const first = await this.store.get(id);
    if (!first) return 'missing';
    if (first.finishedAt) return 'finished';
    const { spec } = first;
    const provider = this.providers(spec.provider);
    // Every line of the job carries the id of the request that accepted it, as that request's do.
    const log = this.options.log.child(
      spec.requestId === undefined
        ? { job: id, provider: spec.provider.toLowerCase() }
        : { reqId: spec.requestId, job: id, provider: spec.provider.toLowerCase() },
    );
    if (!provider) {
      // Configured when the job was accepted, gone now: nothing can be sent, so nothing was.
      await this.store.stop(id, notConfigured(spec.provider), false);
      return this.#finish(id, log, spec.provider);
    }
    this.options.metrics?.jobStarted(spec.provider);
    const tokens = await this.store.tokens(id);
    const scope: RunScope = { tokens, log, requestId: spec.requestId };
    // Looks at the targets of UNKNOWN items, by chunk: the job is not done before they end.
    const looks = new Map<number, Promise<void>>();
    // Whether a look began in this run (known before it is in `looks`): it would go on after a yield.
    let looking = false;
    // Whether this run sent a chunk or read the upstream tasks: a run does some work before it yields,
    // even when reading the job took the whole turn.
    let worked = false;
    const yielding = (): boolean => turn?.aborted === true && worked && !looking;

    // Chunks claimed by a runner that is gone: their calls may have run, so they are never re-sent.
    for (const [n, state] of first.chunks) {
      if (state !== 'sending') continue;
      const { count } = chunkRange(spec, n);
      // When it was sent is not recorded: the job's acceptance is the earliest it can have been.
      const record = this.#looking(
        uniformRecord(count, 'UNKNOWN', orphanedError(spec.provider)),
        Date.parse(spec.createdAt),
      );
      if (await this.store.settle(id, n, record, 'sending')) {
        looking ||= record.looks !== undefined;
        log.warn({ chunk: n }, 'chunk was in flight on a lost instance: its items are UNKNOWN');
        this.options.metrics?.chunkSettled(spec.provider);
        looks.set(n, this.#followUnknown(id, n, spec, provider, record, scope));
      }
    }

    const queued: number[] = [];
    for (let n = 0, total = chunkCount(spec); n < total; n++) if (!first.chunks.has(n)) queued.push(n);
    let next = 0;
    let halted = false;
    // A chunk's outcome is written while the worker sends its next chunk: no later step reads it
    // before the writes are awaited below, and a crash before the write leaves the chunk `sending`.
    const settling: Promise<void>[] = [];
    const worker = async (): Promise<void> => {
      while (next < queued.length && !halted && !stop.aborted && !yielding()) {
        const n = queued[next++] as number;
        const claim = await this.store.claim(id, n);
        if (claim === 'stopped' || claim === 'missing') {
          halted = true;
          return;
        }
        if (claim === 'taken') continue;
        worked = true;
        const { offset, count } = chunkRange(spec, n);
        const sentAt = Date.now();
        const sent = await this.#send(provider, spec.request, offset, count, scope);
        const { refusal } = sent;
        const record = this.#looking(sent.record, sentAt);
        looking ||= record.looks !== undefined;
        settling.push(
          this.store.settle(id, n, record, 'sending').then(() => {
            this.options.metrics?.chunkSettled(spec.provider);
            if (record.looks) looks.set(n, this.#followUnknown(id, n, spec, provider, record, scope));
          }),
        );
        // A refused credential refuses every chunk: stop instead of sending each to hear it again.
        if (refusal) {
          await this.store.stop(id, refusal, false);
          halted = true;
        }
      }
    };
    const left = () => next < queued.length && !halted && !stop.aborted;
    // The workers stop when the turn ends; a look that began meanwhile keeps the job here: send on.
    do {
      const workers = Array.from({ length: Math.max(1, this.options.chunkConcurrency) }, worker);
      const sent = await Promise.allSettled(workers);
      await Promise.all(settling);
      for (const result of sent) if (result.status === 'rejected') throw result.reason;
    } while (left() && !yielding());
    if (stop.aborted) return 'interrupted';
    if (left()) return this.#yielded(log, spec.provider);

    // Items the upstream runs as tasks of its own: follow them until each is final.
    for (;;) {
      const snapshot = await this.store.get(id);
      if (!snapshot) return 'missing';
      const open = [...snapshot.records].filter(
        ([, record]) => record.upstreamTask && record.items.some((item) => item.status === 'PENDING'),
      );
      if (open.length === 0) break;
      // As many tasks per read as the upstream's task query takes at once (SMH: a list of ids).
      const perRead = Math.max(1, provider.tasksPerRead ?? 1);
      for (let at = 0; at < open.length; at += perRead) {
        if (stop.aborted) return 'interrupted';
        const batch = open.slice(at, at + perRead);
        const tasks = await this.#read(provider, batch, scope);
        for (const [k, [n, record]] of batch.entries()) {
          const followed = this.#follow(provider, record, tasks[k] ?? null);
          if (!followed) continue;
          // The task ended: the chunk's UNKNOWN items (those it left UNKNOWN included) are looked at now,
          // marked in the same write, so no reader sees the job done before the looks end.
          const ended = !record.looks && !followed.items.some((item) => item.status === 'PENDING');
          const updated = ended
            ? this.#looking(followed, record.sentAt ?? Date.parse(spec.createdAt))
            : followed;
          looking ||= updated.looks !== undefined && !record.looks;
          await this.store.update(id, n, updated);
          if (updated.looks && !record.looks)
            looks.set(n, this.#followUnknown(id, n, spec, provider, updated, scope));
        }
      }
      if (!(await this.#stillOpen(id))) break;
      worked = true;
      if (yielding()) return this.#yielded(log, spec.provider);
      try {
        await sleep(this.options.followPollMs, stop);
      } catch {
        return 'interrupted';
      }
    }

    // Looks begun by a runner that is gone go on here, in the window they began.
    const last = await this.store.get(id);
    if (!last) return 'missing';
    for (const [n, record] of last.records) {
      if (looks.has(n) || !record.looks || record.looks.ended) continue;
      looks.set(n, this.#followUnknown(id, n, spec, provider, record, scope));
    }
    // Until every look ended, or this instance stops (the job is then resumed, looks included).
    await new Promise<void>((resolve) => {
      const end = () => {
        stop.removeEventListener('abort', end);
        resolve();
      };
      stop.addEventListener('abort', end, { once: true });
      void Promise.all(looks.values()).then(end);
    });
    if (stop.aborted) return 'interrupted';
    return this.#finish(id, log, spec.provider);
  }

  /**
   * The chunk's record, saying that looks at the targets of its UNKNOWN items begin now (written with
   * the chunk's outcome, so no reader sees the job done in between); unchanged when none is UNKNOWN
   * or nothing looks at targets. A chunk whose upstream task still runs items keeps `sentAt` instead:
   * its looks begin when the task ends, one look for every item the chunk leaves UNKNOWN (the send's
   * and the task's alike).
   */
  #looking(record: ChunkRecord, sentAt: number): ChunkRecord {
    if (record.upstreamTask && record.items.some((item) => item.status === 'PENDING'))
      return { ...record, sentAt };
    if (!this.options.followUnknown || !record.items.some((item) => item.status === 'UNKNOWN')) return record;
    return { ...record, looks: { sentAt, since: Date.now(), ended: false } };
  }

  /**
   * Has the targets of chunk `n`'s UNKNOWN items looked at, in the window that began at
   * `record.looks.since`, and records in the chunk's record each item a look settles (or its
   * `checkedAt`), then that the looks ended; items that are no longer UNKNOWN are left as they are.
   * Settled when the looks end (at once when nothing is looked at); never rejected.
   */
  async #followUnknown(
    id: string,
    n: number,
    spec: Pick<JobSpec, 'request' | 'itemCount' | 'chunkSize'>,
    provider: JobProvider,
    record: ChunkRecord,
    scope: RunScope,
  ): Promise<void> {
    const follow = this.options.followUnknown;
    if (!follow || !record.looks) return;
    const { sentAt, since } = record.looks;
    const { offset, count } = chunkRange(spec, n);
    const chunk = provider.slice(spec.request, offset, offset + count);
    const requested = provider.describe(chunk);
    const items = record.items.map((item, index): CopyItemResult => ({
      index,
      source: requested[index]?.source ?? '',
      target: requested[index]?.target,
      status: item.status,
      result: item.result,
      renamed: item.renamed ?? false,
      error: item.error,
      evidence: item.evidence ?? 'NONE',
    }));
    const outcome: CopyOutcome = { kind: 'partiallyFailed', provider: provider.provider, items };
    // Called after each look, one at a time (the resolver awaits it), and once more when none is made.
    const write = async (looked: CopyItemResult[], ended: boolean): Promise<void> => {
      // This chunk's record alone: a job of many chunks is not read whole for each look.
      const current = await this.store.record(id, n);
      if (!current) return;
      const byIndex = new Map(looked.map((item) => [item.index, item]));
      const next = current.items.map((item, k): ItemRecord => {
        const found = byIndex.get(k);
        return item.status !== 'UNKNOWN' || !found ? item : itemRecord(found);
      });
      const updated: ChunkRecord = { ...current, items: next, looks: { sentAt, since, ended } };
      if (JSON.stringify(updated) !== JSON.stringify(current)) await this.store.update(id, n, updated);
    };
    const following = follow(
      provider.provider,
      chunk,
      outcome,
      sentAt,
      () => this.#call(scope),
      write,
      since,
    );
    if (!following) {
      // Nothing will be looked at (no lookups for this provider, or resolution off): the looks ended.
      await write([], true).catch((error: unknown) =>
        scope.log.warn({ err: error, chunk: n }, 'recording that the looks ended failed'),
      );
      return;
    }
    scope.log.info({ chunk: n }, "looking at the targets of the chunk's UNKNOWN items");
    await following;
  }

  #yielded(log: Logger, provider: Provider): RunResult {
    log.debug('turn ended: the job goes back to the queue');
    this.options.metrics?.jobYielded(provider);
    return 'yielded';
  }

  async #stillOpen(id: string): Promise<boolean> {
    const snapshot = await this.store.get(id);
    return (
      snapshot !== undefined &&
      [...snapshot.records.values()].some(
        (r) => r.upstreamTask && r.items.some((i) => i.status === 'PENDING'),
      )
    );
  }

  async #finish(id: string, log: Logger, provider: Provider): Promise<RunResult> {
    await this.store.finish(id);
    const snapshot = await this.store.get(id);
    if (snapshot) {
      const task = jobTask(snapshot, []);
      log.info({ state: task.state, summary: task.summary }, 'copy job finished');
      this.options.metrics?.jobFinished(provider, task.state);
    }
    return 'finished';
  }

  /**
   * A call context for one upstream call of the job (and the retries of its refused attempts), on
   * behalf of the request that accepted the job: its request id goes upstream as `x-request-id`.
   */
  #call(scope: RunScope): CallContext {
    return {
      log: scope.log,
      requestId: scope.requestId,
      signal: AbortSignal.timeout(this.options.chunkTimeoutMs),
      budget: new UpstreamCallBudget(CHUNK_CALL_BUDGET),
      callerTokens: scope.tokens,
    };
  }

  /** Sends one chunk as a batch of its own and records what became of each item. */
  async #send(
    provider: JobProvider,
    request: unknown,
    offset: number,
    count: number,
    scope: RunScope,
  ): Promise<{ record: ChunkRecord; refusal?: CopyErrorInfo }> {
    let outcome: CopyOutcome;
    try {
      outcome = await provider.batchCopy(provider.slice(request, offset, offset + count), this.#call(scope));
    } catch (error) {
      if (error instanceof UpstreamFailure) {
        const status = error.execution === 'unknown' ? 'UNKNOWN' : 'FAILED';
        return { record: uniformRecord(count, status, error.error) };
      }
      if (error instanceof GatewayError) {
        // Thrown before anything was sent: bad input, no credential, or a refused one.
        const invalid = error.code === 'BAD_USER_INPUT' || error.code === 'INVALID_ARGUMENT';
        const info: CopyErrorInfo = {
          code: error.code === 'BAD_USER_INPUT' ? 'INVALID_ARGUMENT' : error.code,
          message: error.message,
          retryable: !invalid,
          upstream: { provider: provider.provider },
        };
        const refusal = error.code === 'UNAUTHENTICATED' ? info : undefined;
        return { record: uniformRecord(count, 'FAILED', info), refusal };
      }
      scope.log.error({ err: error }, 'chunk failed unexpectedly');
      return {
        record: uniformRecord(count, 'UNKNOWN', {
          code: 'UPSTREAM_ERROR',
          message: unknownOutcome('The gateway failed while sending this item'),
          retryable: false,
          upstream: { provider: provider.provider },
        }),
      };
    }
    const items: ItemRecord[] = uniformRecord(count, 'UNKNOWN', {
      code: 'UPSTREAM_PROTOCOL_ERROR',
      message: unknownOutcome('The upstream answer did not cover this item'),
      retryable: false,
      upstream: { provider: provider.provider },
    }).items;
    for (const item of outcome.items) {
      if (item.index >= 0 && item.index < count) items[item.index] = itemRecord(item);
    }
    const record: ChunkRecord = { items };
    if (outcome.kind === 'accepted') {
      record.upstreamTask = outcome.task.id;
      record.upstreamTaskIds = outcome.task.upstreamTaskIds;
    }
    return { record };
  }

  /**
   * Reads the upstream tasks of chunks `batch` in one read (one call context): each task, null when the
   * upstream no longer knows it, or an Error (logged; read again on the next round).
   */
  async #read(
    provider: JobProvider,
    batch: ReadonlyArray<[number, ChunkRecord]>,
    scope: RunScope,
  ): Promise<Array<CopyTask | null | Error>> {
    const ids = batch.map(([, record]) => record.upstreamTask as string);
    const tasks = await provider
      .loadTasks(ids, this.#call(scope))
      .catch((e: unknown) => ids.map(() => (e instanceof Error ? e : new Error(String(e)))));
    const failed = tasks.find((task) => task instanceof Error);
    if (failed) scope.log.warn({ err: failed }, 'reading upstream tasks failed; trying again later');
    return tasks;
  }

  /** A chunk's record with the finished items of its upstream `task`, or undefined if nothing changed. */
  #follow(
    provider: JobProvider,
    record: ChunkRecord,
    task: CopyTask | null | Error,
  ): ChunkRecord | undefined {
    if (task instanceof Error) return undefined;
    const byIndex = new Map((task?.items ?? []).map((item) => [item.index, item]));
    let changed = false;
    const items = record.items.map((item, k): ItemRecord => {
      if (item.status !== 'PENDING') return item;
      const found = byIndex.get(k);
      if (found && found.status !== 'PENDING') {
        changed = true;
        return itemRecord(found);
      }
      if (task === null || task.done) {
        // The upstream forgot the task, or finished it without a word on this item.
        changed = true;
        return {
          status: 'UNKNOWN',
          evidence: 'NONE',
          error: {
            code: 'UPSTREAM_PROTOCOL_ERROR',
            message: unknownOutcome(
              task === null
                ? 'The upstream no longer knows the task that ran this item'
                : 'The upstream task finished without a result for this item',
            ),
            retryable: false,
            upstream: { provider: provider.provider },
          },
        };
      }
      return item;
    });
    return changed ? { ...record, items } : undefined;
  }
}

function itemRecord(item: {
  status: ItemRecord['status'];
  result?: string;
  renamed: boolean;
  error?: CopyErrorInfo;
  evidence: ItemEvidence;
  checkedAt?: Date;
}): ItemRecord {
  const record: ItemRecord = { status: item.status, evidence: item.evidence };
  if (item.result !== undefined) record.result = item.result;
  if (item.renamed) record.renamed = true;
  if (item.error) record.error = item.error;
  if (item.checkedAt) record.checkedAt = item.checkedAt.toISOString();
  return record;
}

function notConfigured(provider: Provider): CopyErrorInfo {
  return {
    code: 'UNSUPPORTED',
    message: `Provider ${provider} is not configured on the gateway instance that ran this task; nothing was sent.`,
    retryable: true,
    upstream: { provider },
  };
}

export type { JobSnapshot };
