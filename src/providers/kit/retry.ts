import type { CallBudget } from '../../copy/call.js';
import { UpstreamFailure } from '../../copy/errors.js';
import { CircuitOpenFailure, RateLimitWaitFailure } from '../../upstream/http.js';

/** How often and how long to wait before re-sending a failed upstream call. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Backoff before the first retry's cap doubles, in milliseconds. */
  baseDelayMs: number;
  /** The largest backoff of our own, in milliseconds (an upstream's Retry-After is always waited in full). */
  maxDelayMs: number;
  /** Source of jitter in [0, 1); Math.random when unset (tests fix it). */
  random?: () => number;
}

/** Three retries, 100 ms doubling up to 2 s, with full jitter. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

/** Our own refusals (open circuit, no rate-limit slot before the deadline): retrying now cannot help. */
const refusedByGateway = (error: UpstreamFailure): boolean =>
  error instanceof CircuitOpenFailure || error instanceof RateLimitWaitFailure;

/**
 * Only a failure that proves the upstream did nothing may be retried for a write: re-sending a copy
 * whose outcome is unknown can make a second copy.
 */
export function isSafeToRetryWrite(error: unknown): error is UpstreamFailure {
  return (
    error instanceof UpstreamFailure &&
    !refusedByGateway(error) &&
    error.execution === 'not-executed' &&
    (error.code === 'THROTTLED' || error.code === 'UPSTREAM_UNAVAILABLE')
  );
}

/** Reads change nothing upstream, so any transient failure may be retried. */
export function isSafeToRetryRead(error: unknown): error is UpstreamFailure {
  return (
    error instanceof UpstreamFailure &&
    !refusedByGateway(error) &&
    [
      'THROTTLED',
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_TIMEOUT',
      'UPSTREAM_ERROR',
      'UPSTREAM_PROTOCOL_ERROR',
    ].includes(error.code)
  );
}

/**
 * Exponential backoff with full jitter, or the upstream's Retry-After when it gave one: never less, so
 * nothing is re-sent before the upstream said it may be.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round((policy.random ?? Math.random)() * cap);
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, fails with an error `retryable` rejects, or retries run out;
 * `attempt` is told how many retries came before it (0 for the first attempt).
 * Each retry is an upstream call too, so it spends one from the operation's budget; with none left
 * the last failure stands. When the wait before the next attempt (the upstream's Retry-After) would
 * end after the operation's `deadline`, the failure stands at once: waiting could not lead to an answer.
 */
export async function withRetry<T>(
  attempt: (retry: number) => Promise<T>,
  retryable: (error: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  call: { signal?: AbortSignal; budget?: CallBudget; deadline?: number } = {},
): Promise<T> {
  const { signal, budget, deadline } = call;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= policy.retries || !retryable(error) || signal?.aborted) throw error;
      const wait = backoffDelay(n, policy, error instanceof UpstreamFailure ? error.retryAfterMs : undefined);
      if (deadline !== undefined && Date.now() + wait >= deadline) throw error;
      if (budget && !budget.tryReserve(1)) throw error;
      try {
        await sleep(wait, signal);
      } catch {
        throw error;
      }
    }
  }
}
