/**
 * Items whose answer was lost, settled by looking at the DingTalk target folder (never by sending
 * again), over real HTTP: GraphQL → gateway → DingTalk emulator. The emulator's "fault after work" runs
 * the copy and loses its answer; its records say what actually ran.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DINGTALK_SEED as SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
  type FaultRule,
} from '../../src/emulators/dingtalk/index.js';
import {
  DINGTALK_COPY,
  TASK,
  type ResolutionTaskAnswer,
  type ResolutionCopyAnswer,
  type ResolvedItem,
} from '../helpers/resolution.js';
import { seededDingTalkInput } from '../helpers/dingtalk-input.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

let emu: DingTalkEmulator;
let token: string;
const gateways: TestGateway[] = [];
let n = 0;

async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const gw = await startGateway({
    DINGTALK_BASE_URL: emu.url,
    UNKNOWN_GRACE_MS: '30',
    UNKNOWN_WINDOW_SECONDS: '1',
    CIRCUIT_MIN_REQUESTS: '100000',
    ...env,
  });
  gateways.push(gw);
  return gw;
}

beforeAll(async () => {
  emu = await startDingTalkEmulator({ seed: true });
  token = emu.issueToken();
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await emu?.close();
});

/** A fresh source file and target folder; `taken`: the folder holds another file of the same name. */
function setUp(taken: boolean): { source: string; folder: string } {
  n += 1;
  const source = emu.state.createFile(SEED.sourceSpaceId, `doc${n}.txt`, { size: 1000 + n }).id;
  const folder = emu.state.createFolder(SEED.targetSpaceId, `t${n}`).id;
  if (taken) emu.state.createFile(SEED.targetSpaceId, `doc${n}.txt`, { parentId: folder, size: 7 });
  return { source, folder };
}

/** One batch copy of one dentry; `fault` (if any) fires on it. Exactly one batch call reaches DingTalk. */
async function copyWith(
  gw: TestGateway,
  source: string,
  folder: string,
  strategy: string,
  fault?: FaultRule,
) {
  if (fault) emu.faults.add({ method: 'POST', pathIncludes: '/batchCopy', times: 1, ...fault });
  const before = emu.stats.requestsByRoute.batchCopy ?? 0;
  const res = await gw.graphql<ResolutionCopyAnswer>(
    DINGTALK_COPY,
    {
      input: seededDingTalkInput([source], { targetFolderId: folder, conflictStrategy: strategy }),
    },
    { 'x-acs-dingtalk-access-token': token },
  );
  expect(res.body.errors).toBeUndefined();
  // One batch call reached DingTalk: nothing was sent again.
  expect((emu.stats.requestsByRoute.batchCopy ?? 0) - before).toBe(1);
  return res.body.data!.batchCopy;
}

async function copy(gw: TestGateway, source: string, folder: string, strategy: string, after: boolean) {
  return copyWith(gw, source, folder, strategy, { after, kind: 'reset' });
}

/** The item as the answer's task has it once the task is done (its looks ended), or as answered. */
async function finalItem(gw: TestGateway, answer: ResolutionCopyAnswer['batchCopy']): Promise<ResolvedItem> {
  let item = answer.items[0]!;
  let done = answer.task === undefined;
  for (let i = 0; i < 100 && !done; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const res = await gw.graphql<ResolutionTaskAnswer>(
      TASK,
      { id: answer.task!.id },
      { 'x-acs-dingtalk-access-token': token },
    );
    item = res.body.data!.copyTask.items[0]!;
    done = res.body.data!.copyTask.done;
  }
  expect(done).toBe(true);
  return item;
}

