/**
 * The parts of a job system for behaviour tests, on either backend: Redis (store) with BullMQ (runner),
 * or memory with the in-process runner. Providers are the real adapters against a DingTalk emulator.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { DEFAULT_RETRY } from '../../src/providers/kit/retry.js';
import { passThroughOnly } from '../../src/credentials/pass-through.js';
import { DINGTALK_SEED, type DingTalkEmulator } from '../../src/emulators/dingtalk/index.js';
import { BullMqJobRunner } from '../../src/jobs/bullmq-runner.js';
import { JobExecutor, type JobProvider } from '../../src/jobs/executor.js';
import { CopyJobs } from '../../src/jobs/jobs.js';
import { jobProvider } from '../../src/jobs/job-provider.js';
import { dingTalkTaskRefs } from '../../src/providers/dingtalk/task-ref.js';
import type { TaskRefCodec } from '../../src/copy/task-id.js';
import { RedisJobStore } from '../../src/jobs/redis-store.js';
import { TokenCipher } from '../../src/jobs/token-cipher.js';
import { TASK_ID_SECRET } from '../helpers/gateway.js';
import { InProcessJobRunner, type JobRunner } from '../../src/jobs/runner.js';
import { MemoryJobStore, type JobStore } from '../../src/jobs/store.js';
import { createLogger } from '../../src/log.js';
import { DingTalkAdapter } from '../../src/providers/dingtalk/adapter.js';
import { DingTalkClient } from '../../src/providers/dingtalk/client.js';
import { UpstreamHttpClient } from '../../src/upstream/http.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export type Backend = 'redis' | 'memory';

export interface JobRig {
  jobs: CopyJobs;
  store: JobStore;
  runner: JobRunner;
  close(): Promise<void>;
}

export const quietLogger = () =>
  createLogger(
    'warn',
    new Writable({
      write: (_c, _e, done) => done(),
    }),
  );

/** A DingTalk provider for jobs against `emulator`, with `retries` retries of throttled calls. */
export function dingTalkProvider(
  emulator: DingTalkEmulator,
  retries = 0,
): { provider: JobProvider; close(): Promise<void> } {
  const http = new UpstreamHttpClient('DINGTALK', emulator.url, { timeoutMs: 5_000, logger: quietLogger() });
  const adapter = new DingTalkAdapter(
    new DingTalkClient(http),
    passThroughOnly('DingTalk', 'x-acs-dingtalk-access-token'),
    {
      chunkSize: 3,
      maxItems: 1_000_000,
      concurrency: 4,
      retry: { ...DEFAULT_RETRY, baseDelayMs: 10, retries },
    },
  );
  return {
    provider: jobProvider(adapter, dingTalkTaskRefs as TaskRefCodec) as JobProvider,
    close: () => adapter.close(),
  };
}

/** Jobs on `backend` with unique Redis names, running DingTalk chunks `chunkConcurrency` at a time. */
export function jobRig(
  backend: Backend,
  provider: JobProvider,
  options: { chunkConcurrency?: number; prefix?: string; lockMs?: number } = {},
): JobRig {
  const log = quietLogger();
  const prefix = options.prefix ?? `test-jobs-${randomUUID()}:`;
  const store =
    backend === 'redis'
      ? new RedisJobStore(REDIS_URL, { prefix, tokenCipher: new TokenCipher(TASK_ID_SECRET) })
      : new MemoryJobStore();
  const executor = new JobExecutor(store, (p) => (p === 'DINGTALK' ? provider : undefined), {
    chunkConcurrency: options.chunkConcurrency ?? 4,
    followPollMs: 100,
    chunkTimeoutMs: 10_000,
    log,
  });
  const run = (id: string, stop: AbortSignal) => executor.run(id, stop);
  const runner: JobRunner =
    backend === 'redis'
      ? new BullMqJobRunner(run, {
          redisUrl: REDIS_URL,
          queueName: 'copy',
          prefix: `${prefix}bull`,
          concurrency: 2,
          lockMs: options.lockMs ?? 5_000,
          log,
        })
      : new InProcessJobRunner(run, { concurrency: 2, log });
  const jobs = new CopyJobs(store, runner, (p) => (p === 'DINGTALK' ? provider : undefined), {
    retentionSeconds: 600,
    watchPollMs: 1_000,
  });
  return { jobs, store, runner, close: () => jobs.close() };
}

/** A DingTalk request for `ids` into the seeded target folder. */
export function dingTalkRequest(ids: string[]) {
  return {
    spaceId: DINGTALK_SEED.sourceSpaceId,
    unionId: DINGTALK_SEED.unionId,
    targetSpaceId: DINGTALK_SEED.targetSpaceId,
    targetFolderId: DINGTALK_SEED.targetFolderId,
    dentryIds: ids,
    conflictStrategy: 'RENAME' as const,
  };
}

/** Creates `count` files in the seeded source space; returns their ids. */
export function seedFiles(
  emulator: DingTalkEmulator,
  count: number,
  tag = randomUUID().slice(0, 8),
): string[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `f-${tag}-${i}`;
    emulator.state.createFile(DINGTALK_SEED.sourceSpaceId, `${tag}-${i}.txt`, { id });
    return id;
  });
}

/** How many times the emulator copied each id (every batch request, executed items only). */
export function copiesPerId(emulator: DingTalkEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of emulator.stats.copyRequests) {
    for (const item of request.resultItems) {
      if (item.success !== false) counts.set(item.dentryId, (counts.get(item.dentryId) ?? 0) + 1);
    }
  }
  return counts;
}

export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${ms} ms: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
