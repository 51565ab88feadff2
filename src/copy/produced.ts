/**
 * The registry of the gateway's own recent results: the entries its SUCCEEDED items produced (their
 * `result`: an SMH path, a DingTalk dentry id), with the time the gateway learned of each. A look at a
 * target takes an entry made around the send (where time alone cannot tell it from an earlier
 * request's copy a moment before) for the item's copy only when this registry does not hold it (see
 * `madeSinceSend` in lookups.ts). Records live a short while (`ttlMs`); a failed write never fails a
 * copy, and a failed read leaves the look to proof by time alone.
 */
import { PRODUCED_MARGIN_MS } from './lookups.js';
import type { CopyItemResult, Provider } from './types.js';

/** Where a provider's results are recorded, and how long. */
export interface ProducedRegistry {
  /**
   * Records `results` of `provider` in `where` (see {@link producedWhere}) as produced now. Settled when
   * written (shared registries: so a replica that answers next knows them); never rejects.
   */
  record(provider: Provider, where: string, results: readonly string[]): Promise<void>;
  /**
   * What the registry says of each of `results` for a look at a send at `sentAt` (gateway epoch ms):
   * result → epoch ms it was recorded, or null when it was not. Undefined when it cannot answer for that
   * send (a read failed, or records of that time may be gone): the look then goes by time alone.
   */
  recorded(
    provider: Provider,
    where: string,
    results: readonly string[],
    sentAt: number,
  ): Promise<Map<string, number | null> | undefined>;
  close(): Promise<void>;
}

/**
 * Where a result lives besides the result itself, from a request, a lookup plan's scope or a task
 * reference: an SMH library (its paths repeat across libraries); '' for DingTalk, whose dentry ids are
 * unique. Results of two spaces of one library share it: a path produced in one then counts as produced
 * in the other too, which only keeps items UNKNOWN.
 */
export function producedWhere(of: unknown): string {
  const library = (of as { libraryId?: unknown } | null | undefined)?.libraryId;
  return typeof library === 'string' ? library : '';
}

/**
 * What `items` make, to record: the results of the SUCCEEDED ones, and the targets of the PENDING ones
 * (an upstream task runs them: under FAIL or OVERWRITE the target is the result it will make, known
 * before anyone reads the task; recording one that is not made only keeps other items UNKNOWN).
 */
export function madeOrMaking(items: readonly CopyItemResult[] | undefined): string[] {
  return [
    ...succeededResults(items),
    ...(items ?? []).flatMap((item) =>
      item.status === 'PENDING' && typeof item.target === 'string' && item.target !== '' ? [item.target] : [],
    ),
  ];
}

/** The results of the SUCCEEDED items among `items`. */
export function succeededResults(items: readonly CopyItemResult[] | undefined): string[] {
  return (items ?? []).flatMap((item) =>
    item.status === 'SUCCEEDED' && typeof item.result === 'string' && item.result !== '' ? [item.result] : [],
  );
}

/** Most results a process keeps in memory; the oldest go first, and looks at sends before them go by time. */
const MEMORY_LIMIT = 100_000;

/** The registry in this process's memory (no REDIS_URL): only this process's results. */
export class MemoryProducedRegistry implements ProducedRegistry {
  readonly #at = new Map<string, number>();
  /** The latest record time dropped for room (epoch ms). */
  #droppedUpTo = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly limit = MEMORY_LIMIT,
  ) {}

  async record(provider: Provider, where: string, results: readonly string[]): Promise<void> {
    const now = this.now();
    this.#expire(now);
    for (const result of results) {
      // Last recorded: an entry produced again (overwritten in place) counts from the later time.
      const key = producedKey(provider, where, result);
      this.#at.delete(key);
      this.#at.set(key, now);
    }
    while (this.#at.size > this.limit) {
      const [key, at] = this.#at.entries().next().value as [string, number];
      this.#at.delete(key);
      this.#droppedUpTo = Math.max(this.#droppedUpTo, at);
    }
  }

  async recorded(
    provider: Provider,
    where: string,
    results: readonly string[],
    sentAt: number,
  ): Promise<Map<string, number | null> | undefined> {
    const now = this.now();
    if (!covers(sentAt, now, this.ttlMs) || this.#droppedUpTo >= sentAt - PRODUCED_MARGIN_MS)
      return undefined;
    this.#expire(now);
    return new Map(results.map((r) => [r, this.#at.get(producedKey(provider, where, r)) ?? null]));
  }

  async close(): Promise<void> {
    this.#at.clear();
  }

  /** Drops records older than the ttl (the map is in record order). */
  #expire(now: number): void {
    for (const [key, at] of this.#at) {
      if (at > now - this.ttlMs) return;
      this.#at.delete(key);
    }
  }
}

/** One result's key: provider, where, result. */
export function producedKey(provider: Provider, where: string, result: string): string {
  return `${provider}\u0000${where}\u0000${result}`;
}

/**
 * Whether records kept `ttlMs` still hold every result that matters to a look now at a send at
 * `sentAt`: those recorded from {@link PRODUCED_MARGIN_MS} before the send on.
 */
export function covers(sentAt: number, now: number, ttlMs: number): boolean {
  return now - (sentAt - PRODUCED_MARGIN_MS) < ttlMs;
}
