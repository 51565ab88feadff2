import type { Logger } from '../copy/ports.js';
import type { RunResult } from './executor.js';

/**
 * Runs one job to its end (or until `stop` aborts, or `turn` aborts and the job yields its place); the
 * executor's `run`.
 */
export type RunJob = (id: string, stop: AbortSignal, turn: AbortSignal) => Promise<RunResult>;

/** Jobs waiting for a runner and jobs being run, fleet-wide where the runner can see the fleet. */
export interface JobCounts {
  queued: number;
  running: number;
}

/**
 * Schedules jobs: BullMQ on Redis (any instance sharing it runs them, and resumes those of an
 * instance that died), or in this process. Both run at most `concurrency` jobs at once per instance,
 * and take turns: a job that ran for a turn (`turnMs`) while others wait ends its run once the calls
 * it has in flight are recorded and goes back to the end of the queue; its next run goes on from its
 * records. A job alone runs on without a break.
 */
export interface JobRunner {
  /** Schedules job `id`; scheduling the same id twice runs it once. */
  enqueue(id: string): Promise<void>;
  counts(): Promise<JobCounts>;
  /** Starts no new job, lets running jobs finish their calls in flight, and returns. */
  close(): Promise<void>;
}

/** How a runner schedules jobs. */
export interface RunnerOptions {
  /** Jobs one instance runs at once. */
  concurrency: number;
  /**
   * Longest run of a job while other jobs wait, in milliseconds (the calls it has in flight then
   * finish first); 0 or absent: a job runs to its end.
   */
  turnMs?: number;
  log: Logger;
}

/**
 * Ends a job's turn: every `turnMs` it asks `othersWaiting`, and aborts the turn's signal on the first
 * yes. Stops asking once `done` is called. A failed question counts as no.
 */
export function turnTimer(
  turnMs: number | undefined,
  othersWaiting: () => boolean | Promise<boolean>,
): { signal: AbortSignal; done(): void } {
  const turn = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const arm = () => {
    if (!turnMs || ended) return;
    timer = setTimeout(() => {
      void Promise.resolve()
        .then(othersWaiting)
        .catch(() => false)
        .then((waiting) => {
          if (ended) return;
          if (waiting) turn.abort();
          else arm();
        });
    }, turnMs);
    timer.unref();
  };
  arm();
  return {
    signal: turn.signal,
    done() {
      ended = true;
      clearTimeout(timer);
    },
  };
}

/** Jobs run by this process alone: they end with it (nothing resumes them). */
export class InProcessJobRunner implements JobRunner {
  readonly #waiting: string[] = [];
  readonly #known = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #stop = new AbortController();

  constructor(
    private readonly run: RunJob,
    private readonly options: RunnerOptions,
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
      const turn = turnTimer(this.options.turnMs, () => this.#waiting.length > 0);
      const done = this.run(id, this.#stop.signal, turn.signal)
        .catch((error: unknown) => {
          this.options.log.error({ err: error, job: id }, 'copy job failed');
          return 'finished' as const;
        })
        .then((result) => {
          turn.done();
          this.#running.delete(id);
          // Its turn ended with work left: to the end of the queue, behind the jobs that waited.
          if (result === 'yielded' && !this.#stop.signal.aborted) this.#waiting.push(id);
          else this.#known.delete(id);
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
