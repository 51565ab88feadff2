import { describe, expect, it } from 'vitest';
import { UpstreamCallBudget } from '../../src/providers/kit/budget.js';
import { UpstreamFailure, upstreamError } from '../../src/copy/errors.js';
import {
  DEFAULT_RETRY,
  backoffDelay,
  isSafeToRetryRead,
  isSafeToRetryWrite,
  withRetry,
} from '../../src/providers/kit/retry.js';
import { RateLimitWaitFailure } from '../../src/upstream/http.js';

const throttled = () =>
  new UpstreamFailure(upstreamError('SMH', 'THROTTLED', 'slow down', true), 'not-executed');
const unknown = () => new UpstreamFailure(upstreamError('SMH', 'UPSTREAM_ERROR', 'boom', false), 'unknown');
const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('withRetry', () => {
  it('retries what did not run, until it succeeds', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw throttled();
        return 'done';
      },
      isSafeToRetryWrite,
      fast,
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('never retries a call our own rate limit held back past its deadline (THROTTLED, not sent)', () => {
    const held = new RateLimitWaitFailure(upstreamError('DINGTALK', 'THROTTLED', 'no slot', true));
    expect(isSafeToRetryWrite(held)).toBe(false);
    expect(isSafeToRetryRead(held)).toBe(false);
    expect(isSafeToRetryWrite(throttled())).toBe(true);
  });

  it('never retries a write whose outcome is unknown', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw unknown();
        },
        isSafeToRetryWrite,
        fast,
      ),
    ).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(calls).toBe(1);
  });

  it('spends the operation budget on retries and stops when it is gone', async () => {
    const budget = new UpstreamCallBudget(3);
    budget.reserve(1); // the first attempt
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw throttled();
        },
        isSafeToRetryWrite,
        { ...fast, retries: 10 },
        { budget },
      ),
    ).rejects.toMatchObject({ code: 'THROTTLED' });
    expect(calls).toBe(3);
    expect(budget.remaining).toBe(0);
  });

  it('waits what Retry-After asks, in full', () => {
    expect(backoffDelay(0, DEFAULT_RETRY, 1500)).toBe(1500);
    expect(backoffDelay(0, DEFAULT_RETRY, 120_000)).toBe(120_000);
    expect(backoffDelay(3, DEFAULT_RETRY, 3_600_000)).toBe(3_600_000);
    // Without Retry-After: exponential with full jitter, capped.
    expect(backoffDelay(5, { ...fast, random: () => 1 })).toBe(2);
    expect(backoffDelay(1, { ...DEFAULT_RETRY, random: () => 0.5 })).toBe(100);
  });

  it('never re-sends before Retry-After: a wait past the deadline ends at once with the failure', async () => {
    const asked = (ms: number) =>
      new UpstreamFailure(upstreamError('SMH', 'THROTTLED', 'slow down', true), 'not-executed', ms);
    let calls = 0;
    const started = Date.now();
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw asked(120_000);
        },
        isSafeToRetryWrite,
        DEFAULT_RETRY,
        { deadline: Date.now() + 30_000 },
      ),
    ).rejects.toMatchObject({ code: 'THROTTLED', retryAfterMs: 120_000 });
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);

    // A wait that ends before the deadline is waited in full, never less.
    calls = 0;
    const waited = Date.now();
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw asked(300);
        return Date.now() - waited;
      },
      isSafeToRetryWrite,
      DEFAULT_RETRY,
      { deadline: Date.now() + 30_000 },
    );
    expect(calls).toBe(2);
    expect(result).toBeGreaterThanOrEqual(295);
  });
});
