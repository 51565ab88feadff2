/**
 * The provider conformance suite: each behaviour, by stable id, runs against every provider in the
 * registry (and the test-only in-memory provider) through its conformance driver. A behaviour a
 * provider cannot show is declared in its driver with the reason, and listed here as skipped with it.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { startRig, type Rig, type RigMode } from '../helpers/rig.js';
import { BatchCopy, OneTask, TwoTasks } from './documents.js';
import { calls, type BehaviourId, type ConformanceDriver } from './driver.js';
import { conformanceDrivers } from './drivers/index.js';
import type { BatchCopyInput, ConflictStrategy } from './gql/graphql.js';

type Behaviour = (driver: ConformanceDriver) => Promise<void>;

function rig(
  driver: ConformanceDriver,
  mode: RigMode = 'pass-through',
  env: Record<string, string> = {},
): Promise<Rig> {
  return startRig({ providers: [driver], mode, env });
}

/** Sends a batch copy; fails the test on GraphQL errors. */
async function copy(r: Rig, input: BatchCopyInput) {
  const { body } = await r.graphql(BatchCopy, { input });
  const outcome = body.data?.batchCopy;
  if (!outcome) throw new Error(`no outcome: ${JSON.stringify(body.errors)}`);
  return outcome;
}

const count = (driver: ConformanceDriver, r: Rig, kind: 'copy' | 'task' | 'token'): number =>
  calls(driver, r.first.exchanges, kind).length;

async function acceptedTask(driver: ConformanceDriver, r: Rig): Promise<string> {
  const outcome = await copy(r, driver.batch(r.first.upstream, 1, { async: true }).input);
  if (outcome.__typename !== 'CopyAccepted')
    throw new Error(`expected CopyAccepted, got ${outcome.__typename}`);
  return outcome.task.id;
}

