/**
 * One behaviour suite for both job backends (Redis + BullMQ, memory + in-process runner), against a
 * real DingTalk emulator over HTTP: order, exactly-once sending, progress, cancel, retry, async items,
 * and a chunk left `sending` by a lost instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dingTalkFaults,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import type { CopyTask } from '../../src/copy/types.js';
import { randomUUID } from 'node:crypto';
import { JobExecutor } from '../../src/jobs/executor.js';
import { RedisJobStore } from '../../src/jobs/redis-store.js';
import { MemoryJobStore } from '../../src/jobs/store.js';
import { TokenCipher } from '../../src/jobs/token-cipher.js';
import { isJobTaskId, newJobTaskId } from '../../src/jobs/job-id.js';
import {
  copiesPerId,
  dingTalkProvider,
  dingTalkRequest,
  jobRig,
  quietLogger,
  REDIS_URL,
  seedFiles,
  until,
  type Backend,
} from './rig.js';
import { DINGTALK_SEED } from '../../src/emulators/dingtalk/index.js';

const TOKEN = 'set in beforeAll';
let emulator: DingTalkEmulator;
let token = TOKEN;
let provider: ReturnType<typeof dingTalkProvider>;

beforeAll(async () => {
  emulator = await startDingTalkEmulator({ seed: true, taskDurationMs: 300 });
  token = emulator.issueToken();
  provider = dingTalkProvider(emulator);
});
afterAll(async () => {
  await provider.close();
  await emulator.close();
});

const who = () => ({ owner: () => 'test-caller', tokens: { DINGTALK: token } });

describe.each<Backend>(['redis', 'memory'])('background jobs on %s', (backend) => {
  it('answers at once with every item PENDING, then copies each id exactly once, in request order', async () => {
    emulator.faults.clear();
    emulator.faults.add({ kind: 'latency', ms: 20, pathIncludes: 'batchCopy' });
    const rig = jobRig(backend, provider.provider);
    try {
      const ids = seedFiles(emulator, 31);
      const accepted = await rig.jobs.submit('DINGTALK', dingTalkRequest(ids), who());
      expect(isJobTaskId(accepted.id)).toBe(true);
      expect(accepted.id.length).toBeLessThanOrEqual(256);
      expect(accepted.state).toBe('RUNNING');
      expect(accepted.items.map((i) => [i.index, i.status, i.source])).toEqual(
        ids.map((id, i) => [i, 'PENDING', id]),
      );
      expect(accepted.progress).toEqual({ total: 31, completed: 0, fraction: 0, source: 'EXACT' });

      const seen: number[] = [];
      const watch = rig.jobs.watch(accepted.id, who(), 15_000);
      let last: CopyTask | undefined;
      for await (const task of watch) {
        if (task instanceof Error) throw task;
        seen.push(task.progress!.completed);
        last = task;
        if (task.done) break;
      }
      expect(last?.state).toBe('SUCCEEDED');
      expect(last?.items.map((i) => [i.index, i.status, i.source])).toEqual(
        ids.map((id, i) => [i, 'SUCCEEDED', id]),
      );
      expect(last?.items.every((i) => typeof i.result === 'string' && i.result !== '')).toBe(true);
      expect(seen.at(-1)).toBe(31);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      const copies = copiesPerId(emulator);
      expect(ids.map((id) => copies.get(id))).toEqual(ids.map(() => 1));
      const again = await rig.jobs.task(accepted.id, who());
      expect(again?.summary).toEqual({ total: 31, succeeded: 31, failed: 0, pending: 0, unknown: 0 });
    } finally {
      await rig.close();
    }
  });

  it('follows items the upstream copies asynchronously until they are final', async () => {
    emulator.faults.clear();
    const rig = jobRig(backend, provider.provider);
    try {
      const ids = [...seedFiles(emulator, 2), DINGTALK_SEED.folderId];
      const accepted = await rig.jobs.submit('DINGTALK', dingTalkRequest(ids), who());
      const done = await until(
        () => rig.jobs.task(accepted.id, who()),
        (t) => t?.done === true,
      );
      expect(done?.items.map((i) => i.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      expect(done?.upstreamTaskIds.length).toBe(1);
    } finally {
      await rig.close();
    }
  });

  it('cancel: no call starts after it answers; unsent items FAILED/CANCELLED and retryable; in-flight ones recorded', async () => {
    emulator.faults.clear();
    emulator.faults.add({ kind: 'latency', ms: 150, pathIncludes: 'batchCopy' });
    const rig = jobRig(backend, provider.provider, { chunkConcurrency: 2 });
    try {
      const ids = seedFiles(emulator, 60);
      const before = emulator.stats.requestsByRoute.batchCopy ?? 0;
      const accepted = await rig.jobs.submit('DINGTALK', dingTalkRequest(ids), who());
      await until(
        () => rig.jobs.task(accepted.id, who()),
        (t) => (t?.progress?.completed ?? 0) >= 6,
      );
      const cancelled = await rig.jobs.cancel(accepted.id, who());
      const callsAtCancel = (emulator.stats.requestsByRoute.batchCopy ?? 0) - before;
      // Cancel waited for the calls in flight: its answer is final, and stays what it says.
      expect(cancelled).toMatchObject({ state: 'CANCELLED', done: true });
      expect(cancelled?.summary.pending).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const done = await rig.jobs.task(accepted.id, who());
      expect({ ...done, checkedAt: undefined }).toEqual({ ...cancelled, checkedAt: undefined });
      const calls = (emulator.stats.requestsByRoute.batchCopy ?? 0) - before;
      // No call starts after cancel answered.
      expect(calls).toBe(callsAtCancel);
      expect(done?.state).toBe('CANCELLED');
      const statuses = new Set(done?.items.map((i) => i.status));
      expect([...statuses].sort()).toEqual(['FAILED', 'SUCCEEDED']);
      const failed = done!.items.filter((i) => i.status === 'FAILED');
      expect(failed.every((i) => i.error?.code === 'CANCELLED' && i.error.retryable)).toBe(true);
      const copies = copiesPerId(emulator);
      for (const item of done!.items)
        expect(copies.get(item.source) ?? 0).toBe(item.status === 'SUCCEEDED' ? 1 : 0);
      expect(done!.summary.succeeded).toBe(calls * 3);

      // The retry sends exactly the cancelled items, once, linked to the first task.
      emulator.faults.clear();
      const retry = await rig.jobs.retry(accepted.id, who());
      expect(retry?.retryOf).toBe(accepted.id);
      expect(retry?.items.map((i) => i.source)).toEqual(failed.map((i) => i.source));
      const retried = await until(
        () => rig.jobs.task(retry!.id, who()),
        (t) => t?.done === true,
      );
      expect(retried?.state).toBe('SUCCEEDED');
      const after = copiesPerId(emulator);
      expect(ids.map((id) => after.get(id))).toEqual(ids.map(() => 1));
    } finally {
      await rig.close();
    }
  });

  it('retry re-sends only retryable failures, never UNKNOWN items', async () => {
    emulator.faults.clear();
    // Chunk 0's call is throttled (not run: retryable), chunk 1's answer is lost after the copy ran.
    emulator.faults.add({ ...dingTalkFaults.qpsLimit(), pathIncludes: 'batchCopy', times: 1 });
    emulator.faults.add({
      ...dingTalkFaults.operationTimeout(),
      pathIncludes: 'batchCopy',
      times: 1,
      after: true,
    });
    const rig = jobRig(backend, provider.provider, { chunkConcurrency: 1 });
    try {
      const ids = seedFiles(emulator, 9);
      const accepted = await rig.jobs.submit('DINGTALK', dingTalkRequest(ids), who());
      const done = await until(
        () => rig.jobs.task(accepted.id, who()),
        (t) => t?.done === true,
      );
      expect(done?.items.map((i) => i.status)).toEqual([
        ...['FAILED', 'FAILED', 'FAILED'],
        ...['UNKNOWN', 'UNKNOWN', 'UNKNOWN'],
        ...['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'],
      ]);
      expect(done?.state).toBe('PARTIALLY_FAILED');
      const retry = await rig.jobs.retry(accepted.id, who());
      expect(retry?.retryOf).toBe(accepted.id);
      expect(retry?.items.map((i) => i.source)).toEqual(ids.slice(0, 3));
      await until(
        () => rig.jobs.task(retry!.id, who()),
        (t) => t?.state === 'SUCCEEDED',
      );
      const copies = copiesPerId(emulator);
      expect(ids.map((id) => copies.get(id) ?? 0)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
      await expect(rig.jobs.retry(retry!.id, who())).rejects.toThrow(/safe to send again/);
    } finally {
      await rig.close();
    }
  });

  it("a retry task's items keep their index in the first request, also in a retry of a retry", async () => {
    emulator.faults.clear();
    // Chunk 0's answer is lost after the copy ran (UNKNOWN), chunk 1's call is throttled (not run:
    // retryable), chunk 2 succeeds; the retry's call is throttled too, the retry of the retry runs.
    emulator.faults.add({
      ...dingTalkFaults.operationTimeout(),
      pathIncludes: 'batchCopy',
      times: 1,
      after: true,
    });
    emulator.faults.add({ ...dingTalkFaults.qpsLimit(), pathIncludes: 'batchCopy', times: 1 });
    const rig = jobRig(backend, provider.provider, { chunkConcurrency: 1 });
    try {
      const ids = seedFiles(emulator, 9);
      const accepted = await rig.jobs.submit('DINGTALK', dingTalkRequest(ids), who());
      const done = await until(
        () => rig.jobs.task(accepted.id, who()),
        (t) => t?.done === true,
      );
      expect(done?.items.map((i) => [i.index, i.status])).toEqual([
        ...[0, 1, 2].map((i) => [i, 'UNKNOWN']),
        ...[3, 4, 5].map((i) => [i, 'FAILED']),
        ...[6, 7, 8].map((i) => [i, 'SUCCEEDED']),
      ]);
      emulator.faults.add({ ...dingTalkFaults.qpsLimit(), pathIncludes: 'batchCopy', times: 1 });
      const retry = await rig.jobs.retry(accepted.id, who());
      expect(retry?.items.map((i) => [i.index, i.source])).toEqual([3, 4, 5].map((i) => [i, ids[i]]));
      const retried = await until(
        () => rig.jobs.task(retry!.id, who()),
        (t) => t?.done === true,
      );
      expect(retried?.items.map((i) => [i.index, i.status, i.source])).toEqual(
        [3, 4, 5].map((i) => [i, 'FAILED', ids[i]]),
      );
      const again = await rig.jobs.retry(retry!.id, who());
      expect(again?.retryOf).toBe(retry!.id);
      const last = await until(
        () => rig.jobs.task(again!.id, who()),
        (t) => t?.done === true,
      );
      expect(last?.items.map((i) => [i.index, i.status, i.source])).toEqual(
        [3, 4, 5].map((i) => [i, 'SUCCEEDED', ids[i]]),
      );
      const copies = copiesPerId(emulator);
      expect(ids.map((id) => copies.get(id) ?? 0)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    } finally {
      emulator.faults.clear();
      await rig.close();
    }
  });

  it('the store creates a job only if absent: of concurrent creates of one id, exactly one writes', async () => {
    const rig = jobRig(backend, provider.provider);
    try {
      const id = newJobTaskId();
      const now = Date.now();
      const specs = [1, 2, 3, 4].map((n) => ({
        id,
        provider: 'DINGTALK' as const,
        request: dingTalkRequest([`file-${n}`]),
        itemCount: 1,
        chunkSize: 3,
        createdAt: new Date(now + n).toISOString(),
        expiresAt: new Date(now + 60_000).toISOString(),
      }));
      const created = await Promise.all(specs.map((spec) => rig.store.create(spec, who().tokens)));
      expect(created.filter(Boolean)).toHaveLength(1);
      const winner = specs[created.indexOf(true)]!;
      expect((await rig.store.get(id))?.spec.createdAt).toBe(winner.createdAt);
      expect(await rig.store.create({ ...winner, createdAt: new Date(now).toISOString() })).toBe(false);
      expect((await rig.store.get(id))?.spec.createdAt).toBe(winner.createdAt);
    } finally {
      await rig.close();
    }
  });

  it('a chunk found `sending` (its instance died mid-call) is never sent again: its items are UNKNOWN', async () => {
    emulator.faults.clear();
    const rig = jobRig(backend, provider.provider);
    try {
      const ids = seedFiles(emulator, 9);
      const now = Date.now();
      const id = newJobTaskId();
      await rig.store.create(
        {
          id,
          provider: 'DINGTALK',
          request: dingTalkRequest(ids),
          itemCount: 9,
          chunkSize: 3,
          createdAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 60_000).toISOString(),
        },
        who().tokens,
      );
      // Chunk 1 claimed as by an instance that died before recording its answer.
      expect(await rig.store.claim(id, 1)).toBe('claimed');
      await rig.runner.enqueue(id);
      const done = await until(
        () => rig.jobs.task(id, who()),
        (t) => t?.done === true,
      );
      const copies = copiesPerId(emulator);
      expect(done?.items.map((i) => i.status)).toEqual([
        ...['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'],
        ...['UNKNOWN', 'UNKNOWN', 'UNKNOWN'],
        ...['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'],
      ]);
      expect(done?.items[4]?.error?.message).toMatch(/may or may not have happened/);
      expect(ids.map((i) => copies.get(i) ?? 0)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1]);
      expect(done?.summary.pending).toBe(0);
    } finally {
      await rig.close();
    }
  });

  it('a run whose turn ended yields with every chunk it sent recorded; run again, it goes on from its records, each id sent once', async () => {
    emulator.faults.clear();
    // With Redis, caller tokens sealed in the store: any instance may go on with the job.
    const store =
      backend === 'redis'
        ? new RedisJobStore(REDIS_URL, {
            prefix: `test-jobs-${randomUUID()}:`,
            tokenCipher: new TokenCipher('test-token-cipher-secret-0123456789abcdef'),
          })
        : new MemoryJobStore();
    const executor = new JobExecutor(store, () => provider.provider, {
      chunkConcurrency: 2,
      followPollMs: 100,
      chunkTimeoutMs: 10_000,
      log: quietLogger(),
    });
    try {
      const ids = seedFiles(emulator, 31); // 11 chunks of 3
      const now = Date.now();
      const id = newJobTaskId();
      await store.create(
        {
          id,
          provider: 'DINGTALK',
          request: dingTalkRequest(ids),
          itemCount: 31,
          chunkSize: 3,
          createdAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 60_000).toISOString(),
        },
        who().tokens,
      );
      // Every run's turn has ended before it starts: each sends what its first round claims, then yields.
      const results: string[] = [];
      const settled: number[] = [];
      for (let run = 0; run < 20 && results.at(-1) !== 'finished'; run++) {
        results.push(await executor.run(id, new AbortController().signal, AbortSignal.abort()));
        const snapshot = (await store.get(id))!;
        expect([...snapshot.chunks.values()].filter((state) => state === 'sending')).toEqual([]);
        settled.push(snapshot.records.size);
      }
      expect(results.at(-1)).toBe('finished');
      expect(results.slice(0, -1).every((r) => r === 'yielded')).toBe(true);
      expect(results.length).toBeGreaterThan(2);
      expect(settled).toEqual([...settled].sort((a, b) => a - b));
      expect(settled.at(-1)).toBe(11);
      const records = [...(await store.get(id))!.records.values()];
      expect(records.flatMap((r) => r.items.map((i) => i.status))).toEqual(ids.map(() => 'SUCCEEDED'));
      const copies = copiesPerId(emulator);
      expect(ids.map((i) => copies.get(i))).toEqual(ids.map(() => 1));
    } finally {
      await store.close();
    }
  });
});
