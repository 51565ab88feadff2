/**
 * The SMH half of the gateway over real HTTP: GraphQL client → gateway → (recording proxy →) SMH
 * emulator, all on 127.0.0.1. Every test gets a fresh seeded emulator on a manual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTaskId } from '../helpers/task-ids.js';
import {
  batchCopy,
  copyError,
  copyOk,
  item,
  LIB,
  loadTask,
  SECRET,
  startSmhRig,
  TASK,
  TASK_FIELDS,
  until,
  type GqlItem,
  type RigOptions,
  type SmhRig,
} from '../helpers/smh-rig.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH_PATH = '/api/v1/batch/';
const LONG_NAME = `${'n'.repeat(251)}.jpg`;
const REQUEST_ID = /^smh-[0-9a-f]{6}-[0-9a-f]{8}$/;

// Verbatim from shared/seeds/smh-batch-copy.txt.
const SEED_REQUEST =
  '[{"copyFromSpaceId":"spaceNJsnjdiq","copyFrom": "bar","to": "foo/bar"},{"copyFrom": "foo/1.jpg","to": "bar/1.jpg"},{"copyFrom": "foo/2.jpg","to": "bar/2.jpg","conflictResolutionStrategy": "overwrite"}]';
const SEED_RESPONSE =
  '{"result": [{"status": 204,"copyFrom": "bar","to": [ "foo", "bar" ]},{"status": 200,"path": [ "bar", "1 (1).jpg" ],"copyFrom": [ "foo", "1.jpg" ],"to": [ "bar", "1.jpg" ]},{"status": 204,"copyFrom": [ "foo", "2.jpg" ],"to": [ "bar", "2.jpg" ]}]}';
const SEED_TASK_RESPONSE =
  '[{"taskId": 16,"status": 200,"result": [{"status": 204,"copyFrom": "bar","to": [ "foo", "bar" ]},{"status": 200,"path": [ "bar", "1 (1).jpg" ],"copyFrom": [ "foo", "1.jpg" ],"to": [ "bar", "1.jpg" ]},{"status": 204,"copyFrom": [ "foo", "2.jpg" ],"to": [ "bar", "2.jpg" ]}]}]';

/**
 * The seed request in GraphQL. The seed's first two items set no strategy (SMH then defaults to `ask`
 * for directories and `rename` for files); the gateway always sends one, so these are the strategies
 * that give the seed's statuses.
 */
const SEED_ITEMS_IN = [
  { from: 'bar', to: 'foo/bar', fromSpaceId: 'spaceNJsnjdiq', conflictStrategy: 'FAIL' as const },
  { from: 'foo/1.jpg', to: 'bar/1.jpg', conflictStrategy: 'RENAME' as const },
  { from: 'foo/2.jpg', to: 'bar/2.jpg', conflictStrategy: 'OVERWRITE' as const },
];

/** What the seed response means, item by item: 204 copied, 200 copied and renamed, 204 overwritten. */
const SEED_ITEMS_OUT: GqlItem[] = [
  item(0, 'SUCCEEDED', 'bar', 'foo/bar'),
  item(1, 'SUCCEEDED', 'foo/1.jpg', 'bar/1.jpg', { result: 'bar/1 (1).jpg', renamed: true }),
  item(2, 'SUCCEEDED', 'foo/2.jpg', 'bar/2.jpg'),
];

const rigs: SmhRig[] = [];

async function rig(options: RigOptions = {}): Promise<SmhRig> {
  const r = await startSmhRig(options);
  rigs.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

/** Arrays in the seed's response may be plain strings (smh.md §10.2); the emulator always sends arrays. */
function segmentArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(segmentArrays);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      (k === 'copyFrom' || k === 'to') && typeof v === 'string' ? v.split('/') : segmentArrays(v),
    ]),
  );
}

describe('the seed example', () => {
  it('round-trips through the gateway exactly as the API page describes it', async () => {
    const r = await rig({ managed: true, record: true, emulator: { asyncThreshold: 'never' } });
    const outcome = await copyOk(r, { items: SEED_ITEMS_IN });
    expect(outcome).toEqual({
      __typename: 'CopySucceeded',
      provider: 'SMH',
      items: SEED_ITEMS_OUT,
      summary: { total: 3, succeeded: 3, failed: 0, pending: 0, unknown: 0 },
      // Finished inside the request, without a task.
      finished: null,
    });

    const batches = r.rec?.exchanges.filter((e) => e.path.startsWith(BATCH_PATH)) ?? [];
    expect(batches).toHaveLength(1);
    const [batch] = batches;
    expect(batch?.method).toBe('POST');
    expect(batch?.path).toBe(`/api/v1/batch/${LIB}/-`);
    expect(batch?.query.has('copy')).toBe(true);
    expect(batch?.query.get('access_token')).toMatch(/^[0-9a-f]{48}$/);
    expect(batch?.query.has('user_id')).toBe(false);
    // The seed request, with the two strategies the seed leaves to SMH's defaults made explicit.
    const seed = JSON.parse(SEED_REQUEST) as Record<string, unknown>[];
    expect(JSON.parse(batch?.body ?? '')).toEqual([
      { ...seed[0], conflictResolutionStrategy: 'ask' },
      { ...seed[1], conflictResolutionStrategy: 'rename' },
      seed[2],
    ]);
    // And the emulator's answer is the seed response (its one string path written as an array).
    expect(batch?.status).toBe(200);
    expect(JSON.parse(batch?.response ?? '')).toEqual(segmentArrays(JSON.parse(SEED_RESPONSE)));

    // The tree changed as the statuses say.
    expect(r.emu.state.listDir(LIB, '-', 'foo/bar')?.map((n) => n.name)).toEqual(['sub', 'x.jpg']);
    expect(r.emu.state.stat(LIB, '-', 'bar/1 (1).jpg')?.etag).toBe('foo-1');
    expect(r.emu.state.stat(LIB, '-', 'bar/1.jpg')?.etag).toBe('bar-1');
    expect(r.emu.state.stat(LIB, '-', 'bar/2.jpg')).toMatchObject({ etag: 'foo-2', version: 2 });
  });

  it('round-trips as the page\'s asynchronous variant: 202 {"taskId":16}, then the task query answer', async () => {
    const r = await rig({
      managed: true,
      record: true,
      emulator: { asyncThreshold: 'always', firstTaskId: 16, taskDurationMs: 3000 },
    });
    const accepted = await copyOk(r, { items: SEED_ITEMS_IN });
    expect(accepted.__typename).toBe('CopyAccepted');
    expect(accepted.items).toEqual(
      SEED_ITEMS_OUT.map((i) => ({ ...i, status: 'PENDING', result: null, renamed: false })),
    );
    expect(accepted.summary).toEqual({ total: 3, succeeded: 0, failed: 0, pending: 3, unknown: 0 });
    expect(accepted.task).toMatchObject({ state: 'RUNNING', done: false, upstreamTaskIds: ['16'] });
    const batch = r.rec?.exchanges.find((e) => e.path.startsWith(BATCH_PATH));
    expect(batch?.status).toBe(202);
    expect(JSON.parse(batch?.response ?? '')).toEqual({ taskId: 16 });

    const running = await loadTask(r, accepted.task?.id ?? '');
    expect(running).toMatchObject({ state: 'RUNNING', done: false, items: [] });
    expect(running?.summary).toEqual({ total: 3, succeeded: 0, failed: 0, pending: 3, unknown: 0 });

    r.clock.advance(3000);
    const done = await loadTask(r, accepted.task?.id ?? '');
    expect(done).toMatchObject({ id: accepted.task?.id, provider: 'SMH', state: 'SUCCEEDED', done: true });
    expect(done?.items).toEqual(SEED_ITEMS_OUT);
    expect(done?.summary).toEqual({ total: 3, succeeded: 3, failed: 0, pending: 0, unknown: 0 });
    const queries = r.rec?.exchanges.filter((e) => e.path.startsWith('/api/v1/task/')) ?? [];
    expect(queries.map((q) => q.path)).toEqual([`/api/v1/task/${LIB}/-/16`, `/api/v1/task/${LIB}/-/16`]);
    expect(JSON.parse(queries[1]?.response ?? '')).toEqual(segmentArrays(JSON.parse(SEED_TASK_RESPONSE)));
  });
});

