/**
 * Items whose answer was lost, settled by looking at SMH targets (never by sending again), over real
 * HTTP: GraphQL → gateway → SMH emulator. The emulator's "fault after work" runs the copy and loses its
 * answer; a fault before work loses the request. Its records say what actually ran.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LIBRARY_ID as LIB,
  startSmhEmulator,
  type FaultRule,
  type SmhEmulator,
} from '../../src/emulators/smh/index.js';
import {
  SMH_COPY,
  type ResolutionCopyAnswer,
  type ResolutionTaskAnswer,
  type ResolvedItem,
  TASK,
} from '../helpers/resolution.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const BATCH = '/api/v1/batch/';
const SPACE = '-';

let emu: SmhEmulator;
let token: string;
const gateways: TestGateway[] = [];
let n = 0;

async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const gw = await startGateway({
    SMH_BASE_URL: emu.url,
    UNKNOWN_GRACE_MS: '30',
    UNKNOWN_WINDOW_SECONDS: '2',
    CIRCUIT_MIN_REQUESTS: '100000',
    ...env,
  });
  gateways.push(gw);
  return gw;
}

beforeAll(async () => {
  emu = await startSmhEmulator({ seed: true });
  token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await emu?.close();
});

/** A fresh folder with a source file and, optionally, a file of other content at the target name. */
function setUp(taken: boolean): { from: string; to: string; dir: string } {
  n += 1;
  const dir = `r${n}`;
  emu.state.putFile(LIB, SPACE, `${dir}/src/a.txt`, { content: `source ${n}` });
  if (taken) emu.state.putFile(LIB, SPACE, `${dir}/dst/a.txt`, { content: `other ${n} (different)` });
  else emu.state.mkdir(LIB, SPACE, `${dir}/dst`);
  return { from: `${dir}/src/a.txt`, to: `${dir}/dst/a.txt`, dir };
}

/** One batch copy of one item; `fault` (if any) fires on it. Exactly one batch call reaches SMH. */
async function copyWith(gw: TestGateway, from: string, to: string, strategy: string, fault?: FaultRule) {
  if (fault) emu.faults.add({ method: 'POST', pathIncludes: BATCH, times: 1, ...fault });
  const before = emu.stats.requests['batch.copy'] ?? 0;
  const res = await gw.graphql<ResolutionCopyAnswer>(
    SMH_COPY,
    { input: { libraryId: LIB, items: [{ from, to, conflictStrategy: strategy }] } },
    { 'x-smh-access-token': token },
  );
  expect(res.body.errors).toBeUndefined();
  // Exactly one batch call reached SMH: nothing was sent again.
  expect((emu.stats.requests['batch.copy'] ?? 0) - before).toBe(1);
  return res.body.data!.batchCopy;
}

async function copy(gw: TestGateway, from: string, to: string, strategy: string, after: boolean) {
  return copyWith(gw, from, to, strategy, { after, kind: 'reset' });
}

/** The item as the answer's task has it once the task is done (its looks ended), or as answered. */
async function finalItem(gw: TestGateway, answer: ResolutionCopyAnswer['batchCopy']): Promise<ResolvedItem> {
  let item = answer.items[0]!;
  let done = answer.task === undefined;
  for (let i = 0; i < 150 && !done; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const res = await gw.graphql<ResolutionTaskAnswer>(
      TASK,
      { id: answer.task!.id },
      { 'x-smh-access-token': token },
    );
    item = res.body.data!.copyTask.items[0]!;
    done = res.body.data!.copyTask.done;
  }
  expect(done).toBe(true);
  return item;
}

