/**
 * Where idempotency records live: in memory for one instance, in Redis when several instances share
 * the work. A record is claimed atomically (only one caller runs the request), then completed with
 * the answer that every replay gets.
 */
export type IdempotencyRecord =
  { state: 'running'; fingerprint: string } | { state: 'done'; fingerprint: string; answer: string };

/** Idempotency records by key: claimed atomically, completed with the answer, released, read. */
export interface IdempotencyStore {
  /** Claims `key` for a new run; returns the existing record instead when there is one. */
  claim(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyRecord | undefined>;
  complete(key: string, fingerprint: string, answer: string, ttlMs: number): Promise<void>;
  /** Forgets a claim whose run provably did nothing, so the caller may try again. */
  release(key: string): Promise<void>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  close(): Promise<void>;
}

/** Records of one instance, in memory, expired by `now` (Date.now unless a test gives its clock). */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, { record: IdempotencyRecord; expiresAt: number }>();
  #lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Drops expired records now and then, so keys that are never replayed do not pile up. */
  #sweep(): void {
    const now = this.now();
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [key, entry] of this.#records) if (entry.expiresAt <= now) this.#records.delete(key);
  }

  /** Records held, expired ones included until the next sweep. */
  get size(): number {
    return this.#records.size;
  }

  async claim(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyRecord | undefined> {
    this.#sweep();
    const existing = await this.get(key);
    if (existing) return existing;
    this.#records.set(key, { record: { state: 'running', fingerprint }, expiresAt: this.now() + ttlMs });
    return undefined;
  }

  async complete(key: string, fingerprint: string, answer: string, ttlMs: number): Promise<void> {
    this.#records.set(key, { record: { state: 'done', fingerprint, answer }, expiresAt: this.now() + ttlMs });
  }

  async release(key: string): Promise<void> {
    this.#records.delete(key);
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const entry = this.#records.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#records.delete(key);
      return undefined;
    }
    return entry.record;
  }

  async close(): Promise<void> {
    this.#records.clear();
  }
}
