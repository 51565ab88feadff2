import { ProgressRefused, type ProgressEvent, type RunProgress } from '../copy/progress.js';
import type { CopyItemResult } from '../copy/types.js';
import type { Logger } from '../copy/ports.js';
import type { Claim, Hold, IdempotencyStore } from './store.js';

/** Most entries one store write carries (Redis scripts take their arguments on the Lua stack). */
const MAX_ENTRIES_PER_WRITE = 500;

interface Batch {
  entries: string[];
  done: Promise<void>;
}

/**
 * The run that holds an idempotency key's claim. It renews its lease every third of the lease while
 * it runs, and writes its progress to the store in order: a `sending` entry must be stored before
 * its items go upstream, `settled` entries are written behind them without holding the run up.
 * Entries that arrive while a write is in flight go together in the next write. When the store lost
 * the record (a Redis restart without persistence), the run writes it back from what it knows; when
 * another instance took the key over (this run's lease had run out), nothing more may be sent.
 */
export class OwnedRun implements RunProgress {
  /** Entries the store holds, for writing the record back if the store loses it. */
  readonly #stored: string[] = [];
  readonly #events: ProgressEvent[] = [];
  #next: Batch | undefined;
  #tail: Promise<void> = Promise.resolve();
  #lost: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly key: string,
    private readonly claim: Claim,
    private readonly log?: Logger,
  ) {}

  /** Starts renewing the lease. */
  start(): this {
    this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(this.claim.leaseMs / 3)));
    this.#timer.unref();
    return this;
  }

  /** Stops renewing the lease and waits for the progress already reported to be written. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tail.catch(() => undefined);
  }

  /** Everything reported, in order. */
  get events(): readonly ProgressEvent[] {
    return this.#events;
  }

  /** Why this run may send nothing more, if it may not. */
  get lost(): string | undefined {
    return this.#lost;
  }

  sending(indexes: readonly number[]): Promise<void> {
    if (this.#lost) return Promise.reject(new ProgressRefused(this.#lost));
    this.#events.push({ sending: [...indexes] });
    return this.#enqueue(JSON.stringify({ sending: indexes }));
  }

  settled(items: readonly CopyItemResult[]): void {
    this.#events.push({ settled: [...items] });
    if (this.#lost) return;
    this.#enqueue(JSON.stringify({ settled: items })).catch(() => undefined);
  }

  #enqueue(entry: string): Promise<void> {
    if (!this.#next || this.#next.entries.length >= MAX_ENTRIES_PER_WRITE) {
      const batch: Batch = { entries: [], done: Promise.resolve() };
      batch.done = this.#tail
        .catch(() => undefined)
        .then(() => {
          if (this.#next === batch) this.#next = undefined;
          return this.#write(batch.entries);
        });
      this.#next = batch;
      this.#tail = batch.done;
    }
    this.#next.entries.push(entry);
    return this.#next.done;
  }

  async #write(entries: string[]): Promise<void> {
    if (this.#lost) throw new ProgressRefused(this.#lost);
    let hold: Hold;
    try {
      hold = await this.store.append(this.key, this.claim.owner, this.claim.leaseMs, entries);
      if (hold === 'absent') hold = await this.#restore(entries);
    } catch (error) {
      this.log?.warn({ err: error }, 'idempotency store did not take a progress entry');
      // Nothing more is sent: each later write would wait for the store's timeout again.
      this.#lost ??=
        'The idempotency store did not answer, so the gateway could not record what it sends; the rest was not sent. Retry later.';
      throw new ProgressRefused(this.#lost);
    }
    if (hold !== 'held') {
      this.#lose();
      throw new ProgressRefused(this.#lost as string);
    }
    this.#stored.push(...entries);
  }

  async #renew(): Promise<void> {
    if (this.#lost) return;
    try {
      let hold = await this.store.renew(this.key, this.claim.owner, this.claim.leaseMs);
      if (hold === 'absent') hold = await this.#restore([]);
      if (hold === 'lost') this.#lose();
    } catch (error) {
      // The next renewal or progress write tries again; a lease that runs out meanwhile makes the
      // next progress write fail, so nothing is sent that the store has not recorded.
      this.log?.warn({ err: error }, 'idempotency lease renewal failed');
    }
  }

  async #restore(entries: readonly string[]): Promise<Hold> {
    const restored = await this.store.restore(this.key, this.claim, [...this.#stored, ...entries]);
    this.log?.error(
      { restored },
      'the idempotency store lost the record of a running request (a Redis restart without persistence?)',
    );
    return restored ? 'held' : 'lost';
  }

  #lose(): void {
    this.#lost ??=
      'This run lost its idempotency claim to a retry (the gateway seemed gone for longer than its lease); the rest was not sent.';
  }
}