/** A fresh folder with a source directory holding a nested tree, and optionally a directory at the target name. */
function setUpDirectory(taken: boolean): { from: string; to: string; dir: string } {
  n += 1;
  const dir = `d${n}`;
  emu.state.putFile(LIB, SPACE, `${dir}/src/album/a.txt`, { content: `a ${n}` });
  emu.state.putFile(LIB, SPACE, `${dir}/src/album/deep/b.txt`, { content: `b ${n}` });
  emu.state.mkdir(LIB, SPACE, `${dir}/src/album/empty`);
  if (taken) emu.state.putFile(LIB, SPACE, `${dir}/dst/album/other.txt`, { content: `other ${n}` });
  else emu.state.mkdir(LIB, SPACE, `${dir}/dst`);
  return { from: `${dir}/src/album`, to: `${dir}/dst/album`, dir };
}

describe.each(['lookup', 'snapshot'] as const)(
  'SMH: an answer lost after the copy ran is settled by looking (%s)',
  (mode) => {
    // Under snapshot the inodes prove the copy new, however close to the send it was made; under lookup
    // (the default) an entry made at the send counts because the gateway did not produce it before. A
    // directory is settled only when the whole tree at the target matches the source's.
    it.each([
      ['file', 'FAIL', false, 'a.txt', false],
      ['file', 'RENAME', true, 'a (1).txt', true],
      ['file', 'OVERWRITE', true, 'a.txt', false],
      ['directory', 'FAIL', false, 'album', false],
      ['directory', 'RENAME', true, 'album (1)', true],
    ] as const)(
      '%s, %s (target taken: %s) → SUCCEEDED with the copy (%s) as result',
      async (what, strategy, taken, name, renamed) => {
        const gw = await gateway(mode === 'snapshot' ? { UNKNOWN_RESOLUTION: mode } : {});
        const { from, to, dir } = what === 'file' ? setUp(taken) : setUpDirectory(taken);
        const answer = await copy(gw, from, to, strategy, true);
        expect(answer.__typename).toBe('CopySucceeded');
        expect(answer.items[0]).toMatchObject({
          status: 'SUCCEEDED',
          result: `${dir}/dst/${name}`,
          renamed,
          evidence: 'TARGET_LOOKUP',
          error: null,
        });
        expect(answer.items[0]?.checkedAt).toEqual(expect.any(String));
        // The copy ran once, where the answer says.
        expect(emu.stats.copiesTo(SPACE, `${dir}/dst/${name}`)).toHaveLength(1);
      },
    );

    it('an answer that arrived keeps evidence UPSTREAM_ANSWER', async () => {
      const gw = await gateway();
      const { from, to } = setUp(false);
      const res = await gw.graphql<ResolutionCopyAnswer>(
        SMH_COPY,
        { input: { libraryId: LIB, items: [{ from, to }] } },
        { 'x-smh-access-token': token },
      );
      expect(res.body.data!.batchCopy.items[0]).toMatchObject({
        status: 'SUCCEEDED',
        evidence: 'UPSTREAM_ANSWER',
        checkedAt: null,
      });
    });
  },
);

