import type { Logger } from '../copy/ports.js';
import type { RunResult } from './executor.js';

/** Runs one job to its end (or until `stop` aborts); the executor's `run`. */
export type RunJob = (id: string, stop: AbortSignal) => Promise<RunResult>;

/** Jobs waiting for a runner and jobs being run, fleet-wide where the runner can see the fleet. */
export interface JobCounts {
  queued: number;
  running: number;
}

/**
 * Schedules jobs: BullMQ on Redis (any instance sharing it runs them, and resumes those of an
 * instance that died), or in this process. Both run at most `concurrency` jobs at once per instance.
 */
export interface JobRunner {
  /** Schedules job `id`; scheduling the same id twice runs it once. */
  enqueue(id: string): Promise<void>;
  counts(): Promise<JobCounts>;
  /** Starts no new job, lets running jobs finish their calls in flight, and returns. */
  close(): Promise<void>;
}

/** Jobs run by this process alone: they end with it (nothing resumes them). */
export class InProcessJobRunner implements JobRunner {
  readonly #waiting: string[] = [];
  readonly #known = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #stop = new AbortController();

  constructor(
    private readonly run: RunJob,
    private readonly options: { concurrency: number; log: Logger },
  ) {}

  async enqueue(id: string): Promise<void> {
    if (this.#stop.signal.aborted || this.#known.has(id)) return;
    this.#known.add(id);
    this.#waiting.push(id);
    this.#pump();
  }

  #pump(): void {
    while (
      this.#running.size < this.options.concurrency &&
      this.#waiting.length > 0 &&
      !this.#stop.signal.aborted
    ) {
      const id = this.#waiting.shift() as string;
      const done = this.run(id, this.#stop.signal)
        .catch((error: unknown) => this.options.log.error({ err: error, job: id }, 'copy job failed'))
        .then(() => {
          this.#running.delete(id);
          this.#known.delete(id);
          this.#pump();
        });
      this.#running.set(id, done);
    }
  }

  async counts(): Promise<JobCounts> {
    return { queued: this.#waiting.length, running: this.#running.size };
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#running.values());
  }
}
