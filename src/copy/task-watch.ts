import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from './errors.js';
import type { CopyTask } from './types.js';

/** One reading of a task: the task, or why it could not be read (which ends every watch of it). */
type Reading = CopyTask | Error;

interface Published {
  value: Reading;
  /** Increases with every publication; a subscriber remembers the last one it gave out. */
  seq: number;
  /** Nothing follows: the task is done, or it could not be read. */
  final: boolean;
}

/**
 * Polls one task for every subscriber that follows it in this process: a reading when the first
 * subscriber arrives, then one every `pollMs`, published to all of them when the task's state or
 * counts change. It stops when the task is done, a read fails, or the last subscriber leaves.
 */
class SharedPoller {
  readonly subscribers = new Set<object>();
  readonly #stop = new AbortController();
  #latest: Published | undefined;
  #seen = '';
  #wake: { promise: Promise<void>; resolve: () => void } = SharedPoller.#signal();

  constructor(
    private readonly load: () => Promise<CopyTask | null | Error>,
    private readonly pollMs: number,
    private readonly onEnd: () => void,
  ) {}

  static #signal(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  get latest(): Published | undefined {
    return this.#latest;
  }

  /** Resolves at the next publication (or when the poller stops). */
  get changed(): Promise<void> {
    return this.#wake.promise;
  }

  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  async run(): Promise<void> {
    try {
      while (!this.#stop.signal.aborted) {
        const reading = await this.load().catch((error: unknown) =>
          error instanceof Error ? error : new Error(String(error)),
        );
        if (this.#stop.signal.aborted) break;
        const value =
          reading ??
          new GatewayError('The upstream no longer knows this task.', 'NOT_FOUND', { field: 'id' });
        const final = value instanceof Error || value.done;
        // Upstream sub-entry counts move while the items stay PENDING: they count as a change too.
        const seen =
          value instanceof Error
            ? 'error'
            : JSON.stringify([value.state, value.summary, value.entries, value.items.map((i) => i.status)]);
        if (seen !== this.#seen || final) {
          this.#seen = seen;
          this.#publish({ value, seq: (this.#latest?.seq ?? 0) + 1, final });
        }
        if (final) break;
        await sleep(this.pollMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
      }
    } finally {
      this.stop();
    }
  }

  #publish(published: Published): void {
    this.#latest = published;
    const wake = this.#wake;
    this.#wake = SharedPoller.#signal();
    wake.resolve();
  }

  stop(): void {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    this.onEnd();
    this.#wake.resolve();
  }
}

/**
 * Follows tasks for subscriptions with one poller per task (and per credential scope) in this
 * process, however many subscribers follow it: upstream reads grow with the number of distinct
 * tasks followed, not with the number of subscribers. Each subscriber gets the latest reading at
 * once, then every change, until the task is done, a read fails (given as an Error, which ends the
 * watch), its own `maxMs` passes or it leaves.
 */
export class TaskWatchHub {
  readonly #pollers = new Map<string, SharedPoller>();

  constructor(private readonly pollMs: number) {}

  /** Pollers running now (one per distinct task and scope followed). */
  get pollers(): number {
    return this.#pollers.size;
  }

  /**
   * Follows the task under `key` (the task id and whose credentials read it). `load` reads it once
   * with a fresh call context; it is called by the poller the first subscriber started.
   */
  watch(
    key: string,
    load: () => Promise<CopyTask | null | Error>,
    maxMs: number,
  ): AsyncIterableIterator<Reading> {
    let poller = this.#pollers.get(key);
    if (!poller || poller.stopped) {
      const started = new SharedPoller(load, this.pollMs, () => {
        if (this.#pollers.get(key) === started) this.#pollers.delete(key);
      });
      this.#pollers.set(key, started);
      void started.run();
      poller = started;
    }
    const shared = poller;
    const me = {};
    shared.subscribers.add(me);
    const until = Date.now() + maxMs;
    const timeUp = new AbortController();
    const timer = setTimeout(() => timeUp.abort(), maxMs);
    timer.unref();
    let given = 0;
    let ended = false;
    const end = (): IteratorResult<Reading> => {
      if (!ended) {
        ended = true;
        clearTimeout(timer);
        timeUp.abort();
        shared.subscribers.delete(me);
        if (shared.subscribers.size === 0) shared.stop();
      }
      return { value: undefined, done: true };
    };
    const timedOut = new Promise<void>((resolve) => timeUp.signal.addEventListener('abort', () => resolve()));
    return {
      next: async () => {
        for (;;) {
          if (ended) return end();
          const latest = shared.latest;
          if (latest && latest.seq > given) {
            given = latest.seq;
            if (latest.final) {
              // The last reading: give it, then end this watch on the next call.
              ended = true;
              shared.subscribers.delete(me);
              clearTimeout(timer);
              if (shared.subscribers.size === 0) shared.stop();
            }
            return { value: latest.value, done: false };
          }
          if (shared.stopped || Date.now() >= until) return end();
          await Promise.race([shared.changed, timedOut]);
        }
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
}