describe('SMH: an answer lost after a late copy is settled by its time (lookup)', () => {
  it('a copy SMH ran as a task seconds after the send is provably new by its creationTime → SUCCEEDED', async () => {
    // SMH runs every batch as a task that copies 5 s later; the 202 answer with the task id is lost.
    // No snapshot: only the copy's time, well after the send whatever the clocks' uncertainty, proves
    // it new.
    const late = await startSmhEmulator({ seed: true, asyncThreshold: 'always', taskDurationMs: 5000 });
    try {
      const gw = await startGateway({
        SMH_BASE_URL: late.url,
        UNKNOWN_GRACE_MS: '500',
        UNKNOWN_WINDOW_SECONDS: '15',
        CIRCUIT_MIN_REQUESTS: '100000',
      });
      gateways.push(gw);
      late.state.putFile(LIB, SPACE, 'late/src/a.txt', { content: 'late source' });
      late.state.mkdir(LIB, SPACE, 'late/dst');
      late.faults.add({ method: 'POST', pathIncludes: BATCH, times: 1, after: true, kind: 'reset' });
      const res = await gw.graphql<ResolutionCopyAnswer>(
        SMH_COPY,
        { input: { libraryId: LIB, items: [{ from: 'late/src/a.txt', to: 'late/dst/a.txt' }] } },
        { 'x-smh-access-token': late.issueToken({ libraryId: LIB, grants: ['admin'] }) },
      );
      expect(res.body.errors).toBeUndefined();
      const answer = res.body.data!.batchCopy;
      expect(answer.items[0]).toMatchObject({ status: 'UNKNOWN' });
      let item = answer.items[0]!;
      for (let i = 0; i < 150 && item.status === 'UNKNOWN'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const task = await gw.graphql<ResolutionTaskAnswer>(
          TASK,
          { id: answer.task!.id },
          { 'x-smh-access-token': late.issueToken({ libraryId: LIB, grants: ['admin'] }) },
        );
        item = task.body.data!.copyTask.items[0]!;
      }
      expect(item).toMatchObject({
        status: 'SUCCEEDED',
        result: 'late/dst/a.txt',
        evidence: 'TARGET_LOOKUP',
      });
      expect(late.stats.copiesTo(SPACE, 'late/dst/a.txt')).toHaveLength(1);
    } finally {
      await late.close();
    }
  });
});

describe('SMH: a copy that never ran is not given an earlier copy made a moment before (red team)', () => {
  // The same copy ran a moment ago and answered; the repeat is answered 500 before SMH does any work.
  // The target holds the first copy, dated within a second or two of the repeat's send: under lookup
  // nothing proves it new, so the repeat stays UNKNOWN; a snapshot proves it was there before.
  it.each([
    ['lookup', 'file', 'FAIL', 'UNKNOWN', null],
    ['lookup', 'file', 'RENAME', 'UNKNOWN', null],
    ['lookup', 'file', 'OVERWRITE', 'UNKNOWN', null],
    ['lookup', 'directory', 'FAIL', 'UNKNOWN', null],
    ['lookup', 'directory', 'RENAME', 'UNKNOWN', null],
    ['snapshot', 'file', 'FAIL', 'FAILED', 'CONFLICT'],
    ['snapshot', 'file', 'RENAME', 'UNKNOWN', null],
    ['snapshot', 'file', 'OVERWRITE', 'UNKNOWN', null],
    ['snapshot', 'directory', 'RENAME', 'UNKNOWN', null],
  ] as const)('%s, %s, %s → %s, never SUCCEEDED', async (mode, what, strategy, status, code) => {
    const gw = await gateway({ UNKNOWN_RESOLUTION: mode, UNKNOWN_WINDOW_SECONDS: '1' });
    const { from, to } = what === 'file' ? setUp(false) : setUpDirectory(false);
    const first = await copyWith(gw, from, to, strategy);
    expect(first.items[0]).toMatchObject({ status: 'SUCCEEDED', result: to, evidence: 'UPSTREAM_ANSWER' });
    const repeat = await copyWith(gw, from, to, strategy, {
      kind: 'status',
      status: 500,
      code: 'InternalServerError',
    });
    expect(repeat.items[0]).not.toMatchObject({ status: 'SUCCEEDED' });
    const item = await finalItem(gw, repeat);
    expect(item).toMatchObject({ status, ...(code ? { error: { code } } : {}) });
    // Only the first copy ran.
    expect(emu.stats.copies.filter((c) => c.copyFrom.join('/') === from)).toHaveLength(1);
  });
});