describe.each(['lookup', 'snapshot'] as const)(
  'DingTalk: an answer lost after the copy ran is settled by looking (%s)',
  (mode) => {
    // Under snapshot the ids prove the copy new, however close to the send it was made; under lookup (the
    // default) an entry made at the send counts because the gateway did not produce it before.
    it.each([
      ['FAIL', false],
      ['RENAME', true],
      ['OVERWRITE', true],
      ['KEEP_EXISTING', false],
    ] as const)('%s (name taken: %s) → SUCCEEDED with the new dentry as result', async (strategy, taken) => {
      const gw = await gateway(mode === 'snapshot' ? { UNKNOWN_RESOLUTION: mode } : {});
      const { source, folder } = setUp(taken);
      const answer = await copy(gw, source, folder, strategy, true);
      const ran = emu.stats.copiesOf(source);
      expect(ran).toHaveLength(1);
      expect(answer.__typename).toBe('CopySucceeded');
      expect(answer.items[0]).toMatchObject({
        status: 'SUCCEEDED',
        result: ran[0]!.targetDentryId,
        evidence: 'TARGET_LOOKUP',
        error: null,
      });
    });
  },
);

describe.each(['lookup', 'snapshot'] as const)('DingTalk: folders (%s)', (mode) => {
  it.each([
    ['an empty folder', 'emptyFolderId'],
    ['a folder with entries (copied by a task whose id was lost)', 'folderId'],
  ] as const)('%s → SUCCEEDED once its tree equals the source tree', async (_what, key) => {
    const gw = await gateway({ UNKNOWN_RESOLUTION: mode, UNKNOWN_WINDOW_SECONDS: '5' });
    const folder = emu.state.createFolder(SEED.targetSpaceId, `tf${(n += 1)}`).id;
    const source = SEED[key];
    const ran = emu.stats.copiesOf(source).length;
    const answer = await copy(gw, source, folder, 'FAIL', true);
    const root = emu.stats.copiesOf(source)[ran]!.targetDentryId;
    let item = answer.items[0]!;
    for (let i = 0; i < 50 && item.status === 'UNKNOWN'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await gw.graphql<ResolutionTaskAnswer>(
        TASK,
        { id: answer.task!.id },
        { 'x-acs-dingtalk-access-token': token },
      );
      item = res.body.data!.copyTask.items[0]!;
    }
    expect(item).toMatchObject({ status: 'SUCCEEDED', result: root, evidence: 'TARGET_LOOKUP' });
    expect(emu.stats.copiesOf(source)).toHaveLength(ran + 1);
  });
});

describe('DingTalk: a copy that never ran is not given an earlier copy made a moment before (red team)', () => {
  // The same copy ran a moment ago and answered; the repeat is answered systemError (500) before
  // DingTalk does any work. The folder holds the first copy, dated within a second of the repeat's
  // send: under lookup nothing proves it new, so the repeat stays UNKNOWN; a snapshot proves it was
  // there before (FAIL: the repeat cannot have copied; KEEP_EXISTING: the existing entry is the answer).
  it.each([
    ['lookup', 'file', 'FAIL', 'UNKNOWN'],
    ['lookup', 'file', 'RENAME', 'UNKNOWN'],
    ['lookup', 'file', 'OVERWRITE', 'UNKNOWN'],
    ['lookup', 'file', 'KEEP_EXISTING', 'UNKNOWN'],
    ['lookup', 'folder', 'FAIL', 'UNKNOWN'],
    ['lookup', 'folder', 'RENAME', 'UNKNOWN'],
    ['snapshot', 'file', 'FAIL', 'FAILED'],
    ['snapshot', 'file', 'RENAME', 'UNKNOWN'],
    ['snapshot', 'file', 'OVERWRITE', 'UNKNOWN'],
    ['snapshot', 'file', 'KEEP_EXISTING', 'SUCCEEDED'],
    ['snapshot', 'folder', 'RENAME', 'UNKNOWN'],
  ] as const)('%s, %s, %s → %s, never the earlier copy as this one', async (mode, what, strategy, status) => {
    const gw = await gateway({ UNKNOWN_RESOLUTION: mode });
    const source = what === 'file' ? setUp(false).source : SEED.emptyFolderId;
    const folder =
      what === 'file' ? setUp(false).folder : emu.state.createFolder(SEED.targetSpaceId, `rt${(n += 1)}`).id;
    const ran = emu.stats.copiesOf(source).length;
    const first = await copyWith(gw, source, folder, strategy);
    const made = first.items[0]!.result;
    expect(first.items[0]).toMatchObject({ status: 'SUCCEEDED', evidence: 'UPSTREAM_ANSWER' });
    const repeat = await copyWith(gw, source, folder, strategy, {
      kind: 'status',
      status: 500,
      code: 'systemError',
    });
    const item = await finalItem(gw, repeat);
    expect(item.status).toBe(status);
    if (status === 'FAILED') expect(item.error).toMatchObject({ code: 'CONFLICT' });
    // KEEP_EXISTING copies nothing onto a taken name, by design: the existing entry is the answer.
    if (status === 'SUCCEEDED') expect(item).toMatchObject({ result: made, evidence: 'TARGET_LOOKUP' });
    // Only the first copy ran.
    expect(emu.stats.copiesOf(source)).toHaveLength(ran + 1);
  });
});

