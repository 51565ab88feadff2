/**
 * Pass-through background jobs on several replicas: BullMQ hands a job to whichever replica asks first,
 * usually not the one that accepted it, so the caller's upstream token must reach every replica. Jobs on
 * Redis therefore need TASK_ID_SECRET (the tokens go to Redis sealed with it): without it a replica does
 * not start, instead of accepting jobs that another replica then fails UNAUTHENTICATED.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEMO_LIBRARY_ID, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { COPY, readTask, readUntil, REDIS_URL, smhBatch, smhInput, type CopyAnswer } from './api-rig.js';
import { until } from './rig.js';

const JOBS = 8;
const BATCH = '/api/v1/batch/';

describe('TASK_ID_SECRET with REDIS_URL', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    return expect.unreachable('the configuration was accepted');
  };

  it('pass-through with REDIS_URL and no TASK_ID_SECRET does not start: TASK_ID_SECRET is named, with why', () => {
    expect(refusal({ SMH_BASE_URL: 'http://127.0.0.1:1', REDIS_URL })).toEqual([
      {
        variable: 'TASK_ID_SECRET',
        expected:
          'a secret of at least 32 characters, the same on every replica, when REDIS_URL is set: any replica on that Redis runs background jobs, and the upstream tokens callers send with them are kept there sealed with it',
      },
    ]);
  });

  it('the demo with REDIS_URL needs it too; without REDIS_URL pass-through and the demo start without it', () => {
    expect(refusal({ REDIS_URL }).map((p) => p.variable)).toEqual(['TASK_ID_SECRET']);
    expect(loadConfig({ SMH_BASE_URL: 'http://127.0.0.1:1' }).taskIdSecret).toBeUndefined();
    expect(loadConfig({}).demo).toBe(true);
  });

  it('mixed (managed SMH, pass-through DingTalk) with REDIS_URL: the managed rule already asks for it', () => {
    const { TASK_ID_SECRET: _secret, ...mixed } = managedDemoEnv('http://127.0.0.1:1', 'http://127.0.0.1:2');
    delete mixed.DINGTALK_APP_KEY;
    delete mixed.DINGTALK_APP_SECRET;
    const problems = refusal({ ...mixed, ALLOW_ANONYMOUS: '1', REDIS_URL });
    expect(problems.map((p) => p.variable)).toEqual(['TASK_ID_SECRET']);
    expect(problems[0]!.expected).toMatch(/when managed credentials are configured/);
  });
});

describe(`${JOBS} one-item background copies sent to replica A, run by replica B with the caller's token`, () => {
  let smh: SmhEmulator;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let wireA: RecordingProxy;
  let wireB: RecordingProxy;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true });
    // A's copy calls wait until the test lets them go; A runs one job at a time, so while its first job
    // waits the other jobs A accepted can only run on B.
    wireA = await startRecordingProxy(smh.url, {
      hold: (method, url) => (method === 'POST' && url.includes(BATCH) ? held : undefined),
    });
    wireB = await startRecordingProxy(smh.url);
    const shared = {
      REDIS_URL,
      JOBS_KEY_PREFIX: `test-replica-tokens-${randomUUID()}:`,
      TASK_POLL_INTERVAL_MS: '100',
      // The held call must not time out meanwhile.
      UPSTREAM_TIMEOUT_MS: '120000',
    };
    // Both with the test gateways' TASK_ID_SECRET.
    a = await startGateway({ ...shared, SMH_BASE_URL: wireA.url, JOB_CONCURRENCY: '1' });
    b = await startGateway({ ...shared, SMH_BASE_URL: wireB.url });
  });
  afterAll(async () => {
    release?.();
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([wireA?.close(), wireB?.close(), smh?.close()]);
  });

  it('every job SUCCEEDED, each item copied once, at least 7 of them by B', async () => {
    const headers = {
      'x-smh-access-token': smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'] }),
    };
    const batches = Array.from({ length: JOBS }, () => smhBatch(smh, 1));
    const ids: string[] = [];
    for (const items of batches) {
      const { body } = await a.graphql<CopyAnswer>(
        COPY,
        { input: smhInput(items, { execution: 'BACKGROUND' }) },
        headers,
      );
      expect(body.errors).toBeUndefined();
      expect(body.data!.batchCopy.__typename).toBe('CopyAccepted');
      ids.push(body.data!.batchCopy.task!.id);
    }
    // Every job but the one A holds ends on B (all of them when A took none).
    await until(
      () => Promise.all(ids.map((id) => readTask(a, id, headers))),
      (read) => read.filter((t) => t?.done).length >= JOBS - 1,
    );
    release();
    const tasks = await Promise.all(ids.map((id) => readUntil(a, id, headers)));
    expect(tasks.map((t) => [t.state, t.summary.succeeded, t.items[0]!.error])).toEqual(
      ids.map(() => ['SUCCEEDED', 1, null]),
    );
    for (const [item] of batches) {
      expect(smh.state.exists(DEMO_LIBRARY_ID, '-', item!.to)).toBe(true);
      expect(smh.state.exists(DEMO_LIBRARY_ID, '-', item!.to.replace('.txt', ' (1).txt'))).toBe(false);
    }
    const copies = (wire: RecordingProxy) =>
      wire.exchanges.filter((e) => e.method === 'POST' && e.url.includes(BATCH)).length;
    expect(copies(wireA) + copies(wireB)).toBe(JOBS);
    expect(copies(wireB)).toBeGreaterThanOrEqual(JOBS - 1);
  });
});