describe('SMH: the red team through two replicas that share Redis (lookup)', () => {
  // The first copy answers through replica A; the repeat, lost before SMH did any work, goes through B.
  // B knows the entry as A's result from Redis, so it never takes it for the repeat's copy.
  it.each([
    ['file', 'FAIL'],
    ['file', 'RENAME'],
    ['file', 'OVERWRITE'],
    ['directory', 'RENAME'],
  ] as const)('%s, %s: the repeat through B stays UNKNOWN', async (what, strategy) => {
    const shared = {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      JOBS_KEY_PREFIX: `test-produced-${randomUUID()}:`,
      UNKNOWN_WINDOW_SECONDS: '1',
    };
    const [a, b] = await Promise.all([gateway(shared), gateway(shared)]);
    const { from, to } = what === 'file' ? setUp(false) : setUpDirectory(false);
    const first = await copyWith(a!, from, to, strategy);
    expect(first.items[0]).toMatchObject({ status: 'SUCCEEDED', result: to, evidence: 'UPSTREAM_ANSWER' });
    const repeat = await copyWith(b!, from, to, strategy, {
      kind: 'status',
      status: 500,
      code: 'InternalServerError',
    });
    expect(repeat.items[0]).not.toMatchObject({ status: 'SUCCEEDED' });
    expect(await finalItem(b!, repeat)).toMatchObject({ status: 'UNKNOWN' });
    expect(emu.stats.copies.filter((c) => c.copyFrom.join('/') === from)).toHaveLength(1);
  });

  it('a lost copy that ran through B is still settled SUCCEEDED', async () => {
    const shared = {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      JOBS_KEY_PREFIX: `test-produced-${randomUUID()}:`,
    };
    const [a, b] = await Promise.all([gateway(shared), gateway(shared)]);
    // A produced another copy in the same folder a moment before: it does not hide B's.
    const other = setUp(false);
    await copyWith(a!, other.from, other.to, 'FAIL');
    const { from, to } = setUp(false);
    const answer = await copy(b!, from, to, 'FAIL', true);
    expect(answer.items[0]).toMatchObject({ status: 'SUCCEEDED', result: to, evidence: 'TARGET_LOOKUP' });
  });
});

describe('SMH: a copy still running as a task nobody read is known by its target (lookup)', () => {
  it('the repeat of a copy accepted as an SMH task, lost before work, stays UNKNOWN', async () => {
    // SMH runs every batch as a task that copies 300 ms later. The first request is answered PENDING
    // (nobody reads its task); the repeat is answered 500 before any work. The entry the task makes is
    // dated around the repeat's send, but the gateway recorded the first request's PENDING target.
    const tasks = await startSmhEmulator({ seed: true, asyncThreshold: 'always', taskDurationMs: 300 });
    try {
      const gw = await gateway({ SMH_BASE_URL: tasks.url });
      const auth = { 'x-smh-access-token': tasks.issueToken({ libraryId: LIB, grants: ['admin'] }) };
      tasks.state.putFile(LIB, SPACE, 'pt/src/a.txt', { content: 'pending source' });
      tasks.state.mkdir(LIB, SPACE, 'pt/dst');
      const input = { libraryId: LIB, items: [{ from: 'pt/src/a.txt', to: 'pt/dst/a.txt' }] };
      const first = await gw.graphql<ResolutionCopyAnswer>(SMH_COPY, { input }, auth);
      expect(first.body.data!.batchCopy.items[0]).toMatchObject({ status: 'PENDING' });
      tasks.faults.add({
        method: 'POST',
        pathIncludes: BATCH,
        times: 1,
        kind: 'status',
        status: 500,
        code: 'InternalServerError',
      });
      const repeat = await gw.graphql<ResolutionCopyAnswer>(SMH_COPY, { input }, auth);
      const answer = repeat.body.data!.batchCopy;
      expect(answer.items[0]).toMatchObject({ status: 'UNKNOWN' });
      let item = answer.items[0]!;
      let done = false;
      for (let i = 0; i < 150 && !done; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const task = await gw.graphql<ResolutionTaskAnswer>(TASK, { id: answer.task!.id }, auth);
        item = task.body.data!.copyTask.items[0]!;
        done = task.body.data!.copyTask.done;
      }
      expect(done).toBe(true);
      expect(item).toMatchObject({ status: 'UNKNOWN' });
      // The first request's task made the copy; the repeat never ran.
      tasks.settleTasks();
      expect(tasks.stats.copiesTo(SPACE, 'pt/dst/a.txt')).toHaveLength(1);
    } finally {
      await tasks.close();
    }
  });
});