describe('conflict strategies', () => {
  it('FAIL sends ask: a taken name fails the item with CONFLICT (409) and leaves the target alone', async () => {
    const r = await rig({ record: true });
    const outcome = await copyOk(r, {
      items: [
        { from: 'foo/2.jpg', to: 'bar/2.jpg' },
        { from: 'foo/1.jpg', to: 'docs/1.jpg', conflictStrategy: 'FAIL' },
      ],
    });
    expect(JSON.parse(r.rec?.exchanges[0]?.body ?? '')).toEqual([
      { copyFrom: 'foo/2.jpg', to: 'bar/2.jpg', conflictResolutionStrategy: 'ask' },
      { copyFrom: 'foo/1.jpg', to: 'docs/1.jpg', conflictResolutionStrategy: 'ask' },
    ]);
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items).toEqual([
      item(0, 'FAILED', 'foo/2.jpg', 'bar/2.jpg', {
        error: {
          code: 'CONFLICT',
          message: 'bar/2.jpg already exists',
          retryable: false,
          upstream: {
            provider: 'SMH',
            httpStatus: 409,
            code: 'SameNameDirectoryOrFileExists',
            // The 207 answer's request id (x-request-id), kept on each item it failed.
            requestId: r.rec?.exchanges[0]?.headers['x-request-id'] as string,
          },
        },
      }),
      item(1, 'SUCCEEDED', 'foo/1.jpg', 'docs/1.jpg'),
    ]);
    expect(outcome.summary).toEqual({ total: 2, succeeded: 1, failed: 1, pending: 0, unknown: 0 });
    expect(r.emu.state.stat(LIB, '-', 'bar/2.jpg')).toMatchObject({ etag: 'bar-2', version: 1 });
  });

  it('RENAME picks the next free name: 1 (1).jpg, then 1 (2).jpg, and bar (1) for a directory', async () => {
    const r = await rig();
    const first = await copyOk(r, {
      conflictStrategy: 'RENAME',
      items: [{ from: 'foo/1.jpg', to: 'bar/1.jpg' }],
    });
    expect(first.__typename).toBe('CopySucceeded');
    expect(first.items).toEqual([
      item(0, 'SUCCEEDED', 'foo/1.jpg', 'bar/1.jpg', { result: 'bar/1 (1).jpg', renamed: true }),
    ]);
    const second = await copyOk(r, {
      conflictStrategy: 'RENAME',
      items: [{ from: 'foo/1.jpg', to: 'bar/1.jpg' }],
    });
    expect(second.items[0]).toMatchObject({ result: 'bar/1 (2).jpg', renamed: true });
    const directory = await copyOk(r, {
      items: [
        { from: 'foo', to: 'bar', conflictStrategy: 'RENAME' },
        { from: 'foo/2.jpg', to: 'docs/new.jpg', conflictStrategy: 'RENAME' },
      ],
    });
    expect(directory.items).toEqual([
      item(0, 'SUCCEEDED', 'foo', 'bar', { result: 'bar (1)', renamed: true }),
      // A free name under rename: SMH answers 200 with the path, and nothing was renamed.
      item(1, 'SUCCEEDED', 'foo/2.jpg', 'docs/new.jpg'),
    ]);
    expect(r.emu.state.listDir(LIB, '-', 'bar')?.map((n) => n.name)).toEqual([
      '1 (1).jpg',
      '1 (2).jpg',
      '1.jpg',
      '2.jpg',
    ]);
    expect(r.emu.state.listDir(LIB, '-', 'bar (1)')?.map((n) => n.name)).toEqual(['1.jpg', '2.jpg']);
  });

  it('OVERWRITE replaces a file (SMH 204) and keeps its name', async () => {
    const r = await rig();
    const outcome = await copyOk(r, {
      items: [{ from: 'foo/2.jpg', to: 'bar/2.jpg', conflictStrategy: 'OVERWRITE' }],
    });
    expect(outcome).toMatchObject({
      __typename: 'CopySucceeded',
      items: [item(0, 'SUCCEEDED', 'foo/2.jpg', 'bar/2.jpg')],
    });
    expect(r.emu.state.stat(LIB, '-', 'bar/2.jpg')).toMatchObject({ etag: 'foo-2', version: 2 });
  });

  it('OVERWRITE onto a directory or album is a CONFLICT: SMH never overwrites directories', async () => {
    const r = await rig();
    const outcome = await copyOk(r, {
      conflictStrategy: 'OVERWRITE',
      items: [
        { from: 'foo', to: 'bar' },
        { from: 'foo/1.jpg', to: 'photos' },
      ],
    });
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items.map((i) => [i.status, i.error?.code, i.error?.upstream?.code])).toEqual([
      ['FAILED', 'CONFLICT', 'SameNameDirectoryOrFileExists'],
      ['FAILED', 'CONFLICT', 'SameNameDirectoryOrFileExists'],
    ]);
    expect(r.emu.state.stat(LIB, '-', 'photos')?.kind).toBe('album');
    expect(r.emu.state.listDir(LIB, '-', 'bar')?.map((n) => n.name)).toEqual(['1.jpg', '2.jpg']);
  });

  it('KEEP_EXISTING is UNSUPPORTED on SMH, for the request or one item, and nothing is sent', async () => {
    const r = await rig();
    const whole = await copyError(r, {
      conflictStrategy: 'KEEP_EXISTING',
      items: [{ from: 'foo/1.jpg', to: 'x.jpg' }],
    });
    expect(whole.extensions).toMatchObject({ code: 'UNSUPPORTED', field: 'conflictStrategy' });
    const one = await copyError(r, {
      items: [
        { from: 'foo/1.jpg', to: 'x.jpg' },
        { from: 'foo/2.jpg', to: 'y.jpg', conflictStrategy: 'KEEP_EXISTING' },
      ],
    });
    expect(one.extensions).toMatchObject({ code: 'UNSUPPORTED', field: 'conflictStrategy', index: 1 });
    expect(one.message).toContain('item 1');
    expect(r.batchRequests()).toBe(0);
    expect(r.emu.stats.requestsTotal).toBe(0);
  });
});

