import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisIdempotencyStore } from '../../src/idempotency/redis-store.js';
import { MemoryIdempotencyStore, type Claim, type IdempotencyStore } from '../../src/idempotency/store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LEASE_MS = 150;
const claimOf = (owner: string): Claim => ({ fingerprint: 'f', owner, leaseMs: LEASE_MS, ttlMs: 60_000 });
const leaseRunsOut = () => new Promise((resolve) => setTimeout(resolve, LEASE_MS + 60));

const redis = new RedisIdempotencyStore(REDIS_URL, { commandTimeoutMs: 2_000 });
afterAll(() => redis.close());

// The same behaviour from both stores: the guard relies on nothing else.
describe.each([
  ['memory', () => new MemoryIdempotencyStore() as IdempotencyStore],
  ['Redis', () => redis as IdempotencyStore],
])('%s idempotency store', (_name, make) => {
  const store = make();
  const key = () => `test-${randomUUID()}`;

  it('claims once; a second claim gets the running record with its live lease', async () => {
    const k = key();
    expect(await store.claim(k, claimOf('a'))).toBeUndefined();
    expect(await store.claim(k, claimOf('b'))).toEqual({
      state: 'running',
      fingerprint: 'f',
      owner: 'a',
      leaseAlive: true,
      progressCount: 0,
    });
    expect(await store.complete(k, 'a', 'f', 'answer', 60_000)).toBe('held');
    expect(await store.claim(k, claimOf('b'))).toEqual({ state: 'done', fingerprint: 'f', answer: 'answer' });
  });

  it('appends progress only for the owner; the lease dies when nobody renews it', async () => {
    const k = key();
    await store.claim(k, claimOf('a'));
    expect(await store.append(k, 'a', LEASE_MS, ['one', 'two'])).toBe('held');
    expect(await store.append(k, 'b', LEASE_MS, ['evil'])).toBe('lost');
    expect(await store.progress(k)).toEqual(['one', 'two']);
    expect(await store.renew(k, 'a', LEASE_MS)).toBe('held');
    await leaseRunsOut();
    expect(await store.get(k)).toMatchObject({ state: 'running', leaseAlive: false, progressCount: 2 });
  });

  it('settles a gone owner only with the progress it read, and the owner cannot overwrite it', async () => {
    const k = key();
    await store.claim(k, claimOf('a'));
    await store.append(k, 'a', LEASE_MS, ['sending']);
    expect(await store.settle(k, 'a', 1, 'last known', 60_000)).toBe(false); // lease still alive
    await leaseRunsOut();
    expect(await store.settle(k, 'a', 0, 'stale read', 60_000)).toBe(false);
    expect(await store.takeOver(k, 'a', claimOf('b'))).toBe(false); // something may have been sent
    expect(await store.settle(k, 'a', 1, 'last known', 60_000)).toBe(true);
    expect(await store.complete(k, 'a', 'f', 'late answer', 60_000)).toBe('lost');
    expect(await store.append(k, 'a', LEASE_MS, ['more'])).toBe('lost');
    expect(await store.get(k)).toEqual({ state: 'done', fingerprint: 'f', answer: 'last known' });
  });

  it('hands the claim of a gone owner that recorded nothing to a new run', async () => {
    const k = key();
    await store.claim(k, claimOf('a'));
    expect(await store.takeOver(k, 'a', claimOf('b'))).toBe(false); // a is alive
    await leaseRunsOut();
    expect(await store.takeOver(k, 'a', claimOf('b'))).toBe(true);
    expect(await store.renew(k, 'a', LEASE_MS)).toBe('lost');
    expect(await store.get(k)).toMatchObject({ owner: 'b', leaseAlive: true });
  });

  it('tells the owner its record is gone, lets it write it back, and releases only for the owner', async () => {
    const k = key();
    expect(await store.renew(k, 'a', LEASE_MS)).toBe('absent');
    expect(await store.restore(k, claimOf('a'), ['x', 'y'])).toBe(true);
    expect(await store.restore(k, claimOf('c'), [])).toBe(false);
    expect(await store.progress(k)).toEqual(['x', 'y']);
    await store.release(k, 'c');
    expect(await store.get(k)).toMatchObject({ owner: 'a', progressCount: 2 });
    await store.release(k, 'a');
    expect(await store.get(k)).toBeUndefined();
    // An answer whose record was lost is stored anyway: it is the truth.
    expect(await store.complete(k, 'a', 'f', 'answer', 60_000)).toBe('absent');
    expect(await store.get(k)).toEqual({ state: 'done', fingerprint: 'f', answer: 'answer' });
  });
});

describe('MemoryIdempotencyStore', () => {
  it('forgets answers after their time and sweeps records that are never read again', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore(() => now);
    for (let i = 0; i < 100; i++) await store.complete(`k${i}`, 'o', 'f', 'a', 1000);
    expect(store.size).toBe(100);
    now = 61_000;
    expect(await store.get('k1')).toBeUndefined();
    await store.claim('fresh', { fingerprint: 'f', owner: 'o', leaseMs: 1000, ttlMs: 1000 });
    expect(store.size).toBe(1);
  });
});
