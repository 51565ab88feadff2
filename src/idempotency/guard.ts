import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GatewayError } from '../copy/errors.js';
import type { IdempotencyPort, IdempotencyScope, KeyedWork, Logger } from '../copy/ports.js';
import type { ProgressEvent } from '../copy/progress.js';
import type { CopyItemResult, CopyOutcome } from '../copy/types.js';
import { OwnedRun } from './owned-run.js';
import type { Claim, IdempotencyRecord, IdempotencyStore } from './store.js';
import { storedItem } from '../copy/evidence.js';
import { waitLimit } from '../copy/wait.js';

/** How long idempotency records live and how long a replay waits, in milliseconds. */
export interface IdempotencyOptions {
  /** How long a finished answer is replayed (milliseconds). */
  ttlMs: number;
  /**
   * How long a run's claim outlives its last renewal (milliseconds): a gateway that dies mid-run is
   * noticed this long after its last heartbeat.
   */
  leaseMs: number;
  /** How long a replay waits for a run still in progress before answering IDEMPOTENCY_CONFLICT. */
  waitMs: number;
  log?: Logger;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** JSON with sorted keys, so the same request always has the same fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Reads a stored answer back, with its dates. */
function revive(answer: string): CopyOutcome {
  const outcome = JSON.parse(answer) as CopyOutcome;
  outcome.items = outcome.items.map(storedItem);
  if (outcome.kind === 'accepted') {
    outcome.task.checkedAt = new Date(outcome.task.checkedAt);
    outcome.task.items = outcome.task.items.map(storedItem);
  }
  return outcome;
}

const unavailable = () =>
  new GatewayError(
    'The idempotency store is unavailable; the request was not sent. Retry later.',
    'UPSTREAM_UNAVAILABLE',
    { retryable: true },
  );

/** A store call that gives up with the operation: a frozen store never holds a request past its deadline. */
function bounded<T>(call: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return call;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** Whether an item may have made a copy: anything sent whose last known state is not FAILED. */
function mayHaveCopied(events: readonly ProgressEvent[]): boolean {
  const last = new Map<number, CopyItemResult['status'] | 'SENT'>();
  for (const event of events) {
    if ('sending' in event) event.sending.forEach((index) => last.set(index, 'SENT'));
    else event.settled.forEach((item) => last.set(item.index, item.status));
  }
  return [...last.values()].some((status) => status !== 'FAILED');
}

type Replayed = { outcome: CopyOutcome } | { claimed: Claim } | 'free';

/**
 * Makes a batch copy with an idempotency key run at most once per caller and key, across crashes:
 * a replay gets the first answer, a different request under the same key gets IDEMPOTENCY_CONFLICT.
 * The run keeps its claim alive with a lease and records, before each upstream send, which items may
 * be sent and, after each answer, what it knows. When its gateway dies, the next replay after the
 * lease ran out stores the run's last known state as the key's answer (known items as known, items
 * that may have been sent UNKNOWN, the rest FAILED as not sent), or, when the run recorded nothing
 * (it sent nothing), takes the key over and runs it. A run that provably made no copy (it threw
 * before any could happen, or every part was refused) releases the key so the same key can be sent
 * again.
 */
export class IdempotencyGuard implements IdempotencyPort {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly options: IdempotencyOptions,
  ) {}

  /** See {@link IdempotencyPort.run}; fails UPSTREAM_UNAVAILABLE (nothing sent) when the store is unreachable. */
  async run(
    scope: IdempotencyScope,
    request: unknown,
    work: KeyedWork,
    signal?: AbortSignal,
    deadline?: number,
  ): Promise<CopyOutcome> {
    const key = sha256(`${scope.caller}\u0000${scope.key}`);
    const claim: Claim = {
      fingerprint: sha256(canonical(request)),
      owner: `${hostname()}:${process.pid}:${randomUUID()}`,
      leaseMs: this.options.leaseMs,
      ttlMs: this.options.ttlMs,
    };
    // A key released while we waited is free again: claim it (a few times at most).
    for (let attempt = 0; attempt < 3; attempt++) {
      let existing: IdempotencyRecord | undefined;
      try {
        existing = await bounded(this.store.claim(key, claim), signal);
      } catch {
        // Without the store the gateway cannot promise at-most-once, so it sends nothing.
        throw unavailable();
      }
      if (!existing) return this.#own(key, claim, work);
      const replayed = await this.#replay(key, claim, existing, work, signal, deadline);
      if (replayed === 'free') continue;
      if ('claimed' in replayed) return this.#own(key, replayed.claimed, work);
      return replayed.outcome;
    }
    throw new GatewayError(
      'The first request with this idempotencyKey ended without an answer and sent nothing; retry to run it again.',
      'IDEMPOTENCY_CONFLICT',
      { retryable: true },
    );
  }

  async #own(key: string, claim: Claim, work: KeyedWork): Promise<CopyOutcome> {
    const run = new OwnedRun(this.store, key, claim, this.options.log).start();
    let outcome: CopyOutcome;
    try {
      outcome = await work.execute(run);
    } catch (error) {
      await run.stop();
      if (mayHaveCopied(run.events)) {
        // Copies may exist: the key keeps what is known instead of running again.
        await this.#complete(key, claim, work.abandoned(run.events));
      } else {
        await this.store.release(key, claim.owner).catch(() => undefined);
      }
      throw error;
    }
    await run.stop();
    // A rejected request did nothing (it may be throttled now and fine later): free the key for it.
    if (outcome.kind === 'rejected') {
      await this.store.release(key, claim.owner).catch(() => undefined);
      return outcome;
    }
    await this.#complete(key, claim, outcome);
    return outcome;
  }