describe('SMH directories: a new directory is not enough', () => {
  it('a directory made at the target by someone else, with other content, is not taken for the copy', async () => {
    const gw = await gateway({ UNKNOWN_WINDOW_SECONDS: '1', UNKNOWN_GRACE_MS: '400' });
    const { from, to } = setUpDirectory(false);
    // The request is lost before SMH runs it; after the send, another client makes the target
    // directory: it is new since the send, but its tree is not the source's.
    emu.faults.add({ method: 'POST', pathIncludes: BATCH, times: 1, after: false, kind: 'reset' });
    const sent = gw.graphql<ResolutionCopyAnswer>(
      SMH_COPY,
      { input: { libraryId: LIB, items: [{ from, to, conflictStrategy: 'FAIL' }] } },
      { 'x-smh-access-token': token },
    );
    await new Promise((r) => setTimeout(r, 150));
    emu.state.putFile(LIB, SPACE, `${to}/a.txt`, { content: 'someone else' });
    const res = await sent;
    expect(res.body.errors).toBeUndefined();
    const answer = res.body.data!.batchCopy;
    expect(answer.items[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
    expect(answer.items[0]?.checkedAt).toEqual(expect.any(String));
    expect(emu.stats.copiesTo(SPACE, to)).toHaveLength(0);
  });
});

describe('SMH: a copy that did not run', () => {
  it.each(['FAIL', 'RENAME', 'OVERWRITE'])(
    '%s stays UNKNOWN under lookup, with a task that keeps looking until the window ends',
    async (strategy) => {
      const gw = await gateway({ UNKNOWN_WINDOW_SECONDS: '1' });
      const { from, to } = setUp(strategy !== 'FAIL');
      const answer = await copy(gw, from, to, strategy, false);
      expect(answer.__typename).toBe('CopyAccepted');
      expect(answer.items[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
      expect(answer.items[0]?.checkedAt).toEqual(expect.any(String));
      expect(answer.task?.done).toBe(false);
      let task: ResolutionTaskAnswer['copyTask'] | undefined;
      for (let i = 0; i < 40 && !task?.done; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const res = await gw.graphql<ResolutionTaskAnswer>(
          TASK,
          { id: answer.task!.id },
          { 'x-smh-access-token': token },
        );
        task = res.body.data!.copyTask;
      }
      // An UNKNOWN item may have been copied: the task did not fail as a whole.
      expect(task).toMatchObject({ done: true, state: 'PARTIALLY_FAILED' });
      expect(task!.items[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
      expect(emu.stats.copiesTo(SPACE, to)).toHaveLength(0);
    },
  );

  it('FAIL onto a name taken before becomes FAILED CONFLICT under snapshot', async () => {
    const gw = await gateway({ UNKNOWN_RESOLUTION: 'snapshot' });
    const { from, to } = setUp(true);
    const answer = await copy(gw, from, to, 'FAIL', false);
    expect(answer.__typename).toBe('CopyPartiallyFailed');
    expect(answer.items[0]).toMatchObject({
      status: 'FAILED',
      evidence: 'TARGET_LOOKUP',
      error: { code: 'CONFLICT' },
    });
  });

  it('stays UNKNOWN with resolution off, and nothing is read', async () => {
    const gw = await gateway({ UNKNOWN_RESOLUTION: 'off' });
    const { from, to } = setUp(false);
    const reads = emu.stats.requests['directory.get'] ?? 0;
    const answer = await copy(gw, from, to, 'FAIL', true);
    expect(answer.__typename).toBe('CopyPartiallyFailed');
    expect(answer.items[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE', checkedAt: null });
    expect(emu.stats.requests['directory.get'] ?? 0).toBe(reads);
  });
});
