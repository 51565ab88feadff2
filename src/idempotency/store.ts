/**
 * Where idempotency records live: in memory for one instance, in Redis when several instances share
 * the work. A key is claimed atomically by one run (its owner), which keeps a short lease alive while
 * it works and appends its progress; the record then holds the answer every replay gets. When the
 * owner's lease runs out (its process died), another instance turns the record into the run's last
 * known state, or, when the run provably sent nothing, takes the claim over and runs it.
 */

/** A record whose run has not stored an answer. */
export interface RunningRecord {
  state: 'running';
  fingerprint: string;
  /** The run holding the claim. */
  owner: string;
  /** False once the owner stopped renewing its lease: it is gone. */
  leaseAlive: boolean;
  /** How many progress entries the run has appended. */
  progressCount: number;
}

/** A record with the answer every replay of its key gets. */
export interface DoneRecord {
  state: 'done';
  fingerprint: string;
  answer: string;
}

export type IdempotencyRecord = RunningRecord | DoneRecord;

/** What a new claim stores. */
export interface Claim {
  fingerprint: string;
  owner: string;
  /** Lifetime of the owner's lease, renewed while it runs (milliseconds). */
  leaseMs: number;
  /** Lifetime of the record itself (milliseconds): a dead run's progress outlives its lease. */
  ttlMs: number;
}

/**
 * What an owner's write found: `held` it still holds the claim (the write happened); `lost` another
 * run took the key over or stored its answer (nothing written); `absent` the record is gone (the store
 * lost it: a restart without persistence, an eviction).
 */
export type Hold = 'held' | 'lost' | 'absent';

/** Idempotency records by key: claimed atomically, completed with the answer, released, read. */
export interface IdempotencyStore {
  /** Claims `key` for a new run, or returns the record already there (and claims nothing). */
  claim(key: string, claim: Claim): Promise<IdempotencyRecord | undefined>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Extends the owner's lease. */
  renew(key: string, owner: string, leaseMs: number): Promise<Hold>;
  /** Appends progress entries (and extends the lease): only while the owner holds the claim. */
  append(key: string, owner: string, leaseMs: number, entries: readonly string[]): Promise<Hold>;
  /** Every progress entry of a running record, in order. */
  progress(key: string): Promise<string[]>;
  /** Stores the owner's answer; when the record is `absent`, stores it anyway (it is the truth). */
  complete(key: string, owner: string, fingerprint: string, answer: string, ttlMs: number): Promise<Hold>;
  /** Forgets the owner's claim whose run provably did nothing, so the caller may try again. */
  release(key: string, owner: string): Promise<void>;
  /**
   * Stores `answer` for a run whose owner is gone: only if `owner` still holds the record, its lease
   * has run out and it has exactly `progressCount` entries (nothing changed since they were read).
   */
  settle(key: string, owner: string, progressCount: number, answer: string, ttlMs: number): Promise<boolean>;
  /** Gives the claim of a gone owner that appended nothing to a new run, on the same conditions. */
  takeOver(key: string, gone: string, claim: Claim): Promise<boolean>;
  /** Writes a live run's record back after the store lost it; false if the key was claimed meanwhile. */
  restore(key: string, claim: Claim, entries: readonly string[]): Promise<boolean>;
  close(): Promise<void>;
}

interface MemoryEntry {
  record: { state: 'running'; fingerprint: string; owner: string } | DoneRecord;
  expiresAt: number;
  leaseUntil: number;
  progress: string[];
}

/**
 * Records in this process's memory. They do not survive a restart of the process and are not shared
 * with other instances. Within the process a run's owner cannot die without the records dying with
 * it, so leases only matter to the tests that drive the clock.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, MemoryEntry>();
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

  #entry(key: string): MemoryEntry | undefined {
    const entry = this.#records.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.#records.delete(key);
      return undefined;
    }
    return entry;
  }

  #view(entry: MemoryEntry): IdempotencyRecord {
    if (entry.record.state === 'done') return entry.record;
    return {
      ...entry.record,
      leaseAlive: entry.leaseUntil > this.now(),
      progressCount: entry.progress.length,
    };
  }

  #owned(key: string, owner: string): MemoryEntry | Exclude<Hold, 'held'> {
    const entry = this.#entry(key);
    if (!entry) return 'absent';
    if (entry.record.state !== 'running' || entry.record.owner !== owner) return 'lost';
    return entry;
  }

  #running(claim: Claim, progress: string[]): MemoryEntry {
    const now = this.now();
    return {
      record: { state: 'running', fingerprint: claim.fingerprint, owner: claim.owner },
      expiresAt: now + claim.ttlMs,
      leaseUntil: now + claim.leaseMs,
      progress,
    };
  }

  async claim(key: string, claim: Claim): Promise<IdempotencyRecord | undefined> {
    this.#sweep();
    const existing = this.#entry(key);
    if (existing) return this.#view(existing);
    this.#records.set(key, this.#running(claim, []));
    return undefined;
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const entry = this.#entry(key);
    return entry && this.#view(entry);
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<Hold> {
    const entry = this.#owned(key, owner);
    if (typeof entry === 'string') return entry;
    entry.leaseUntil = this.now() + leaseMs;
    return 'held';
  }

  async append(key: string, owner: string, leaseMs: number, entries: readonly string[]): Promise<Hold> {
    const entry = this.#owned(key, owner);
    if (typeof entry === 'string') return entry;
    entry.leaseUntil = this.now() + leaseMs;
    entry.progress.push(...entries);
    return 'held';
  }

  async progress(key: string): Promise<string[]> {
    return [...(this.#entry(key)?.progress ?? [])];
  }

  async complete(
    key: string,
    owner: string,
    fingerprint: string,
    answer: string,
    ttlMs: number,
  ): Promise<Hold> {
    const entry = this.#owned(key, owner);
    if (entry === 'lost') return entry;
    this.#records.set(key, {
      record: { state: 'done', fingerprint, answer },
      expiresAt: this.now() + ttlMs,
      leaseUntil: 0,
      progress: [],
    });
    return entry === 'absent' ? 'absent' : 'held';
  }

  async release(key: string, owner: string): Promise<void> {
    if (typeof this.#owned(key, owner) !== 'string') this.#records.delete(key);
  }

  #gone(key: string, owner: string, progressCount: number): MemoryEntry | undefined {
    const entry = this.#owned(key, owner);
    if (typeof entry === 'string') return undefined;
    if (entry.leaseUntil > this.now() || entry.progress.length !== progressCount) return undefined;
    return entry;
  }

  async settle(
    key: string,
    owner: string,
    progressCount: number,
    answer: string,
    ttlMs: number,
  ): Promise<boolean> {
    const entry = this.#gone(key, owner, progressCount);
    if (!entry) return false;
    this.#records.set(key, {
      record: { state: 'done', fingerprint: entry.record.fingerprint, answer },
      expiresAt: this.now() + ttlMs,
      leaseUntil: 0,
      progress: [],
    });
    return true;
  }

  async takeOver(key: string, gone: string, claim: Claim): Promise<boolean> {
    if (!this.#gone(key, gone, 0)) return false;
    this.#records.set(key, this.#running(claim, []));
    return true;
  }

  async restore(key: string, claim: Claim, entries: readonly string[]): Promise<boolean> {
    if (this.#entry(key)) return false;
    this.#records.set(key, this.#running(claim, [...entries]));
    return true;
  }

  async close(): Promise<void> {
    this.#records.clear();
  }
}