describe('DingTalk: the red team through two replicas that share Redis (lookup)', () => {
  // The first copy answers through replica A; the repeat, lost before DingTalk did any work, goes
  // through B, which knows the new dentry as A's result from Redis.
  it.each([
    ['file', 'FAIL'],
    ['file', 'RENAME'],
    ['file', 'OVERWRITE'],
    ['folder', 'RENAME'],
  ] as const)('%s, %s: the repeat through B stays UNKNOWN', async (what, strategy) => {
    const shared = {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      JOBS_KEY_PREFIX: `test-produced-${randomUUID()}:`,
    };
    const [a, b] = await Promise.all([gateway(shared), gateway(shared)]);
    const source = what === 'file' ? setUp(false).source : SEED.emptyFolderId;
    const folder =
      what === 'file' ? setUp(false).folder : emu.state.createFolder(SEED.targetSpaceId, `rr${(n += 1)}`).id;
    const ran = emu.stats.copiesOf(source).length;
    const first = await copyWith(a!, source, folder, strategy);
    expect(first.items[0]).toMatchObject({ status: 'SUCCEEDED', evidence: 'UPSTREAM_ANSWER' });
    const repeat = await copyWith(b!, source, folder, strategy, {
      kind: 'status',
      status: 500,
      code: 'systemError',
    });
    expect(repeat.items[0]).not.toMatchObject({ status: 'SUCCEEDED' });
    expect(await finalItem(b!, repeat)).toMatchObject({ status: 'UNKNOWN' });
    expect(emu.stats.copiesOf(source)).toHaveLength(ran + 1);
  });
});

describe('DingTalk: a copy that did not run', () => {
  it.each(['FAIL', 'RENAME', 'OVERWRITE', 'KEEP_EXISTING'])(
    '%s stays UNKNOWN under lookup',
    async (strategy) => {
      const gw = await gateway();
      const { source, folder } = setUp(strategy !== 'FAIL');
      const answer = await copy(gw, source, folder, strategy, false);
      expect(answer.__typename).toBe('CopyAccepted');
      expect(answer.items[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
      expect(emu.stats.copiesOf(source)).toHaveLength(0);
    },
  );

  it('FAIL onto a name taken before becomes FAILED CONFLICT under snapshot', async () => {
    const gw = await gateway({ UNKNOWN_RESOLUTION: 'snapshot' });
    const { source, folder } = setUp(true);
    const answer = await copy(gw, source, folder, 'FAIL', false);
    expect(answer.__typename).toBe('CopyPartiallyFailed');
    expect(answer.items[0]).toMatchObject({
      status: 'FAILED',
      evidence: 'TARGET_LOOKUP',
      error: { code: 'CONFLICT' },
    });
  });

  it('KEEP_EXISTING onto a name taken before gives the existing entry under snapshot', async () => {
    const gw = await gateway({ UNKNOWN_RESOLUTION: 'snapshot' });
    const { source, folder } = setUp(true);
    const existing = emu.state.children(SEED.targetSpaceId, folder)[0]!.id;
    const answer = await copy(gw, source, folder, 'KEEP_EXISTING', false);
    expect(answer.items[0]).toMatchObject({
      status: 'SUCCEEDED',
      result: existing,
      evidence: 'TARGET_LOOKUP',
    });
  });
});