describe('cross-space copies', () => {
  it('copy from another space with fromSpaceId when the token covers both', async () => {
    const r = await rig({ record: true });
    const outcome = await copyOk(r, {
      items: [{ from: 'shared/readme.txt', to: 'docs/readme.txt', fromSpaceId: 'space-b' }],
    });
    expect(outcome.items).toEqual([item(0, 'SUCCEEDED', 'shared/readme.txt', 'docs/readme.txt')]);
    expect(JSON.parse(r.rec?.exchanges[0]?.body ?? '')).toEqual([
      {
        copyFrom: 'shared/readme.txt',
        to: 'docs/readme.txt',
        conflictResolutionStrategy: 'ask',
        copyFromSpaceId: 'space-b',
      },
    ]);
    expect(r.emu.state.stat(LIB, '-', 'docs/readme.txt')?.etag).toBe('b-readme');
  });

  it('fail the item with PERMISSION_DENIED when the token may not read the source space', async () => {
    const r = await rig();
    // space_admin on the destination only: AccessTokenNotMatchSpace for the source space.
    const spaceAdmin = r.emu.issueToken({ libraryId: LIB, spaceId: '-', grants: ['space_admin'] });
    // copy_file only: cross-space copy needs admin or space_admin.
    const copyFile = r.emu.issueToken({ libraryId: LIB, spaceId: '-', grants: ['copy_file'] });
    const input = {
      items: [
        { from: 'foo/1.jpg', to: 'docs/1.jpg' },
        { from: 'shared/readme.txt', to: 'docs/readme.txt', fromSpaceId: 'space-b' },
      ],
    };
    const one = await copyOk(r, input, { 'x-smh-access-token': spaceAdmin });
    expect(one.__typename).toBe('CopyPartiallyFailed');
    expect(one.items[0]?.status).toBe('SUCCEEDED');
    expect(one.items[1]).toMatchObject({
      status: 'FAILED',
      error: { code: 'PERMISSION_DENIED', upstream: { httpStatus: 403, code: 'AccessTokenNotMatchSpace' } },
    });
    const two = await copyOk(
      r,
      { items: [input.items[1] as (typeof input.items)[1]] },
      { 'x-smh-access-token': copyFile },
    );
    expect(two.__typename).toBe('CopyPartiallyFailed');
    expect(two.items[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'PERMISSION_DENIED', upstream: { httpStatus: 403, code: 'NoPermission' } },
    });
    expect(r.emu.state.exists(LIB, '-', 'docs/readme.txt')).toBe(false);
  });
});

describe('multi-status answers', () => {
  it("turn a 207 into CopyPartiallyFailed with each item's own code, in request order", async () => {
    const r = await rig();
    // A free name of exactly 255 characters is fine; renaming it would make it longer.
    r.emu.state.putFile(LIB, '-', `docs/${LONG_NAME}`);
    r.emu.itemFaults.add({ toIncludes: 'docs/full.jpg', status: 403, code: 'QuotaLimitReached' });
    r.emu.itemFaults.add({
      toIncludes: 'docs/boom.jpg',
      status: 500,
      code: 'InternalServerError',
      message: 'disk on fire',
    });
    const outcome = await copyOk(r, {
      items: [
        { from: 'foo/1.jpg', to: 'docs/ok.jpg' },
        { from: 'foo/2.jpg', to: 'bar/2.jpg' },
        { from: 'foo/missing.jpg', to: 'docs/m.jpg' },
        { from: 'foo/1.jpg', to: 'nowhere/1.jpg' },
        { from: 'foo/1.jpg', to: 'docs/full.jpg' },
        { from: 'foo/1.jpg', to: 'docs/boom.jpg' },
        { from: 'foo/1.jpg', to: `docs/${LONG_NAME}`, conflictStrategy: 'RENAME' },
      ],
    });
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(
      outcome.items.map((i) => [i.index, i.status, i.error?.code ?? null, i.error?.upstream?.code ?? null]),
    ).toEqual([
      [0, 'SUCCEEDED', null, null],
      [1, 'FAILED', 'CONFLICT', 'SameNameDirectoryOrFileExists'],
      [2, 'FAILED', 'NOT_FOUND', 'FileNotFound'],
      [3, 'FAILED', 'NOT_FOUND', 'DirectoryNotFound'],
      [4, 'FAILED', 'QUOTA_EXCEEDED', 'QuotaLimitReached'],
      // A server fault on an item leaves it unknown: SMH may have copied it before it failed.
      [5, 'UNKNOWN', 'UPSTREAM_ERROR', 'InternalServerError'],
      [6, 'FAILED', 'INVALID_ARGUMENT', 'FileNameLengthExceed'],
    ]);
    expect(outcome.items[5]?.error).toMatchObject({
      message:
        'disk on fire; the copy may or may not have happened: check the target before sending it again.',
      retryable: false,
      upstream: { httpStatus: 500, requestId: expect.stringMatching(REQUEST_ID) },
    });
    expect(outcome.summary).toEqual({ total: 7, succeeded: 1, failed: 5, pending: 0, unknown: 1 });
    expect(r.batchRequests()).toBe(1);
  });
});

