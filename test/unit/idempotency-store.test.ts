import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../src/idempotency/store.js';

describe('MemoryIdempotencyStore', () => {
  it('claims once, replays the answer, and forgets it after its time', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore(() => now);
    expect(await store.claim('k', 'f', 1000)).toBeUndefined();
    expect(await store.claim('k', 'f', 1000)).toEqual({ state: 'running', fingerprint: 'f' });
    await store.complete('k', 'f', 'answer', 5000);
    expect(await store.get('k')).toEqual({ state: 'done', fingerprint: 'f', answer: 'answer' });
    now = 5000;
    expect(await store.get('k')).toBeUndefined();
  });

  it('sweeps expired records that are never read again', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore(() => now);
    for (let i = 0; i < 100; i++) await store.complete(`k${i}`, 'f', 'a', 1000);
    expect(store.size).toBe(100);
    now = 61_000;
    await store.claim('fresh', 'f', 1000);
    expect(store.size).toBe(1);
  });
});