const behaviours: Record<BehaviourId, [title: string, run: Behaviour]> = {
  C01: [
    'sync success: every item SUCCEEDED, in request order, with one upstream copy call',
    async (driver) => {
      const r = await rig(driver);
      const batch = driver.batch(r.first.upstream, 2);
      const outcome = await copy(r, batch.input);
      expect(outcome.__typename).toBe('CopySucceeded');
      if (outcome.__typename !== 'CopySucceeded') return;
      expect(outcome.provider).toBe(driver.module.id);
      expect(outcome.items.map((i) => [i.index, i.status, i.source, i.error])).toEqual(
        batch.sources.map((source, index) => [index, 'SUCCEEDED', source, null]),
      );
      expect(outcome.summary).toEqual({ total: 2, succeeded: 2, failed: 0, pending: 0, unknown: 0 });
      if (r.first.upstream.url) expect(count(driver, r, 'copy')).toBe(1);
    },
  ],
  C02: [
    'each conflict strategy maps to the upstream, or is UNSUPPORTED before any upstream call',
    async (driver) => {
      for (const strategy of ['FAIL', 'RENAME', 'OVERWRITE', 'KEEP_EXISTING'] as ConflictStrategy[]) {
        const r = await rig(driver);
        const expected = driver.strategies[strategy];
        const { body } = await r.graphql(BatchCopy, {
          input: driver.conflicting(r.first.upstream, strategy).input,
        });
        if (expected === 'UNSUPPORTED') {
          expect(
            body.errors?.map((e) => e.extensions?.code),
            strategy,
          ).toEqual(['UNSUPPORTED']);
          expect(count(driver, r, 'copy')).toBe(0);
          continue;
        }
        const outcome = body.data?.batchCopy;
        if (outcome?.__typename !== 'CopySucceeded' && outcome?.__typename !== 'CopyPartiallyFailed') {
          throw new Error(`${strategy}: unexpected ${JSON.stringify(body)}`);
        }
        const [item] = outcome.items;
        expect(item?.status, strategy).toBe(expected);
        if (expected === 'FAILED') expect(item?.error?.code, strategy).toBe('CONFLICT');
        if (expected === 'SUCCEEDED') expect(item?.result, strategy).toBeTruthy();
        if (driver.reportsRename) expect(item?.renamed, strategy).toBe(strategy === 'RENAME');
        expect(count(driver, r, 'copy'), strategy).toBe(1);
      }
    },
  ],
  C03: [
    'chunk order preserved: a batch split into several upstream calls answers in request order',
    async (driver) => {
      const r = await rig(driver, 'pass-through', driver.chunkEnv);
      const batch = driver.batch(r.first.upstream, driver.chunkedBatchSize);
      const outcome = await copy(r, batch.input);
      expect(outcome.__typename).toBe('CopySucceeded');
      if (outcome.__typename !== 'CopySucceeded') return;
      expect(outcome.items.map((i) => [i.index, i.source, i.status])).toEqual(
        batch.sources.map((source, index) => [index, source, 'SUCCEEDED']),
      );
      if (r.first.upstream.url) expect(count(driver, r, 'copy')).toBeGreaterThan(1);
    },
  ],
  C04: [
    'async task to done: CopyAccepted, then copyTask SUCCEEDED once the upstream finished',
    async (driver) => {
      const r = await rig(driver);
      const id = await acceptedTask(driver, r);
      driver.finishTasks(r.first.upstream);
      const { body } = await r.graphql(OneTask, { id });
      expect(body.errors).toBeUndefined();
      expect(body.data?.copyTask).toMatchObject({
        id,
        provider: driver.module.id,
        state: 'SUCCEEDED',
        done: true,
      });
      expect(body.data?.copyTask?.items.every((i) => i.status === 'SUCCEEDED')).toBe(true);
    },
  ],
  C05: [
    'one upstream task query per batch of task ids (as many ids as the upstream takes per query)',
    async (driver) => {
      const r = await rig(driver);
      const a = await acceptedTask(driver, r);
      const b = await acceptedTask(driver, r);
      driver.finishTasks(r.first.upstream);
      const before = count(driver, r, 'task');
      const { body } = await r.graphql(TwoTasks, { a, b });
      expect(body.errors).toBeUndefined();
      expect([body.data?.a?.state, body.data?.b?.state, body.data?.again?.state]).toEqual([
        'SUCCEEDED',
        'SUCCEEDED',
        'SUCCEEDED',
      ]);
      // Two distinct tasks (the first asked for twice).
      expect(count(driver, r, 'task') - before).toBe(Math.ceil(2 / driver.taskIdsPerQuery));
    },
  ],
  C06: [
    'throttle retried: one throttle answer, then the copy succeeds with two upstream calls',
    async (driver) => {
      const r = await rig(driver);
      driver.fault(r.first.upstream, 'throttle-once');
      const outcome = await copy(r, driver.batch(r.first.upstream, 1).input);
      expect(outcome.__typename).toBe('CopySucceeded');
      expect(count(driver, r, 'copy')).toBe(2);
    },
  ],
  C07: [
    '5xx after the work → items UNKNOWN (not retryable), and the copy is not sent again',
    async (driver) => {
      const r = await rig(driver);
      driver.fault(r.first.upstream, '5xx-after-work');
      const outcome = await copy(r, driver.batch(r.first.upstream, 2).input);
      if (outcome.__typename !== 'CopyPartiallyFailed') throw new Error(`got ${outcome.__typename}`);
      expect(outcome.items.map((i) => [i.status, i.error?.retryable])).toEqual([
        ['UNKNOWN', false],
        ['UNKNOWN', false],
      ]);
      expect(outcome.items[0]?.error?.upstream?.httpStatus).toBeGreaterThanOrEqual(500);
      expect(count(driver, r, 'copy')).toBe(1);
    },
  ],
  C08: [
    'connection reset after the work → items UNKNOWN, and the copy is not sent again',
    async (driver) => {
      const r = await rig(driver);
      driver.fault(r.first.upstream, 'reset-after-work');
      const outcome = await copy(r, driver.batch(r.first.upstream, 2).input);
      if (outcome.__typename !== 'CopyPartiallyFailed') throw new Error(`got ${outcome.__typename}`);
      expect(outcome.items.map((i) => [i.status, i.error?.retryable])).toEqual([
        ['UNKNOWN', false],
        ['UNKNOWN', false],
      ]);
      expect(outcome.summary.unknown).toBe(2);
      expect(count(driver, r, 'copy')).toBe(1);
    },
  ],
  C09: [
    'managed token refresh once: a rejected token is replaced by one new token request, then the copy goes through',
    async (driver) => {
      const r = await rig(driver, 'managed');
      expect((await copy(r, driver.batch(r.first.upstream, 1).input)).__typename).toBe('CopySucceeded');
      expect(count(driver, r, 'token')).toBe(1);
      driver.rejectToken(r.first.upstream, r.first.exchanges);
      expect((await copy(r, driver.batch(r.first.upstream, 1).input)).__typename).toBe('CopySucceeded');
      expect(count(driver, r, 'token')).toBe(2);
      expect(count(driver, r, 'copy')).toBe(3);
    },
  ],
  C10: [
    'malformed task id → BAD_USER_INPUT without an upstream call',
    async (driver) => {
      const r = await rig(driver);
      // The provider's own tag with none of its fields, and an id that is not one of ours at all.
      const tagged = `ct1_${deflateRawSync(JSON.stringify({ p: driver.module.taskRefs.tag })).toString('base64url')}`;
      for (const id of [tagged, 'ct1_!!not-base64!!', 'not-a-task-id']) {
        const { body } = await r.graphql(OneTask, { id });
        expect(body.data?.copyTask ?? null, id).toBeNull();
        expect(
          body.errors?.map((e) => e.extensions?.code),
          id,
        ).toEqual(['BAD_USER_INPUT']);
      }
      expect(r.first.exchanges).toEqual([]);
    },
  ],
  C11: [
    'no secret anywhere: no token or secret that crossed the wire appears in an answer or a log line',
    async (driver) => {
      const modes: RigMode[] = driver.unsupported.C09 ? ['pass-through'] : ['pass-through', 'managed'];
      for (const mode of modes) {
        const r = await rig(driver, mode);
        expect((await copy(r, driver.batch(r.first.upstream, 1).input)).__typename).toBe('CopySucceeded');
        if (!driver.unsupported.C07) {
          driver.fault(r.first.upstream, '5xx-after-work');
          await copy(r, driver.batch(r.first.upstream, 1).input);
        }
        await r.graphql(OneTask, { id: 'not-a-task-id' });
        const secrets = new Set([
          ...r.first.upstream.secrets,
          ...r.first.exchanges.flatMap((e) => driver.secretsIn(e)),
        ]);
        expect(secrets.size).toBeGreaterThan(0);
        const texts = [...r.answers, ...r.gw.logs];
        const leaks = [...secrets].filter((secret) => texts.some((text) => text.includes(secret)));
        expect(leaks, mode).toEqual([]);
      }
    },
  ],
};

for (const driver of conformanceDrivers()) {
  describe(`provider ${driver.module.id}`, () => {
    for (const [id, [title, run]] of Object.entries(behaviours) as [BehaviourId, [string, Behaviour]][]) {
      const reason = driver.unsupported[id];
      if (reason) it.skip(`${id} ${title} — unsupported: ${reason}`, () => undefined);
      else it(`${id} ${title}`, () => run(driver));
    }
  });
}