describe('asynchronous copies', () => {
  const opts: RigOptions = { emulator: { asyncThreshold: 'always', taskDurationMs: 3000 } };

  it('202 → CopyAccepted → copyTask RUNNING → clock moves → SUCCEEDED', async () => {
    const r = await rig(opts);
    const accepted = await copyOk(r, {
      conflictStrategy: 'RENAME',
      items: [
        { from: 'foo/1.jpg', to: 'bar/1.jpg' },
        { from: 'foo/2.jpg', to: 'docs/2.jpg' },
      ],
    });
    expect(accepted.__typename).toBe('CopyAccepted');
    expect(accepted.items).toEqual([
      item(0, 'PENDING', 'foo/1.jpg', 'bar/1.jpg'),
      item(1, 'PENDING', 'foo/2.jpg', 'docs/2.jpg'),
    ]);
    const task = accepted.task;
    expect(task).toMatchObject({ provider: 'SMH', state: 'RUNNING', done: false, upstreamTaskIds: ['1'] });
    expect(task?.id).toMatch(/^ct2_/);
    expect(task?.items).toEqual(accepted.items);
    expect(r.emu.state.exists(LIB, '-', 'docs/2.jpg')).toBe(false);

    const running = await loadTask(r, task?.id ?? '');
    expect(running).toMatchObject({ state: 'RUNNING', done: false, upstreamTaskIds: ['1'] });
    expect(running?.summary).toEqual({ total: 2, succeeded: 0, failed: 0, pending: 2, unknown: 0 });
    expect(Date.parse(running?.checkedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

    r.clock.advance(3000);
    const done = await loadTask(r, task?.id ?? '');
    expect(done).toMatchObject({ id: task?.id, state: 'SUCCEEDED', done: true });
    expect(done?.items).toEqual([
      item(0, 'SUCCEEDED', 'foo/1.jpg', 'bar/1.jpg', { result: 'bar/1 (1).jpg', renamed: true }),
      item(1, 'SUCCEEDED', 'foo/2.jpg', 'docs/2.jpg'),
    ]);
    expect(done?.summary).toEqual({ total: 2, succeeded: 2, failed: 0, pending: 0, unknown: 0 });
    expect(r.emu.state.exists(LIB, '-', 'docs/2.jpg')).toBe(true);
  });

  it('finish as PARTIALLY_FAILED when some items fail', async () => {
    const r = await rig(opts);
    const accepted = await copyOk(r, {
      items: [
        { from: 'foo/1.jpg', to: 'docs/1.jpg' },
        { from: 'foo/2.jpg', to: 'bar/2.jpg' },
      ],
    });
    r.clock.advance(3000);
    const done = await loadTask(r, accepted.task?.id ?? '');
    expect(done).toMatchObject({ state: 'PARTIALLY_FAILED', done: true });
    expect(done?.items.map((i) => [i.index, i.status, i.error?.code ?? null])).toEqual([
      [0, 'SUCCEEDED', null],
      [1, 'FAILED', 'CONFLICT'],
    ]);
    expect(done?.summary).toEqual({ total: 2, succeeded: 1, failed: 1, pending: 0, unknown: 0 });
  });

  it('finish as FAILED when every item fails', async () => {
    const r = await rig(opts);
    const accepted = await copyOk(r, {
      items: [
        { from: 'foo/1.jpg', to: 'bar/1.jpg' },
        { from: 'foo/nope.jpg', to: 'docs/nope.jpg' },
      ],
    });
    r.clock.advance(3000);
    const done = await loadTask(r, accepted.task?.id ?? '');
    expect(done).toMatchObject({ state: 'FAILED', done: true });
    expect(done?.items.map((i) => i.error?.code)).toEqual(['CONFLICT', 'NOT_FOUND']);
    expect(done?.summary).toEqual({ total: 2, succeeded: 0, failed: 2, pending: 0, unknown: 0 });
  });

  it('with waitSeconds, fold a task that finishes in time into the answer', async () => {
    const r = await rig(opts);
    const answer = copyOk(r, {
      waitSeconds: 5,
      items: [
        { from: 'foo/1.jpg', to: 'bar/1.jpg', conflictStrategy: 'RENAME' },
        { from: 'foo/2.jpg', to: 'bar/2.jpg' },
      ],
    });
    await until(() => r.emu.stats.tasksCreated === 1);
    r.clock.advance(3000);
    const outcome = await answer;
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items).toEqual([
      item(0, 'SUCCEEDED', 'foo/1.jpg', 'bar/1.jpg', { result: 'bar/1 (1).jpg', renamed: true }),
      expect.objectContaining({ index: 1, status: 'FAILED', source: 'foo/2.jpg', target: 'bar/2.jpg' }),
    ]);
    expect(outcome.summary).toEqual({ total: 2, succeeded: 1, failed: 1, pending: 0, unknown: 0 });
    // The upstream task it ran as, to read again: the same as copyTask answers for its id.
    expect(outcome.finished).toMatchObject({ state: 'PARTIALLY_FAILED', done: true });
    expect(outcome.finished?.id).toMatch(/^ct2_/);
    expect((await loadTask(r, outcome.finished?.id ?? ''))?.state).toBe('PARTIALLY_FAILED');
    expect(r.taskQueries()).toBeGreaterThanOrEqual(1);
    expect(r.batchRequests()).toBe(1);
  });

  it('with waitSeconds, answer CopyAccepted when the task is still running at the deadline', async () => {
    const r = await rig(opts);
    const started = Date.now();
    const outcome = await copyOk(r, { waitSeconds: 1, items: [{ from: 'foo/1.jpg', to: 'docs/1.jpg' }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(outcome.__typename).toBe('CopyAccepted');
    expect(outcome.task).toMatchObject({ state: 'RUNNING', done: false });
    expect(outcome.items[0]?.status).toBe('PENDING');
  });
});

describe('copyTask', () => {
  const opts: RigOptions = { emulator: { asyncThreshold: 'always', taskDurationMs: 3000 } };

  async function acceptedTasks(r: SmhRig, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const outcome = await copyOk(r, { items: [{ from: 'foo/1.jpg', to: `docs/t${i}.jpg` }] });
      ids.push(outcome.task?.id ?? '');
    }
    return ids;
  }

  it('answers N copyTask fields in one GraphQL request with exactly one upstream task query', async () => {
    const r = await rig({ ...opts, record: true });
    const ids = await acceptedTasks(r, 4);
    r.clock.advance(3000);
    const query = `query Many($a: ID!, $b: ID!, $c: ID!, $d: ID!) {
      a: copyTask(id: $a) { ${TASK_FIELDS} }
      b: copyTask(id: $b) { ${TASK_FIELDS} }
      c: copyTask(id: $c) { ${TASK_FIELDS} }
      d: copyTask(id: $d) { ${TASK_FIELDS} }
      again: copyTask(id: $a) { state }
      node(id: $b) { id }
    }`;
    const before = r.taskQueries();
    const { body } = await r.gw.graphql<Record<string, { state: string; upstreamTaskIds?: string[] }>>(
      query,
      { a: ids[0], b: ids[1], c: ids[2], d: ids[3] },
      r.headers,
    );
    expect(body.errors).toBeUndefined();
    expect(r.taskQueries() - before).toBe(1);
    const query0 = r.rec?.exchanges.filter((e) => e.path.startsWith('/api/v1/task/')).at(-1);
    expect(query0?.path).toBe(`/api/v1/task/${LIB}/-/1,2,3,4`);
    for (const [alias, taskId] of [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
    ] as const) {
      expect(body.data?.[alias]).toMatchObject({ state: 'SUCCEEDED', upstreamTaskIds: [taskId] });
    }
    expect(body.data?.again).toEqual({ state: 'SUCCEEDED' });
    expect(body.data?.node).toEqual({ id: ids[1] });
  });

  it('is null for a task SMH does not know, and for one past its 30-day retention', async () => {
    const r = await rig(opts);
    const [id] = await acceptedTasks(r, 1);
    const unknown = encodeTaskId({
      provider: 'SMH',
      libraryId: LIB,
      spaceId: '-',
      parts: [{ taskId: '999', offset: 0, count: 1 }],
    });
    expect(await loadTask(r, unknown)).toBeNull();
    r.clock.advance(3000);
    expect((await loadTask(r, id ?? ''))?.state).toBe('SUCCEEDED');
    r.clock.advance(31 * DAY_MS);
    expect(await loadTask(r, id ?? '')).toBeNull();
  });

  it('is null after retention in managed mode too, refreshing the expired managed token on the way', async () => {
    const r = await rig({ ...opts, managed: true });
    const [id] = await acceptedTasks(r, 1);
    expect(r.tokenRequests()).toBe(1);
    r.clock.advance(31 * DAY_MS);
    expect(await loadTask(r, id ?? '')).toBeNull();
    expect(r.tokenRequests()).toBe(2);
  });

  it('refuses a malformed id with BAD_USER_INPUT without calling SMH', async () => {
    const r = await rig(opts);
    for (const id of ['nope', 'ct1_garbage', '16']) {
      const { body } = await r.gw.graphql(TASK, { id }, r.headers);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
      expect(body.data).toEqual({ copyTask: null });
    }
    expect(r.taskQueries()).toBe(0);
  });

  it('follows a task started with an empty userId (its id must decode again)', async () => {
    const r = await rig(opts);
    const accepted = await copyOk(r, { userId: '', items: [{ from: 'foo/1.jpg', to: 'docs/u.jpg' }] });
    r.clock.advance(3000);
    expect((await loadTask(r, accepted.task?.id ?? ''))?.state).toBe('SUCCEEDED');
  });
});

describe('large batches', () => {
  it('split into chunks of SMH_CHUNK_SIZE and merge the results in request order', async () => {
    const r = await rig({ env: { SMH_CHUNK_SIZE: '2' }, emulator: { asyncThreshold: 'never' } });
    const outcome = await copyOk(r, {
      items: [
        { from: 'foo/1.jpg', to: 'docs/a.jpg' },
        { from: 'foo/2.jpg', to: 'bar/2.jpg' },
        { from: 'foo/nope.jpg', to: 'docs/b.jpg' },
        { from: 'foo/1.jpg', to: 'bar/1.jpg', conflictStrategy: 'RENAME' },
        { from: 'foo/2.jpg', to: 'docs/c.jpg' },
      ],
    });
    expect(r.emu.stats.batches.map((b) => b.items)).toEqual([2, 2, 1]);
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items.map((i) => [i.index, i.source, i.status, i.result, i.error?.code ?? null])).toEqual([
      [0, 'foo/1.jpg', 'SUCCEEDED', 'docs/a.jpg', null],
      [1, 'foo/2.jpg', 'FAILED', null, 'CONFLICT'],
      [2, 'foo/nope.jpg', 'FAILED', null, 'NOT_FOUND'],
      [3, 'foo/1.jpg', 'SUCCEEDED', 'bar/1 (1).jpg', null],
      [4, 'foo/2.jpg', 'SUCCEEDED', 'docs/c.jpg', null],
    ]);
    expect(outcome.summary).toEqual({ total: 5, succeeded: 3, failed: 2, pending: 0, unknown: 0 });
  });

  it('send 1001 items as two upstream calls (1000 + 1), the documented per-call maximum', async () => {
    const r = await rig({ emulator: { asyncThreshold: 'never' } });
    const items = Array.from({ length: 1001 }, (_, i) => ({ from: 'foo/1.jpg', to: `docs/copy-${i}.jpg` }));
    const outcome = await copyOk(r, { items });
    expect(r.batchRequests()).toBe(2);
    expect(r.emu.stats.batches.map((b) => [b.items, b.executed])).toEqual([
      [1000, 1000],
      [1, 1],
    ]);
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(outcome.items).toHaveLength(1001);
    outcome.items.forEach((it, i) => {
      expect(it).toEqual(item(i, 'SUCCEEDED', 'foo/1.jpg', `docs/copy-${i}.jpg`));
    });
    expect(outcome.summary).toEqual({ total: 1001, succeeded: 1001, failed: 0, pending: 0, unknown: 0 });
    expect(r.emu.state.exists(LIB, '-', 'docs/copy-1000.jpg')).toBe(true);
  });

  it('cover every asynchronous chunk with one CopyTask whose items keep their request indices', async () => {
    // Chunks of 2, and SMH runs batches of more than 1 item in the background: chunks 0 and 1 become
    // tasks, the last chunk (1 item) runs synchronously.
    const r = await rig({
      env: { SMH_CHUNK_SIZE: '2' },
      emulator: { asyncThreshold: 1, taskDurationMs: 3000 },
    });
    const accepted = await copyOk(r, {
      items: [
        { from: 'foo/1.jpg', to: 'docs/a.jpg' },
        { from: 'foo/2.jpg', to: 'bar/2.jpg' },
        { from: 'foo/nope.jpg', to: 'docs/b.jpg' },
        { from: 'foo/1.jpg', to: 'bar/1.jpg', conflictStrategy: 'RENAME' },
        { from: 'foo/2.jpg', to: 'docs/c.jpg' },
      ],
    });
    expect(r.emu.stats.batches.map((b) => [b.items, b.mode])).toEqual([
      [2, 'async'],
      [2, 'async'],
      [1, 'sync'],
    ]);
    expect(accepted.__typename).toBe('CopyAccepted');
    expect(accepted.items.map((i) => [i.index, i.status])).toEqual([
      [0, 'PENDING'],
      [1, 'PENDING'],
      [2, 'PENDING'],
      [3, 'PENDING'],
      [4, 'SUCCEEDED'],
    ]);
    expect(accepted.summary).toEqual({ total: 5, succeeded: 1, failed: 0, pending: 4, unknown: 0 });
    const taskIds = r.emu.stats.batches.flatMap((b) => (b.taskId === undefined ? [] : [String(b.taskId)]));
    expect(accepted.task?.upstreamTaskIds).toEqual(taskIds);
    expect(taskIds).toHaveLength(2);
    expect(accepted.task?.items.map((i) => i.index)).toEqual([0, 1, 2, 3]);

    const before = r.taskQueries();
    const running = await loadTask(r, accepted.task?.id ?? '');
    expect(running?.summary).toEqual({ total: 4, succeeded: 0, failed: 0, pending: 4, unknown: 0 });
    r.clock.advance(3000);
    const done = await loadTask(r, accepted.task?.id ?? '');
    expect(r.taskQueries() - before).toBe(2); // one upstream query per copyTask, both task ids in it
    expect(done).toMatchObject({ state: 'PARTIALLY_FAILED', done: true });
    expect(done?.items.map((i) => [i.index, i.source, i.status, i.result, i.error?.code ?? null])).toEqual([
      [0, 'foo/1.jpg', 'SUCCEEDED', 'docs/a.jpg', null],
      [1, 'foo/2.jpg', 'FAILED', null, 'CONFLICT'],
      [2, 'foo/nope.jpg', 'FAILED', null, 'NOT_FOUND'],
      [3, 'foo/1.jpg', 'SUCCEEDED', 'bar/1 (1).jpg', null],
    ]);
    expect(done?.summary).toEqual({ total: 4, succeeded: 2, failed: 2, pending: 0, unknown: 0 });
  });
});

describe('input validation, before anything is sent', () => {
  const long = 'n'.repeat(256);

  it.each([
    ['a path starting with "//"', { from: '//foo/1.jpg', to: 'docs/a.jpg' }, 'items[1].from', 'items.1.from'],
    ['a ".." segment', { from: 'foo/1.jpg', to: 'docs/../../etc/passwd' }, 'items[1].to', 'items.1.to'],
    ['an empty segment', { from: 'foo//1.jpg', to: 'docs/a.jpg' }, 'items[1].from', 'items.1.from'],
    ['a name over 255 characters', { from: 'foo/1.jpg', to: `docs/${long}` }, 'items[1].to', 'items.1.to'],
    ['a control character', { from: 'foo/1.jpg', to: 'docs/a\u0007.jpg' }, 'items[1].to', 'items.1.to'],
    ['a newline', { from: 'foo/1\n.jpg', to: 'docs/a.jpg' }, 'items[1].from', 'items.1.from'],
  ])('refuses %s with BAD_USER_INPUT naming the item', async (_what, bad, inMessage, field) => {
    const r = await rig();
    const error = await copyError(r, { items: [{ from: 'foo/1.jpg', to: 'docs/ok.jpg' }, bad] });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, index: 1 });
    expect(error.message).toContain(inMessage);
    expect(r.emu.stats.requestsTotal).toBe(0);
  });

  it.each(['', '   '])(
    'refuses the path %j at the schema (NonEmptyString), naming the item',
    async (blank) => {
      const r = await rig();
      const error = await copyError(r, {
        items: [
          { from: 'foo/1.jpg', to: 'docs/ok.jpg' },
          { from: blank, to: 'x' },
        ],
      });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('items[1].from');
      expect(r.emu.stats.requestsTotal).toBe(0);
    },
  );

  it('refuses no items, and more than SMH_MAX_ITEMS', async () => {
    const r = await rig({ env: { SMH_MAX_ITEMS: '3' } });
    const none = await copyError(r, { items: [] });
    expect(none.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
    const items = Array.from({ length: 4 }, (_, i) => ({ from: 'foo/1.jpg', to: `docs/${i}.jpg` }));
    const many = await copyError(r, { items });
    expect(many.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
    expect(many.message).toContain('at most 3');
    expect(r.emu.stats.requestsTotal).toBe(0);
    expect((await copyOk(r, { items: items.slice(0, 3) })).__typename).toBe('CopySucceeded');
  });

  it('refuses a bad waitSeconds and an empty fromSpaceId', async () => {
    const r = await rig({ managed: true });
    const wait = await copyError(r, { waitSeconds: 61, items: [{ from: 'foo/1.jpg', to: 'docs/a.jpg' }] });
    expect(wait.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'waitSeconds' });
    const space = await copyError(r, { items: [{ from: 'foo/1.jpg', to: 'docs/a.jpg', fromSpaceId: ' ' }] });
    expect(space.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'items.0.fromSpaceId',
      index: 0,
    });
    // Nothing at all: not even a managed token was fetched.
    expect(r.emu.stats.requestsTotal).toBe(0);
  });
});

