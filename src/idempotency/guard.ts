import { createHash } from 'node:crypto';
import { GatewayError } from '../copy/errors.js';
import type { IdempotencyPort, IdempotencyScope } from '../copy/ports.js';
import type { CopyOutcome } from '../copy/types.js';
import type { IdempotencyStore } from './store.js';

/** How long idempotency records live and how long a replay waits, in milliseconds. */
export interface IdempotencyOptions {
  /** How long a finished answer is replayed. */
  ttlMs: number;
  /** How long a claim protects a run that never finishes (a crashed instance). */
  runningTtlMs: number;
  /** How long a replay waits for a run still in progress before answering IDEMPOTENCY_CONFLICT. */
  waitMs: number;
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
  if (outcome.kind === 'accepted') outcome.task.checkedAt = new Date(outcome.task.checkedAt);
  return outcome;
}

/**
 * Makes a batch copy with an idempotency key run at most once per caller and key: a replay gets the
 * first answer, a different request under the same key gets IDEMPOTENCY_CONFLICT. A run that threw
 * (bad input, no credential) or was rejected as a whole did nothing upstream, so its claim is released
 * and the same key can be sent again.
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
    execute: () => Promise<CopyOutcome>,
  ): Promise<CopyOutcome> {
    const key = sha256(`${scope.caller}\u0000${scope.key}`);
    const fingerprint = sha256(canonical(request));
    let existing: Awaited<ReturnType<IdempotencyStore['claim']>>;
    try {
      existing = await this.store.claim(key, fingerprint, this.options.runningTtlMs);
    } catch {
      // Without the store the gateway cannot promise at-most-once, so it sends nothing.
      throw new GatewayError(
        'The idempotency store is unavailable; the request was not sent. Retry later.',
        'UPSTREAM_UNAVAILABLE',
        { retryable: true },
      );
    }
    if (existing) return this.#replay(key, fingerprint, existing);
    let outcome: CopyOutcome;
    try {
      outcome = await execute();
    } catch (error) {
      await this.store.release(key).catch(() => undefined);
      throw error;
    }
    // A rejected request did nothing (it may be throttled now and fine later): free the key for it.
    if (outcome.kind === 'rejected') {
      await this.store.release(key).catch(() => undefined);
      return outcome;
    }
    try {
      await this.store.complete(key, fingerprint, JSON.stringify(outcome), this.options.ttlMs);
    } catch {
      // The work ran: the caller must get its answer. The claim still guards the key until it expires.
    }
    return outcome;
  }

  async #replay(
    key: string,
    fingerprint: string,
    record: Awaited<ReturnType<IdempotencyStore['get']>>,
  ): Promise<CopyOutcome> {
    const deadline = Date.now() + this.options.waitMs;
    let current = record;
    while (current?.state === 'running' && current.fingerprint === fingerprint && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = await this.store.get(key);
    }
    if (current && current.fingerprint !== fingerprint) {
      throw new GatewayError(
        'This idempotencyKey was already used for a different request; use a new key for a new request.',
        'IDEMPOTENCY_CONFLICT',
        { retryable: false },
      );
    }
    if (current?.state === 'done') return revive(current.answer);
    throw new GatewayError(
      current
        ? 'A request with this idempotencyKey is still running; retry shortly to get its answer.'
        : 'The first request with this idempotencyKey ended without an answer; retry to run it again.',
      'IDEMPOTENCY_CONFLICT',
      { retryable: true },
    );
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
