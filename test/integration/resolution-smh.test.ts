/**
 * Items whose answer was lost, settled by looking at SMH targets (never by sending again), over real
 * HTTP: GraphQL → gateway → SMH emulator. The emulator's "fault after work" runs the copy and loses its
 * answer; a fault before work loses the request. Its records say what actually ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LIBRARY_ID as LIB, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import {
  SMH_COPY,
  type ResolutionCopyAnswer,
  type ResolutionTaskAnswer,
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

async function copy(gw: TestGateway, from: string, to: string, strategy: string, after: boolean) {
  emu.faults.add({ method: 'POST', pathIncludes: BATCH, times: 1, after, kind: 'reset' });
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

describe('SMH: an answer lost after the copy ran is settled by looking (lookup)', () => {
  // A directory is settled only when the whole tree at the target matches the source's.
  it.each([
    ['file', 'FAIL', false, 'a.txt', false],
    ['file', 'RENAME', true, 'a (1).txt', true],
    ['file', 'OVERWRITE', true, 'a.txt', false],
    ['directory', 'FAIL', false, 'album', false],
    ['directory', 'RENAME', true, 'album (1)', true],
  ] as const)(
    '%s, %s (target taken: %s) → SUCCEEDED with the copy (%s) as result',
    async (what, strategy, taken, name, renamed) => {
      const gw = await gateway();
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