describe('upstream errors', () => {
  const one = { items: [{ from: 'foo/1.jpg', to: 'docs/1.jpg' }] };

  it('InvalidAccessToken (pass-through) → GraphQL error UNAUTHENTICATED, not retried', async () => {
    const r = await rig();
    const { status, body } = await batchCopy(r, one, { 'x-smh-access-token': 'f'.repeat(48) });
    expect(status).toBe(200);
    expect(body.data).toEqual({ batchCopy: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      provider: 'SMH',
      upstream: {
        provider: 'SMH',
        httpStatus: 403,
        code: 'InvalidAccessToken',
        requestId: expect.stringMatching(REQUEST_ID),
      },
    });
    expect(r.batchRequests()).toBe(1);
  });

  it('no token at all (pass-through gateway, no header) → UNAUTHENTICATED before any call', async () => {
    const r = await rig();
    const error = await copyError(r, one, {});
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect(error.message).toContain('x-smh-access-token');
    expect(r.emu.stats.requestsTotal).toBe(0);
  });

  it('managed: a rejected token is replaced once and the copy goes through', async () => {
    const r = await rig({ managed: true });
    r.emu.faults.add({
      kind: 'status',
      status: 403,
      code: 'InvalidAccessToken',
      pathIncludes: BATCH_PATH,
      times: 1,
    });
    const outcome = await copyOk(r, one);
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(r.tokenRequests()).toBe(2);
    expect(r.batchRequests()).toBe(2);
    expect(r.emu.stats.executedItems).toBe(1);
  });

  it('managed: a token rejected twice → UNAUTHENTICATED, with no loop', async () => {
    const r = await rig({ managed: true });
    r.emu.faults.add({ kind: 'status', status: 403, code: 'InvalidAccessToken', pathIncludes: BATCH_PATH });
    const error = await copyError(r, one);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.tokenRequests()).toBe(2);
    expect(r.batchRequests()).toBe(2);
  });

  it('managed: a wrong library secret → UNAUTHENTICATED without naming the secret', async () => {
    const r = await rig({ env: { SMH_LIBRARY_ID: LIB, SMH_LIBRARY_SECRET: 'not-the-secret' } });
    const error = await copyError(r, one, {});
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect(error.message).not.toContain('not-the-secret');
    expect(r.batchRequests()).toBe(0);
  });

  it('NoPermission for the whole request → CopyRejected PERMISSION_DENIED', async () => {
    const r = await rig();
    const readOnly = r.emu.issueToken({ libraryId: LIB, spaceId: '-' });
    const outcome = await copyOk(r, one, { 'x-smh-access-token': readOnly });
    expect(outcome.__typename).toBe('CopyRejected');
    expect(outcome.error).toMatchObject({
      code: 'PERMISSION_DENIED',
      retryable: false,
      upstream: {
        provider: 'SMH',
        httpStatus: 403,
        code: 'NoPermission',
        requestId: expect.stringMatching(REQUEST_ID),
      },
    });
    expect(outcome.items).toEqual([
      item(0, 'FAILED', 'foo/1.jpg', 'docs/1.jpg', { error: outcome.error ?? null }),
    ]);
    expect(outcome.summary).toEqual({ total: 1, succeeded: 0, failed: 1, pending: 0, unknown: 0 });
  });

  it('AccessTokenNotMatchSpace → CopyRejected PERMISSION_DENIED', async () => {
    const r = await rig();
    const onlyDash = r.emu.issueToken({ libraryId: LIB, spaceId: '-', grants: ['space_admin'] });
    const outcome = await copyOk(
      r,
      { spaceId: 'space-b', items: [{ from: 'shared/readme.txt', to: 'shared/copy.txt' }] },
      { 'x-smh-access-token': onlyDash },
    );
    expect(outcome.__typename).toBe('CopyRejected');
    expect(outcome.error).toMatchObject({
      code: 'PERMISSION_DENIED',
      upstream: { httpStatus: 403, code: 'AccessTokenNotMatchSpace' },
    });
  });

  it('LibraryNotFound / SpaceNotFound → CopyRejected NOT_FOUND', async () => {
    const r = await rig();
    const noLibrary = await copyOk(r, { ...one, libraryId: 'nolib' });
    expect(noLibrary).toMatchObject({
      __typename: 'CopyRejected',
      error: { code: 'NOT_FOUND', upstream: { httpStatus: 404, code: 'LibraryNotFound' } },
    });
    const noSpace = await copyOk(r, { ...one, spaceId: 'space-nope' });
    expect(noSpace).toMatchObject({
      __typename: 'CopyRejected',
      error: { code: 'NOT_FOUND', upstream: { httpStatus: 404, code: 'SpaceNotFound' } },
    });
  });

  it('QuotaLimitReached (injected) → CopyRejected QUOTA_EXCEEDED, not retried', async () => {
    const r = await rig();
    r.emu.faults.add({
      kind: 'status',
      status: 403,
      code: 'QuotaLimitReached',
      message: 'quota is used up',
      pathIncludes: BATCH_PATH,
    });
    const outcome = await copyOk(r, one);
    expect(outcome).toMatchObject({
      __typename: 'CopyRejected',
      error: {
        code: 'QUOTA_EXCEEDED',
        message: 'quota is used up',
        retryable: false,
        upstream: { httpStatus: 403, code: 'QuotaLimitReached' },
      },
    });
    expect(r.batchRequests()).toBe(1);
  });

  it('429 once → retried, and the copy succeeds with two upstream calls', async () => {
    const r = await rig();
    r.emu.faults.add({
      kind: 'status',
      status: 429,
      code: 'RateLimitExceeded',
      pathIncludes: BATCH_PATH,
      times: 1,
    });
    const outcome = await copyOk(r, one);
    expect(outcome).toMatchObject({
      __typename: 'CopySucceeded',
      items: [item(0, 'SUCCEEDED', 'foo/1.jpg', 'docs/1.jpg')],
    });
    expect(r.batchRequests()).toBe(2);
    expect(r.emu.stats.executedItems).toBe(1);
  });

  it('429 with Retry-After → the retry waits as long as SMH asked', async () => {
    const r = await rig();
    r.emu.faults.add({
      kind: 'status',
      status: 429,
      code: 'RateLimitExceeded',
      headers: { 'retry-after': '1' },
      pathIncludes: BATCH_PATH,
      times: 1,
    });
    const started = Date.now();
    expect((await copyOk(r, one)).__typename).toBe('CopySucceeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(r.batchRequests()).toBe(2);
  });

  it('429 every time → CopyRejected THROTTLED (retryable) after the retries, nothing copied', async () => {
    const r = await rig();
    r.emu.faults.add({ kind: 'status', status: 429, code: 'RateLimitExceeded', pathIncludes: BATCH_PATH });
    const outcome = await copyOk(r, one);
    expect(outcome).toMatchObject({
      __typename: 'CopyRejected',
      error: { code: 'THROTTLED', retryable: true, upstream: { httpStatus: 429, code: 'RateLimitExceeded' } },
      items: [{ status: 'FAILED', error: { code: 'THROTTLED' } }],
    });
    expect(r.batchRequests()).toBe(4); // the first call and DEFAULT_RETRY's 3 retries
    expect(r.emu.stats.executedItems).toBe(0);
  });

  it('5xx after the work was done → items UNKNOWN with UPSTREAM_ERROR, and the copy is not sent again', async () => {
    const r = await rig();
    r.emu.faults.add({
      kind: 'status',
      status: 500,
      code: 'InternalServerError',
      pathIncludes: BATCH_PATH,
      after: true,
    });
    const outcome = await copyOk(r, { items: [...one.items, { from: 'foo/2.jpg', to: 'docs/2.jpg' }] });
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items.map((i) => [i.status, i.error?.code, i.error?.retryable])).toEqual([
      ['UNKNOWN', 'UPSTREAM_ERROR', false],
      ['UNKNOWN', 'UPSTREAM_ERROR', false],
    ]);
    expect(outcome.items[0]?.error?.message).toMatch(/may or may not have happened/);
    expect(outcome.items[0]?.error?.upstream).toMatchObject({ httpStatus: 500, code: 'InternalServerError' });
    expect(outcome.summary).toEqual({ total: 2, succeeded: 0, failed: 0, pending: 0, unknown: 2 });
    expect(r.batchRequests()).toBe(1);
    expect(r.emu.stats.executedItems).toBe(2); // it ran once, and only once
  });

  it('503 before the work → still UNKNOWN (the gateway cannot tell) and not re-sent', async () => {
    const r = await rig();
    r.emu.faults.add({ kind: 'status', status: 503, code: 'ServerOverloaded', pathIncludes: BATCH_PATH });
    const outcome = await copyOk(r, one);
    expect(outcome.items.map((i) => [i.status, i.error?.code])).toEqual([['UNKNOWN', 'UPSTREAM_ERROR']]);
    expect(r.batchRequests()).toBe(1);
    expect(r.emu.stats.executedItems).toBe(0);
  });

  it('an HTML page instead of JSON → UPSTREAM_PROTOCOL_ERROR: UNKNOWN for 5xx/2xx, CopyRejected for 4xx', async () => {
    const r = await rig();
    r.emu.faults.add({ kind: 'html', status: 502, pathIncludes: BATCH_PATH, times: 1 });
    const bad502 = await copyOk(r, one);
    expect(bad502.items.map((i) => [i.status, i.error?.code, i.error?.upstream?.httpStatus])).toEqual([
      ['UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR', 502],
    ]);
    r.emu.faults.add({ kind: 'html', status: 200, pathIncludes: BATCH_PATH, times: 1, after: true });
    const ok200 = await copyOk(r, { items: [{ from: 'foo/2.jpg', to: 'docs/2.jpg' }] });
    expect(ok200.items.map((i) => [i.status, i.error?.code])).toEqual([
      ['UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR'],
    ]);
    r.emu.faults.add({ kind: 'html', status: 400, pathIncludes: BATCH_PATH, times: 1 });
    const bad400 = await copyOk(r, one);
    expect(bad400).toMatchObject({
      __typename: 'CopyRejected',
      error: { code: 'UPSTREAM_PROTOCOL_ERROR', upstream: { httpStatus: 400 } },
    });
    expect(r.batchRequests()).toBe(3);
    expect(r.emu.stats.executedItems).toBe(1);
  });

  it('an undocumented 2xx → UNKNOWN (SMH took the request), never CopyRejected', async () => {
    const r = await rig();
    r.emu.faults.add({ kind: 'status', status: 201, code: 'Created', pathIncludes: BATCH_PATH, after: true });
    const outcome = await copyOk(r, one);
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items.map((i) => [i.status, i.error?.code, i.error?.upstream?.httpStatus])).toEqual([
      ['UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR', 201],
    ]);
    expect(r.batchRequests()).toBe(1);
  });

  it('a request-level 4xx → CopyRejected carrying the upstream status, code and request id', async () => {
    const r = await rig({ record: true });
    r.emu.faults.add({
      kind: 'status',
      status: 400,
      code: 'InvalidArgument',
      message: 'bad body',
      pathIncludes: BATCH_PATH,
    });
    const outcome = await copyOk(r, one);
    const requestId = r.rec?.exchanges[0]?.headers['x-request-id'];
    expect(requestId).toMatch(REQUEST_ID);
    expect(outcome).toEqual({
      __typename: 'CopyRejected',
      provider: 'SMH',
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'bad body',
        retryable: false,
        upstream: { provider: 'SMH', httpStatus: 400, code: 'InvalidArgument', requestId },
      },
      items: [
        item(0, 'FAILED', 'foo/1.jpg', 'docs/1.jpg', {
          error: {
            code: 'INVALID_ARGUMENT',
            message: 'bad body',
            retryable: false,
            upstream: {
              provider: 'SMH',
              httpStatus: 400,
              code: 'InvalidArgument',
              requestId: requestId as string,
            },
          },
        }),
      ],
      summary: { total: 1, succeeded: 0, failed: 1, pending: 0, unknown: 0 },
    });
    expect(r.batchRequests()).toBe(1);
  });

  it('a task query failure → a GraphQL error on that field with the unified code', async () => {
    const r = await rig({ emulator: { asyncThreshold: 'always' } });
    const accepted = await copyOk(r, one);
    r.emu.faults.add({ kind: 'status', status: 403, code: 'NoPermission', pathIncludes: '/api/v1/task/' });
    const { body } = await r.gw.graphql(TASK, { id: accepted.task?.id }, r.headers);
    expect(body.data).toEqual({ copyTask: null });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(body.errors?.[0]?.path).toEqual(['copyTask']);
  });
});