  async #complete(key: string, claim: Claim, outcome: CopyOutcome): Promise<void> {
    try {
      const hold = await this.store.complete(
        key,
        claim.owner,
        claim.fingerprint,
        JSON.stringify(outcome),
        this.options.ttlMs,
      );
      if (hold === 'lost') {
        this.options.log?.warn(
          "a retry stored this run's last known state as its answer while it still ran (its lease ran out)",
        );
      }
    } catch (error) {
      // The work ran: the caller must get its answer. The progress already stored answers retries.
      this.options.log?.warn({ err: error }, 'idempotency store did not take an answer');
    }
  }

  async #replay(
    key: string,
    claim: Claim,
    record: IdempotencyRecord,
    work: KeyedWork,
    signal: AbortSignal | undefined,
    operationDeadline: number | undefined,
  ): Promise<Replayed> {
    // Waits for the first run at most waitMs, and never into the operation's deadline.
    const deadline = Math.min(Date.now() + this.options.waitMs, waitLimit(operationDeadline));
    let current: IdempotencyRecord | undefined = record;
    try {
      for (;;) {
        if (!current) return 'free';
        if (current.fingerprint !== claim.fingerprint) {
          throw new GatewayError(
            'This idempotencyKey was already used for a different request; use a new key for a new request.',
            'IDEMPOTENCY_CONFLICT',
            { retryable: false },
          );
        }
        if (current.state === 'done') return { outcome: revive(current.answer) };
        if (!current.leaseAlive) {
          const settled = await this.#settleGone(key, claim, current, work, signal);
          if (settled) return settled;
        } else if (Date.now() >= deadline) {
          throw new GatewayError(
            'A request with this idempotencyKey is still running; retry shortly to get its answer.',
            'IDEMPOTENCY_CONFLICT',
            { retryable: true },
          );
        } else {
          const pause = Math.min(100, Math.max(0, deadline - Date.now()));
          await bounded(new Promise((resolve) => setTimeout(resolve, pause)), signal);
        }
        current = await bounded(this.store.get(key), signal);
      }
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (signal?.aborted) {
        throw new GatewayError(
          'A request with this idempotencyKey is still running; retry shortly to get its answer.',
          'IDEMPOTENCY_CONFLICT',
          { retryable: true },
        );
      }
      throw unavailable();
    }
  }

  /** The owner is gone: run the key here if it sent nothing, else store its last known state. */
  async #settleGone(
    key: string,
    claim: Claim,
    gone: Extract<IdempotencyRecord, { state: 'running' }>,
    work: KeyedWork,
    signal: AbortSignal | undefined,
  ): Promise<Replayed | undefined> {
    if (gone.progressCount === 0) {
      return (await bounded(this.store.takeOver(key, gone.owner, claim), signal))
        ? { claimed: claim }
        : undefined;
    }
    const entries = await bounded(this.store.progress(key), signal);
    if (entries.length !== gone.progressCount) return undefined;
    const outcome = work.abandoned(entries.map((entry) => JSON.parse(entry) as ProgressEvent));
    const stored = await bounded(
      this.store.settle(key, gone.owner, entries.length, JSON.stringify(outcome), this.options.ttlMs),
      signal,
    );
    if (!stored) return undefined;
    this.options.log?.warn(
      { progressEntries: entries.length },
      "an idempotency key's gateway stopped mid-run: its last known state is now the key's answer",
    );
    return { outcome };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
