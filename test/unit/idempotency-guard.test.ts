import { describe, expect, it } from 'vitest';
import type { KeyedWork } from '../../src/copy/ports.js';
import { IdempotencyGuard } from '../../src/idempotency/guard.js';
import { MemoryIdempotencyStore, type IdempotencyStore } from '../../src/idempotency/store.js';
import { abandonedOutcome, type RunProgress } from '../../src/copy/progress.js';
import { outcomeFromItems } from '../../src/copy/summary.js';
import type { CopyItemResult, CopyOutcome } from '../../src/copy/types.js';

const LEASE_MS = 100;
const requested = [{ source: 'a' }, { source: 'b' }, { source: 'c' }];
const succeeded = (index: number): CopyItemResult => ({
  index,
  status: 'SUCCEEDED',
  source: requested[index]?.source ?? '',
  result: `copy-of-${index}`,
  renamed: false,
  evidence: 'UPSTREAM_ANSWER',
});

/** A store that stops answering when its process "dies": no renewal, no write ever arrives again. */
function dying(store: IdempotencyStore): { store: IdempotencyStore; die(): void } {
  let dead = false;
  const hang = new Promise<never>(() => undefined);
  const proxy = new Proxy(store, {
    get(target, name: keyof IdempotencyStore) {
      const value = target[name];
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        dead ? hang : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { store: proxy, die: () => (dead = true) };
}

function setup() {
  const shared = new MemoryIdempotencyStore();
  const a = dying(shared);
  const options = { ttlMs: 60_000, leaseMs: LEASE_MS, waitMs: 2_000 };
  return { a, guardA: new IdempotencyGuard(a.store, options), guardB: new IdempotencyGuard(shared, options) };
}

const scope = { caller: 'c', provider: 'SMH', key: 'k' };
function work(execute: (progress: RunProgress) => Promise<CopyOutcome>): KeyedWork & { runs: number } {
  const counted = {
    runs: 0,
    execute: (progress: RunProgress) => {
      counted.runs += 1;
      return execute(progress);
    },
    abandoned: (events: Parameters<KeyedWork['abandoned']>[0]) => abandonedOutcome('SMH', requested, events),
  };
  return counted;
}
const never = new Promise<CopyOutcome>(() => undefined);

describe('IdempotencyGuard across a dead owner', () => {
  it('answers with every item known when the owner died after its last answer but before storing it', async () => {
    const { a, guardA, guardB } = setup();
    void guardA.run(
      scope,
      'req',
      work(async (progress) => {
        await progress.sending([0, 1, 2]);
        progress.settled([0, 1, 2].map(succeeded));
        await new Promise((resolve) => setTimeout(resolve, 20));
        a.die();
        return never;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const retry = work(async () => outcomeFromItems('SMH', []));
    const answer = await guardB.run(scope, 'req', retry);
    expect(answer).toEqual({ kind: 'succeeded', provider: 'SMH', items: [0, 1, 2].map(succeeded) });
    expect(retry.runs).toBe(0);
    expect(await guardB.run(scope, 'req', retry)).toEqual(answer);
  });

  it('takes the key over and runs it when the dead owner recorded nothing (nothing was sent)', async () => {
    const { a, guardA, guardB } = setup();
    void guardA.run(
      scope,
      'req',
      work(async () => (a.die(), never)),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const retry = work(async (progress) => {
      await progress.sending([0, 1, 2]);
      return outcomeFromItems('SMH', [0, 1, 2].map(succeeded));
    });
    const answer = await guardB.run(scope, 'req', retry);
    expect(answer.kind).toBe('succeeded');
    expect(retry.runs).toBe(1);
    expect(await guardB.run(scope, 'req', retry)).toEqual(answer);
    expect(retry.runs).toBe(1);
  });

  it('keeps what is known when the run throws after something may have been copied', async () => {
    const { guardB } = setup();
    const failing = work(async (progress) => {
      await progress.sending([0]);
      progress.settled([succeeded(0)]);
      await progress.sending([1]);
      throw new Error('unexpected');
    });
    await expect(guardB.run(scope, 'req', failing)).rejects.toThrow('unexpected');
    const replay = await guardB.run(
      scope,
      'req',
      work(async () => never),
    );
    expect(replay.items.map((item) => [item.status, item.error?.code])).toEqual([
      ['SUCCEEDED', undefined],
      ['UNKNOWN', 'INTERRUPTED'],
      ['FAILED', 'INTERRUPTED'],
    ]);
  });

  it('writes a running record back when the store lost it, so a retry still never runs it again', async () => {
    const store = new MemoryIdempotencyStore();
    const options = { ttlMs: 60_000, leaseMs: LEASE_MS, waitMs: 2_000 };
    const [owner, other] = [new IdempotencyGuard(store, options), new IdempotencyGuard(store, options)];
    const first = owner.run(
      scope,
      'req',
      work(async (progress) => {
        await progress.sending([0]);
        await store.close(); // the store restarts empty (Redis without persistence)
        await new Promise((resolve) => setTimeout(resolve, LEASE_MS)); // a heartbeat finds the record gone
        await progress.sending([1, 2]);
        return outcomeFromItems('SMH', [0, 1, 2].map(succeeded));
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 2 + 10));
    const retry = work(async () => never);
    const answers = await Promise.all([first, other.run(scope, 'req', retry)]);
    expect(answers[1]).toEqual(answers[0]);
    expect(retry.runs).toBe(0);
  });

  it('lets a live owner whose lease ran out send nothing more once a retry settled the key', async () => {
    const store = new MemoryIdempotencyStore();
    // This owner's heartbeats get lost (a long pause, a partition): its lease runs out while it runs.
    const stalled = new Proxy(store, {
      get: (target, name: keyof IdempotencyStore) =>
        name === 'renew' ? async () => 'held' : (target[name] as (...a: unknown[]) => unknown).bind(target),
    });
    const options = { ttlMs: 60_000, leaseMs: LEASE_MS, waitMs: 2_000 };
    const owner = new IdempotencyGuard(stalled, options);
    let refused: unknown;
    const first = owner.run(
      scope,
      'req',
      work(async (progress) => {
        await progress.sending([0]);
        progress.settled([succeeded(0)]);
        await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));
        await progress.sending([1, 2]).catch((error: unknown) => (refused = error));
        return outcomeFromItems('SMH', [succeeded(0)]);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 1.5));
    const settled = await new IdempotencyGuard(store, options).run(
      scope,
      'req',
      work(async () => never),
    );
    expect(settled.items.map((item) => item.status)).toEqual(['SUCCEEDED', 'FAILED', 'FAILED']);
    await first;
    expect(refused).toMatchObject({ name: 'ProgressRefused' });
    // Every later retry replays what the first retry stored, not the late owner's own answer.
    expect(
      await new IdempotencyGuard(store, options).run(
        scope,
        'req',
        work(async () => never),
      ),
    ).toEqual(settled);
  });
});

describe('IdempotencyGuard replaying a key whose first run is still going', () => {
  it("stops waiting for it before the operation's deadline: IDEMPOTENCY_CONFLICT (retryable) while the operation still runs", async () => {
    const shared = new MemoryIdempotencyStore();
    const { store, die } = dying(shared);
    // The first run lives (its lease is renewed) and never ends while the replay waits.
    const options = { ttlMs: 60_000, leaseMs: LEASE_MS, waitMs: 10_000 };
    void new IdempotencyGuard(store, options).run(
      scope,
      'req',
      work(async () => never),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const operation = new AbortController();
    const deadline = Date.now() + 2_000;
    const timer = setTimeout(() => operation.abort(new Error('deadline')), 2_000);
    const retry = work(async () => outcomeFromItems('SMH', []));
    try {
      const refused = await new IdempotencyGuard(shared, options)
        .run(scope, 'req', retry, operation.signal, deadline)
        .catch((error: unknown) => ({ error, deadlinePassed: operation.signal.aborted }));
      expect(refused).toMatchObject({
        error: { code: 'IDEMPOTENCY_CONFLICT', extra: { retryable: true } },
        deadlinePassed: false,
      });
      expect(retry.runs).toBe(0);
    } finally {
      clearTimeout(timer);
      die();
    }
  });
});
