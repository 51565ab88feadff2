import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Logger } from '../copy/ports.js';
import { turnTimer, type JobCounts, type JobRunner, type RunJob, type RunnerOptions } from './runner.js';

export interface BullMqRunnerOptions extends RunnerOptions {
  redisUrl: string;
  /** Queue name; instances sharing a queue share its jobs. */
  queueName: string;
  /** Redis key prefix of BullMQ's own keys. Default `copy-gateway:bull`. */
  prefix?: string;
  /**
   * How long a job stays locked to an instance that stopped renewing the lock (it died) before another
   * instance resumes it, in milliseconds. BullMQ renews the lock at half this while the job runs.
   */
  lockMs: number;
}

/**
 * One BullMQ job per copy task (its data is only the task id: the task's state lives in the job
 * store). A worker on every instance takes jobs from the shared queue; when an instance dies, BullMQ's
 * stalled-job check hands its jobs to another instance, whose run resumes where the store says.
 *
 * Turns: while a job runs, every `turnMs` the worker asks the queue whether any job waits (fleet-wide:
 * waiting, or delayed as a job that yielded is until a worker next takes from the queue); if one does,
 * the run ends once its calls in flight are recorded, and the job is moved to the delayed set due at
 * once. BullMQ promotes due delayed jobs to the back of the waiting list (LPUSH; workers take from the
 * other end), so the job runs again after those that waited: round robin, across instances.
 * `moveToDelayed` does not count an attempt, so turns never use up the job's retries.
 */
export class BullMqJobRunner implements JobRunner {
  readonly #queue: Queue;
  readonly #worker: Worker;
  readonly #stop = new AbortController();

  constructor(run: RunJob, options: BullMqRunnerOptions) {
    const prefix = options.prefix ?? 'copy-gateway:bull';
    const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
    this.#queue = new Queue(options.queueName, { connection, prefix });
    const report = quietErrors(options.log);
    this.#queue.on('error', (error) => report('job queue', error));
    this.#worker = new Worker(
      options.queueName,
      async (job: Job<{ id: string }>, token?: string) => {
        const turn = turnTimer(options.turnMs, () => this.#othersWaiting());
        let result;
        try {
          result = await run(job.data.id, this.#stop.signal, turn.signal);
        } finally {
          turn.done();
        }
        if (result === 'interrupted' || result === 'yielded') {
          // This instance is shutting down, or the job's turn ended: hand the rest of the job back to
          // the queue at once, behind the jobs waiting.
          await job.moveToDelayed(Date.now(), token);
          throw new DelayedError();
        }
        return result;
      },
      {
        connection,
        prefix,
        concurrency: options.concurrency,
        lockDuration: options.lockMs,
        stalledInterval: Math.max(1_000, Math.round(options.lockMs / 2)),
        // Resuming is always safe (a chunk in flight is never sent again), so a job may stall any number of times.
        maxStalledCount: 1_000_000,
        removeOnComplete: { count: 1_000 },
        removeOnFail: { count: 1_000 },
      },
    );
    this.#worker.on('error', (error) => report('job worker', error));
    this.#worker.on('failed', (job, error) =>
      options.log.error({ err: error, job: job?.data.id }, 'copy job failed'),
    );
  }

  async enqueue(id: string): Promise<void> {
    // The task id is the BullMQ job id, so a second enqueue of one task adds nothing.
    await this.#queue.add(
      'copy',
      { id },
      { jobId: id, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } },
    );
  }

  /** Whether a job waits for a worker anywhere (one that yielded is delayed until it is promoted). */
  async #othersWaiting(): Promise<boolean> {
    const counts = await this.#queue.getJobCounts('wait', 'delayed', 'prioritized');
    return (counts.wait ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0) > 0;
  }

  async counts(): Promise<JobCounts> {
    const counts = await this.#queue.getJobCounts('wait', 'delayed', 'prioritized', 'active');
    return {
      queued: (counts.wait ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      running: counts.active ?? 0,
    };
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#worker.close();
    await this.#queue.close();
  }
}

/** How often a Redis failure of the queue is logged at most while it lasts. */
const ERROR_LOG_INTERVAL_MS = 60_000;

/**
 * Logs queue and worker errors at most once a minute, by code and message only: ioredis reports a
 * refused connection every second while Redis is down, with its address in the message and stack.
 */
function quietErrors(log: Logger): (what: string, error: Error) => void {
  let last = 0;
  return (what, error) => {
    const now = Date.now();
    if (now - last < ERROR_LOG_INTERVAL_MS) return;
    last = now;
    const code = (error as NodeJS.ErrnoException).code;
    log.warn(
      { code },
      code
        ? `${what}: Redis is not reachable (${code}); jobs wait until it answers`
        : `${what} error: ${error.message}`,
    );
  };
}