describe('secrets', () => {
  it('never show the pass-through token, the managed token or the library secret in a log line or a response', async () => {
    const passThrough = await rig({ record: true, emulator: { asyncThreshold: 2 } });
    const managed = await rig({ record: true, managed: true, emulator: { asyncThreshold: 2 } });
    const bodies: string[] = [];

    for (const r of [passThrough, managed]) {
      const send = async (input: Parameters<typeof batchCopy>[1], headers = r.headers) => {
        const { text } = await batchCopy(r, input, headers);
        bodies.push(text);
        return JSON.parse(text) as { data?: { batchCopy?: { task?: { id: string } } } };
      };
      await send({ items: [{ from: 'foo/1.jpg', to: 'docs/s.jpg' }] });
      const accepted = await send({
        items: [1, 2, 3].map((i) => ({ from: 'foo/1.jpg', to: `docs/s${i}.jpg` })),
      });
      r.clock.advance(3000);
      const { text } = await r.gw.graphql(TASK, { id: accepted.data?.batchCopy?.task?.id }, r.headers);
      bodies.push(text);
      for (const fault of [
        { kind: 'status' as const, status: 500, code: 'InternalServerError' },
        { kind: 'status' as const, status: 403, code: 'InvalidAccessToken' },
        { kind: 'status' as const, status: 404, code: 'LibraryNotFound' },
        { kind: 'html' as const, status: 502 },
        { kind: 'reset' as const },
      ]) {
        r.emu.faults.add({ ...fault, pathIncludes: BATCH_PATH, times: 2 });
        await send({ items: [{ from: 'foo/2.jpg', to: 'docs/f.jpg' }] });
        r.emu.faults.clear();
      }
      await send(
        { items: [{ from: 'foo/1.jpg', to: 'docs/x.jpg' }] },
        { 'x-smh-access-token': 'bad-token-0123456789abcdef' },
      );
    }

    const managedTokens = (managed.rec?.exchanges ?? [])
      .filter((e) => e.path === '/api/v1/token')
      .map((e) => (JSON.parse(e.response) as { accessToken: string }).accessToken);
    expect(managedTokens.length).toBeGreaterThanOrEqual(1);
    const secrets = [passThrough.token as string, ...managedTokens, SECRET, 'bad-token-0123456789abcdef'];
    // The secrets really travelled upstream, so their absence below means something.
    const upstreamUrls = [...(passThrough.rec?.exchanges ?? []), ...(managed.rec?.exchanges ?? [])].map(
      (e) => `${e.path}?${e.query.toString()}`,
    );
    for (const secret of secrets)
      expect(
        upstreamUrls.some((u) => u.includes(secret)),
        secret,
      ).toBe(true);

    const logs = [...passThrough.gw.logs, ...managed.gw.logs];
    expect(logs.some((line) => line.includes('access_token=[REDACTED]'))).toBe(true);
    for (const secret of secrets) {
      for (const line of logs) expect(line.includes(secret), `log line leaks a secret: ${line}`).toBe(false);
      for (const body of bodies)
        expect(body.includes(secret), `response leaks a secret: ${body}`).toBe(false);
    }
  });
});
