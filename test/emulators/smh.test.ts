import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  startSmhEmulator,
  type SmhEmulator,
  type SmhEmulatorOptions,
} from '../../src/emulators/smh/index.js';

const LIB = 'smhdemo';
const SECRET = 'smhdemo-secret';
const DAY_MS = 24 * 60 * 60 * 1000;

// Verbatim from the SMH batch copy API page (shared/seeds/smh-batch-copy.txt).
const PAGE_EXAMPLE_REQUEST =
  '[{"copyFromSpaceId":"spaceNJsnjdiq","copyFrom": "bar","to": "foo/bar"},{"copyFrom": "foo/1.jpg","to": "bar/1.jpg"},{"copyFrom": "foo/2.jpg","to": "bar/2.jpg","conflictResolutionStrategy": "overwrite"}]';
const PAGE_EXAMPLE_RESPONSE =
  '{"result": [{"status": 204,"copyFrom": "bar","to": [ "foo", "bar" ]},{"status": 200,"path": [ "bar", "1 (1).jpg" ],"copyFrom": [ "foo", "1.jpg" ],"to": [ "bar", "1.jpg" ]},{"status": 204,"copyFrom": [ "foo", "2.jpg" ],"to": [ "bar", "2.jpg" ]}]}';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

async function call(
  emu: SmhEmulator,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  opts: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await request(`${emu.url}${path}`, { method, body, headers: opts.headers });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

const copyPath = (token: string, space = '-', flag = 'copy') =>
  `/api/v1/batch/${LIB}/${space}?${flag}&access_token=${token}`;
const taskPath = (token: string, ids: string, space = '-') =>
  `/api/v1/task/${LIB}/${space}/${ids}?access_token=${token}`;

function expectError(a: Answer, status: number, code: string): void {
  expect(a.status).toBe(status);
  expect(a.json).toEqual({ code, message: expect.any(String), requestId: a.headers['x-request-id'] });
  expect(String(a.headers['x-request-id'])).toMatch(/^smh-/);
}

let emu: SmhEmulator;
let clock: ManualClock;

async function start(opts: SmhEmulatorOptions = {}): Promise<void> {
  clock = new ManualClock();
  emu = await startSmhEmulator({ seed: true, clock, asyncThreshold: 'never', ...opts });
}

afterEach(async () => {
  await emu.close();
});

describe('tokens', () => {
  beforeEach(() => start());

  it('generates with GET and POST, 404 for a wrong id or secret', async () => {
    const get = await call(
      emu,
      'GET',
      `/api/v1/token?library_id=${LIB}&library_secret=${SECRET}&grant=admin`,
    );
    expect(get.status).toBe(200);
    expect(get.json).toEqual({ accessToken: expect.stringMatching(/^[0-9a-f]{48}$/), expiresIn: 86400 });
    const post = await call(
      emu,
      'POST',
      `/api/v1/token?library_id=${LIB}&library_secret=${SECRET}&period=600`,
    );
    expect(post.json).toEqual({ accessToken: expect.any(String), expiresIn: 600 });
    const clamped = await call(
      emu,
      'GET',
      `/api/v1/token?library_id=${LIB}&library_secret=${SECRET}&period=5`,
    );
    expect(clamped.json).toMatchObject({ expiresIn: 300 });

    expectError(
      await call(emu, 'GET', `/api/v1/token?library_id=${LIB}&library_secret=nope`),
      404,
      'WrongLibraryIdOrSecret',
    );
    expectError(
      await call(emu, 'GET', `/api/v1/token?library_id=other&library_secret=${SECRET}`),
      404,
      'WrongLibraryIdOrSecret',
    );
    expectError(
      await call(emu, 'GET', `/api/v1/token?library_id=${LIB}&library_secret=${SECRET}&space_id=nospace`),
      404,
      'SpaceNotFound',
    );
  });

  it('slides expiry by period on every use, judged on the clock', async () => {
    const gen = await call(emu, 'GET', `/api/v1/token?library_id=${LIB}&library_secret=${SECRET}&period=300`);
    const { accessToken } = gen.json as { accessToken: string };
    clock.advance(299_000);
    expect((await call(emu, 'GET', taskPath(accessToken, '1'))).status).toBe(200);
    clock.advance(299_000); // 598 s after issue: alive only because the last use slid it
    expect((await call(emu, 'GET', taskPath(accessToken, '1'))).json).toEqual([]);
    clock.advance(300_000);
    expectError(await call(emu, 'GET', taskPath(accessToken, '1')), 403, 'InvalidAccessToken');
  });

  it('renews with the original period and refuses expired tokens', async () => {
    const token = emu.issueToken({ libraryId: LIB, period: 1200 });
    clock.advance(1000_000);
    const renewed = await call(emu, 'POST', `/api/v1/token/${LIB}/${token}`);
    expect(renewed.status).toBe(200);
    expect(renewed.json).toEqual({ accessToken: token, expiresIn: 1200 });
    clock.advance(1100_000);
    expect((await call(emu, 'GET', taskPath(token, '1'))).status).toBe(200);
    clock.advance(1200_000);
    expectError(await call(emu, 'POST', `/api/v1/token/${LIB}/${token}`), 403, 'InvalidAccessToken');
    expectError(await call(emu, 'POST', `/api/v1/token/${LIB}/unknown`), 403, 'InvalidAccessToken');
  });

  it('deletes one token (204, idempotent) and all tokens of a user', async () => {
    const token = emu.issueToken({ libraryId: LIB });
    const del = await call(emu, 'DELETE', `/api/v1/token/${LIB}/${token}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(del.headers['x-request-id']).toMatch(/^smh-/);
    expectError(await call(emu, 'GET', taskPath(token, '1')), 403, 'InvalidAccessToken');
    expect((await call(emu, 'DELETE', `/api/v1/token/${LIB}/${token}`)).status).toBe(204);

    const a1 = emu.issueToken({ libraryId: LIB, userId: 'alice' });
    const a2 = emu.issueToken({ libraryId: LIB, userId: 'alice' });
    const b1 = emu.issueToken({ libraryId: LIB, userId: 'bob' });
    expectError(
      await call(emu, 'DELETE', `/api/v1/token/${LIB}?library_secret=wrong&user_id=alice`),
      404,
      'WrongLibraryIdOrSecret',
    );
    expect(
      (await call(emu, 'DELETE', `/api/v1/token/${LIB}?library_secret=${SECRET}&user_id=alice`)).status,
    ).toBe(204);
    expectError(await call(emu, 'GET', taskPath(a1, '1')), 403, 'InvalidAccessToken');
    expectError(await call(emu, 'GET', taskPath(a2, '1')), 403, 'InvalidAccessToken');
    expect((await call(emu, 'GET', taskPath(b1, '1'))).status).toBe(200);
  });

  it('answers EmptyAccessToken, InvalidAccessToken and AccessTokenNotMatchSpace', async () => {
    expectError(
      await call(emu, 'POST', `/api/v1/batch/${LIB}/-?copy`, { body: [] }),
      400,
      'EmptyAccessToken',
    );
    expectError(await call(emu, 'GET', taskPath('bogus', '1')), 403, 'InvalidAccessToken');
    emu.state.createLibrary('otherlib', 's');
    emu.state.createSpace('otherlib', '-');
    const foreign = emu.issueToken({ libraryId: 'otherlib', grants: ['admin'] });
    expectError(await call(emu, 'GET', taskPath(foreign, '1')), 403, 'InvalidAccessToken');
    const spaceB = emu.issueToken({ libraryId: LIB, spaceId: 'space-b', grants: ['copy_file'] });
    expectError(await call(emu, 'GET', taskPath(spaceB, '1')), 403, 'AccessTokenNotMatchSpace');
    expect((await call(emu, 'GET', taskPath(spaceB, '1', 'space-b'))).status).toBe(200);
  });
});

describe('batch copy', () => {
  let admin: string;
  beforeEach(async () => {
    await start();
    admin = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
  });

  const copy = (items: unknown, token = admin, space = '-') =>
    call(emu, 'POST', copyPath(token, space), { body: items });

  it("reproduces the API page's example on the seeded tree", async () => {
    const a = await call(emu, 'POST', copyPath(admin), { raw: PAGE_EXAMPLE_REQUEST });
    expect(a.status).toBe(200);
    // The page shows one `copyFrom` as a plain string; the chosen reading (smh.md §10.2) is always arrays.
    const expected = JSON.parse(PAGE_EXAMPLE_RESPONSE) as { result: Array<Record<string, unknown>> };
    for (const item of expected.result) {
      if (typeof item.copyFrom === 'string') item.copyFrom = item.copyFrom.split('/');
    }
    expect(a.text).toBe(JSON.stringify(expected));
    expect(emu.state.listDir(LIB, '-', 'foo/bar')?.map((n) => n.name)).toEqual(['sub', 'x.jpg']);
    expect(emu.state.exists(LIB, '-', 'foo/bar/sub/y.jpg')).toBe(true);
    expect(emu.state.stat(LIB, '-', 'bar/1 (1).jpg')).toMatchObject({ etag: 'foo-1', version: 1 });
    expect(emu.state.stat(LIB, '-', 'bar/2.jpg')).toMatchObject({ etag: 'foo-2', version: 2 });
    expect(emu.state.stat(LIB, '-', 'bar/1.jpg')).toMatchObject({ etag: 'bar-1', version: 1 });
  });

  it('accepts bare copy and copy=1, refuses a missing flag', async () => {
    const item = [{ copyFrom: 'foo/1.jpg', to: 'foo/one.jpg', conflictResolutionStrategy: 'ask' }];
    expect((await call(emu, 'POST', copyPath(admin, '-', 'copy'), { body: item })).status).toBe(200);
    const second = [{ copyFrom: 'foo/1.jpg', to: 'foo/uno.jpg', conflictResolutionStrategy: 'ask' }];
    expect((await call(emu, 'POST', copyPath(admin, '-', 'copy=1'), { body: second })).json).toEqual({
      result: [{ status: 204, copyFrom: ['foo', '1.jpg'], to: ['foo', 'uno.jpg'] }],
    });
    expectError(await call(emu, 'POST', copyPath(admin, '-', 'x=1'), { body: item }), 400, 'InvalidArgument');
    expectError(await call(emu, 'POST', copyPath(admin, '-', 'move'), { body: item }), 501, 'NotImplemented');
  });

  it('ask: 409 on a clash, 204 when free', async () => {
    const a = await copy([
      { copyFrom: 'foo/1.jpg', to: 'bar/1.jpg', conflictResolutionStrategy: 'ask' },
      { copyFrom: 'foo/1.jpg', to: 'bar/new.jpg', conflictResolutionStrategy: 'ask' },
    ]);
    expect(a.status).toBe(207);
    expect(a.json).toEqual({
      result: [
        {
          status: 409,
          code: 'SameNameDirectoryOrFileExists',
          message: expect.any(String),
          copyFrom: ['foo', '1.jpg'],
          to: ['bar', '1.jpg'],
        },
        { status: 204, copyFrom: ['foo', '1.jpg'], to: ['bar', 'new.jpg'] },
      ],
    });
    expect(emu.state.stat(LIB, '-', 'bar/1.jpg')?.etag).toBe('bar-1');
  });

  it('rename: 200 with path even without a clash, then (1), (2) ...', async () => {
    const item = { copyFrom: 'foo/1.jpg', to: 'bar/1.jpg', conflictResolutionStrategy: 'rename' };
    const a = await copy([item, item, { ...item, to: 'bar/fresh.jpg' }]);
    expect(a.status).toBe(200);
    expect((a.json as { result: unknown[] }).result).toEqual([
      { status: 200, path: ['bar', '1 (1).jpg'], copyFrom: ['foo', '1.jpg'], to: ['bar', '1.jpg'] },
      { status: 200, path: ['bar', '1 (2).jpg'], copyFrom: ['foo', '1.jpg'], to: ['bar', '1.jpg'] },
      { status: 200, path: ['bar', 'fresh.jpg'], copyFrom: ['foo', '1.jpg'], to: ['bar', 'fresh.jpg'] },
    ]);
    emu.state.putFile(LIB, '-', 'bar/1 (4).jpg');
    const b = await copy([item, item]);
    expect((b.json as { result: Array<{ path: string[] }> }).result.map((r) => r.path[1])).toEqual([
      '1 (3).jpg',
      '1 (5).jpg',
    ]);
  });

  it('renames directories, dotfiles, names without extension and multi-dot names', async () => {
    const a = await copy([
      { copyFrom: 'bar', to: 'bar', conflictResolutionStrategy: 'rename' },
      { copyFrom: 'docs/.env', to: 'docs/.env' },
      { copyFrom: 'docs/Makefile', to: 'docs/Makefile' },
      { copyFrom: 'docs/report.final.pdf', to: 'docs/report.final.pdf' },
      { copyFrom: 'photos', to: 'photos', conflictResolutionStrategy: 'rename' },
    ]);
    expect(a.status).toBe(200);
    const paths = (a.json as { result: Array<{ path: string[] }> }).result.map((r) => r.path.join('/'));
    expect(paths).toEqual([
      'bar (1)',
      'docs/.env (1)',
      'docs/Makefile (1)',
      'docs/report.final (1).pdf',
      'photos (1)',
    ]);
    expect(emu.state.listDir(LIB, '-', 'bar (1)')?.map((n) => n.name)).toEqual(['1.jpg', '2.jpg']);
    expect(emu.state.stat(LIB, '-', 'photos (1)')?.kind).toBe('album');
  });

  it('overwrite replaces files (version bump) but never directories or albums', async () => {
    const a = await copy([
      { copyFrom: 'foo/1.jpg', to: 'bar/1.jpg', conflictResolutionStrategy: 'overwrite' },
      { copyFrom: 'foo', to: 'bar', conflictResolutionStrategy: 'overwrite' },
      { copyFrom: 'foo/2.jpg', to: 'photos', conflictResolutionStrategy: 'overwrite' },
      { copyFrom: 'foo', to: 'photos/a.jpg', conflictResolutionStrategy: 'overwrite' },
    ]);
    expect(a.status).toBe(207);
    const result = (a.json as { result: Array<{ status: number; code?: string }> }).result;
    expect(result.map((r) => [r.status, r.code])).toEqual([
      [204, undefined],
      [409, 'SameNameDirectoryOrFileExists'],
      [409, 'SameNameDirectoryOrFileExists'],
      [409, 'SameNameDirectoryOrFileExists'],
    ]);
    expect(result[0]).toEqual({ status: 204, copyFrom: ['foo', '1.jpg'], to: ['bar', '1.jpg'] });
    expect(emu.state.stat(LIB, '-', 'bar/1.jpg')).toMatchObject({ etag: 'foo-1', version: 2, size: 102400 });
    expect(emu.state.listDir(LIB, '-', 'bar')?.map((n) => n.name)).toEqual(['1.jpg', '2.jpg']);
  });

  it('refuses overwrite in a space that keeps history versions', async () => {
    emu.state.createSpace(LIB, 'hist', { keepsHistory: true });
    emu.state.putFile(LIB, 'hist', 'a.txt', { etag: 'h1' });
    emu.state.putFile(LIB, 'hist', 'b.txt', { etag: 'h2' });
    const a = await copy(
      [{ copyFrom: 'a.txt', to: 'b.txt', conflictResolutionStrategy: 'overwrite' }],
      admin,
      'hist',
    );
    expect((a.json as { result: unknown[] }).result[0]).toMatchObject({
      status: 409,
      code: 'OverwriteFileNotAllowed',
    });
  });

  it('defaults: files rename (200), directories ask (409 on clash, 204 when free)', async () => {
    const a = await copy([
      { copyFrom: 'foo/1.jpg', to: 'bar/1.jpg' },
      { copyFrom: 'foo', to: 'bar' },
      { copyFrom: 'foo', to: 'docs/foo' },
    ]);
    expect(a.status).toBe(207);
    expect((a.json as { result: unknown[] }).result).toEqual([
      { status: 200, path: ['bar', '1 (1).jpg'], copyFrom: ['foo', '1.jpg'], to: ['bar', '1.jpg'] },
      {
        status: 409,
        code: 'SameNameDirectoryOrFileExists',
        message: expect.any(String),
        copyFrom: ['foo'],
        to: ['bar'],
      },
      { status: 204, copyFrom: ['foo'], to: ['docs', 'foo'] },
    ]);
    expect(emu.state.exists(LIB, '-', 'docs/foo/2.jpg')).toBe(true);
  });

  it('404s for missing sources and destination parents, 400 for copying a directory into itself', async () => {
    const a = await copy([
      { copyFrom: 'foo/nope.jpg', to: 'bar/x.jpg' },
      { copyFrom: 'nodir/x.jpg', to: 'bar/x.jpg' },
      { copyFrom: 'foo/1.jpg', to: 'missing/dir/1.jpg' },
      { copyFrom: 'foo/1.jpg', to: 'foo/2.jpg/1.jpg' },
      { copyFrom: 'foo', to: 'foo/inner' },
    ]);
    expect(a.status).toBe(207);
    const result = (a.json as { result: Array<Record<string, unknown>> }).result;
    expect(result.map((r) => [r.status, r.code])).toEqual([
      [404, 'FileNotFound'],
      [404, 'DirectoryNotFound'],
      [404, 'DirectoryNotFound'],
      [404, 'DirectoryNotFound'],
      [400, 'SourceDirectoryIsParentOfDestination'],
    ]);
    for (const r of result) {
      expect(r).not.toHaveProperty('path');
      expect(r.message).toEqual(expect.any(String));
    }
    expect(result[2]).toMatchObject({ copyFrom: ['foo', '1.jpg'], to: ['missing', 'dir', '1.jpg'] });
  });

  it('answers 207 when every item fails', async () => {
    const a = await copy([{ copyFrom: 'x', to: 'y' }]);
    expect(a.status).toBe(207);
    expect(emu.stats.executedItems).toBe(0);
  });

  it('validates the body as a whole', async () => {
    expectError(await copy([]), 400, 'NoItemsProvided');
    const many = Array.from({ length: 1001 }, (_, i) => ({ copyFrom: 'foo/1.jpg', to: `bar/${i}.jpg` }));
    expectError(await copy(many), 400, 'TooManyItems');
    expectError(await call(emu, 'POST', copyPath(admin), { raw: '{nope' }), 400, 'InvalidArgument');
    expectError(await copy({ copyFrom: 'a', to: 'b' }), 400, 'InvalidArgument');
    expectError(await copy(['foo']), 400, 'InvalidArgument');
    expectError(
      await copy([{ copyFrom: 'foo/1.jpg', to: 'bar/9.jpg' }, { copyFrom: 'foo/1.jpg' }]),
      400,
      'EmptyPath',
    );
    expectError(await copy([{ copyFrom: '/', to: 'x' }]), 400, 'EmptyPath');
    expectError(await copy([{ copyFrom: 42, to: 'x' }]), 400, 'InvalidArgument');
    expectError(await copy([{ copyFrom: '../foo', to: 'x' }]), 400, 'InvalidSourcePath');
    expectError(
      await copy([{ copyFrom: 'foo/1.jpg', to: 'x', conflictResolutionStrategy: 'replace' }]),
      400,
      'InvalidConflictResolutionStrategy',
    );
    expectError(
      await copy([{ copyFrom: 'foo/1.jpg', to: 'x', copyFromLibraryId: 'l' }]),
      400,
      'ParamInvalid',
    );
    // Nothing ran: a bad item fails the whole request before any work.
    expect(emu.state.exists(LIB, '-', 'bar/9.jpg')).toBe(false);
    expect(emu.stats.executedItems).toBe(0);
  });

  it('honours maxItems', async () => {
    await emu.close();
    await start({ maxItems: 2 });
    const token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
    const item = { copyFrom: 'foo/1.jpg', to: 'bar/1.jpg' };
    expectError(await copy([item, item, item], token), 400, 'TooManyItems');
    expect((await copy([item, item], token)).status).toBe(200);
  });

  it('copies across spaces with admin, or space_admin on both spaces', async () => {
    const item = { copyFromSpaceId: 'spaceNJsnjdiq', copyFrom: 'bar', to: 'docs/bar' };
    const both = emu.issueToken({ libraryId: LIB, spaceId: '-,spaceNJsnjdiq', grants: ['space_admin'] });
    const a = await copy([item], both);
    expect(a.status).toBe(200);
    expect(emu.state.stat(LIB, '-', 'docs/bar/x.jpg')).toMatchObject({ etag: 'nj-x' });

    const destOnly = emu.issueToken({ libraryId: LIB, spaceId: '-', grants: ['space_admin'] });
    const copier = emu.issueToken({ libraryId: LIB, grants: ['copy_directory', 'copy_file'] });
    const b = await copy([{ ...item, to: 'docs/bar2' }], destOnly);
    const c = await copy([{ ...item, to: 'docs/bar3' }], copier);
    const d = await copy([{ ...item, copyFromSpaceId: 'nospace', to: 'docs/bar4' }]);
    expect(b.status).toBe(207);
    expect((b.json as { result: unknown[] }).result[0]).toMatchObject({
      status: 403,
      code: 'AccessTokenNotMatchSpace',
    });
    expect((c.json as { result: unknown[] }).result[0]).toMatchObject({ status: 403, code: 'NoPermission' });
    expect((d.json as { result: unknown[] }).result[0]).toMatchObject({ status: 404, code: 'SpaceNotFound' });
    expect(emu.state.exists(LIB, '-', 'docs/bar2')).toBe(false);
    expect(emu.state.exists(LIB, '-', 'docs/bar3')).toBe(false);

    // The URL's space is the destination.
    const e = await copy(
      [{ copyFromSpaceId: '-', copyFrom: 'foo/1.jpg', to: 'shared/1.jpg' }],
      admin,
      'space-b',
    );
    expect(e.status).toBe(200);
    expect(emu.state.stat(LIB, 'space-b', 'shared/1.jpg')).toMatchObject({ etag: 'foo-1' });
  });

  it('checks same-space grants per item, and refuses the request when no copy grant exists', async () => {
    const fileOnly = emu.issueToken({ libraryId: LIB, grants: ['copy_file'] });
    const a = await copy(
      [
        { copyFrom: 'foo/1.jpg', to: 'docs/1.jpg' },
        { copyFrom: 'foo', to: 'docs/foo' },
        { copyFrom: 'foo/2.jpg', to: 'bar/2.jpg', conflictResolutionStrategy: 'overwrite' },
      ],
      fileOnly,
    );
    expect(a.status).toBe(207);
    const result = (a.json as { result: Array<Record<string, unknown>> }).result;
    expect(result.map((r) => [r.status, r.code])).toEqual([
      [200, undefined],
      [403, 'NoPermission'],
      [403, 'NoPermission'],
    ]);
    const force = emu.issueToken({ libraryId: LIB, grants: ['copy_file_force', 'copy_directory'] });
    const b = await copy(
      [
        { copyFrom: 'foo/2.jpg', to: 'bar/2.jpg', conflictResolutionStrategy: 'overwrite' },
        { copyFrom: 'foo', to: 'docs/foo' },
      ],
      force,
    );
    expect(b.status).toBe(200);
    const readOnly = emu.issueToken({ libraryId: LIB });
    expectError(await copy([{ copyFrom: 'foo/1.jpg', to: 'docs/z.jpg' }], readOnly), 403, 'NoPermission');
  });

  it('counts executed items in total and per request', async () => {
    const a = await copy([
      { copyFrom: 'foo/1.jpg', to: 'bar/1.jpg' },
      { copyFrom: 'foo', to: 'bar' },
      { copyFrom: 'foo', to: 'docs/foo' },
    ]);
    const b = await copy([{ copyFrom: 'foo/2.jpg', to: 'docs/2.jpg' }]);
    expect(emu.stats.executedItems).toBe(3);
    expect(emu.stats.executedNodes).toBe(1 + 3 + 1);
    expect(emu.stats.executedFor(String(a.headers['x-request-id']))).toBe(2);
    expect(emu.stats.executedFor(String(b.headers['x-request-id']))).toBe(1);
    const stats = await call(emu, 'GET', '/__admin/stats');
    expect(stats.json).toMatchObject({
      executedItems: 3,
      requests: { 'batch.copy': 2 },
      batches: [
        { items: 3, executed: 2, mode: 'sync' },
        { items: 1, executed: 1, mode: 'sync' },
      ],
    });
  });
});

describe('async tasks', () => {
  let admin: string;
  const items = [
    { copyFrom: 'foo/1.jpg', to: 'bar/1.jpg' },
    { copyFrom: 'foo/2.jpg', to: 'bar/2.jpg', conflictResolutionStrategy: 'overwrite' },
    { copyFrom: 'foo', to: 'bar' },
  ];

  beforeEach(async () => {
    await start({ asyncThreshold: 2, taskDurationMs: 3000, firstTaskId: 16 });
    admin = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
  });

  it('answers 202, reports 202 while running, then exactly the sync result', async () => {
    const accepted = await call(emu, 'POST', copyPath(admin), { body: items });
    expect(accepted.status).toBe(202);
    expect(accepted.text).toBe('{"taskId":16}');
    expect((await call(emu, 'GET', taskPath(admin, '16'))).json).toEqual([{ taskId: 16, status: 202 }]);
    // The work happens when the clock passes the due time, not before.
    expect(emu.state.exists(LIB, '-', 'bar/1 (1).jpg')).toBe(false);
    clock.advance(2999);
    expect((await call(emu, 'GET', taskPath(admin, '16'))).json).toEqual([{ taskId: 16, status: 202 }]);
    expect(emu.stats.executedItems).toBe(0);
    clock.advance(1);
    const done = await call(emu, 'GET', taskPath(admin, '16'));

    const sync = await startSmhEmulator({ seed: true, asyncThreshold: 'never' });
    try {
      const token = sync.issueToken({ libraryId: LIB, grants: ['admin'] });
      const direct = await request(`${sync.url}${copyPath(token)}`, {
        method: 'POST',
        body: JSON.stringify(items),
      });
      expect(direct.statusCode).toBe(207);
      const { result } = (await direct.body.json()) as { result: unknown[] };
      expect(done.json).toEqual([{ taskId: 16, status: 207, result }]);
      expect(result).toHaveLength(3);
    } finally {
      await sync.close();
    }
    expect(emu.state.exists(LIB, '-', 'bar/1 (1).jpg')).toBe(true);
    expect(emu.stats.batches[0]).toMatchObject({ mode: 'async', taskId: 16, executed: 2 });
  });

  it('gives increasing ids, reports 200 for an all-success task and leaves unknown ids out', async () => {
    const ok = [
      { copyFrom: 'foo/1.jpg', to: 'docs/a.jpg' },
      { copyFrom: 'foo/1.jpg', to: 'docs/b.jpg' },
      { copyFrom: 'foo/1.jpg', to: 'docs/c.jpg' },
    ];
    const first = await call(emu, 'POST', copyPath(admin), { body: ok });
    const second = await call(emu, 'POST', copyPath(admin), { body: items });
    expect([first.json, second.json]).toEqual([{ taskId: 16 }, { taskId: 17 }]);
    expect((await call(emu, 'POST', copyPath(admin), { body: items.slice(0, 2) })).status).toBe(200);

    const advanced = await call(emu, 'POST', '/__admin/clock/advance', { body: { ms: 3000 } });
    expect(advanced.json).toEqual({ now: clock.now() });
    const q = await call(emu, 'GET', taskPath(admin, '999,17,16,16'));
    const views = q.json as Array<{ taskId: number; status: number; result?: unknown[] }>;
    expect(views.map((v) => [v.taskId, v.status])).toEqual([
      [17, 207],
      [16, 200],
    ]);
    expect(views[1]?.result).toEqual(
      ['a', 'b', 'c'].map((n) => ({
        status: 200,
        path: ['docs', `${n}.jpg`],
        copyFrom: ['foo', '1.jpg'],
        to: ['docs', `${n}.jpg`],
      })),
    );
    expect((await call(emu, 'GET', taskPath(admin, '999'))).json).toEqual([]);
    // A task is only visible in its own space.
    const other = emu.issueToken({ libraryId: LIB, spaceId: 'space-b' });
    expect((await call(emu, 'GET', taskPath(other, '16', 'space-b'))).json).toEqual([]);
    expectError(await call(emu, 'GET', taskPath(admin, '16,abc')), 400, 'InvalidArgument');
  });

  it('keeps finished tasks for 30 days after completion', async () => {
    await call(emu, 'POST', copyPath(admin), { body: items });
    clock.advance(3000 + 30 * DAY_MS - 1);
    let token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
    expect((await call(emu, 'GET', taskPath(token, '16'))).json).toMatchObject([{ taskId: 16, status: 207 }]);
    clock.advance(1);
    token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
    expect((await call(emu, 'GET', taskPath(token, '16'))).json).toEqual([]);
  });

  it("validates before accepting, and supports 'always' and a node threshold", async () => {
    const bad = [...items, { copyFrom: 'foo/1.jpg' }];
    expectError(await call(emu, 'POST', copyPath(admin), { body: bad }), 400, 'EmptyPath');
    expect(emu.stats.tasksCreated).toBe(0);
    await emu.close();

    await start({ asyncThreshold: 'always', taskDurationMs: 10 });
    let token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
    const one = await call(emu, 'POST', copyPath(token), { body: [items[0]] });
    expect(one.json).toEqual({ taskId: 1 });
    clock.advance(10);
    // State reads settle due tasks too.
    expect(emu.state.exists(LIB, '-', 'bar/1 (1).jpg')).toBe(true);
    await emu.close();

    await start({ asyncThreshold: 100, asyncNodeThreshold: 3 });
    token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
    const small = await call(emu, 'POST', copyPath(token), { body: [{ copyFrom: 'foo', to: 'docs/foo' }] });
    expect(small.status).toBe(200);
    const large = await call(emu, 'POST', copyPath(token), {
      body: [{ copyFromSpaceId: 'spaceNJsnjdiq', copyFrom: 'bar', to: 'docs/nj' }],
    });
    expect(large.status).toBe(202);
  });

  it('refuses clock advance on the system clock', async () => {
    await emu.close();
    emu = await startSmhEmulator({ seed: true });
    expectError(
      await call(emu, 'POST', '/__admin/clock/advance', { body: { ms: 5 } }),
      409,
      'ClockNotManual',
    );
  });
});

describe('faults', () => {
  let admin: string;
  const one = (to: string) => [{ copyFrom: 'foo/1.jpg', to, conflictResolutionStrategy: 'ask' }];
  const faultHeader = (rule: unknown) => ({ 'x-emulator-fault': JSON.stringify(rule) });

  beforeEach(async () => {
    await start();
    admin = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
  });

  it('latency delays the real answer (header and admin)', async () => {
    const t0 = Date.now();
    const a = await call(emu, 'POST', copyPath(admin), {
      body: one('docs/l1.jpg'),
      headers: faultHeader({ kind: 'latency', ms: 150 }),
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(a.status).toBe(200);
    await call(emu, 'POST', '/__admin/faults', {
      body: { kind: 'latency', ms: 120, pathIncludes: '/task/', times: 1 },
    });
    const t1 = Date.now();
    expect((await call(emu, 'GET', taskPath(admin, '1'))).status).toBe(200);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(110);
    await call(emu, 'GET', taskPath(admin, '1'));
    // `times: 1` used the rule up: the third call is not delayed.
    expect(emu.stats.faultsByKind).toEqual({ latency: 2 });
  });

  it('status answers with an SMH error body and does not run the work', async () => {
    const a = await call(emu, 'POST', copyPath(admin), {
      body: one('docs/s1.jpg'),
      headers: faultHeader({
        kind: 'status',
        status: 503,
        code: 'ServerOverloaded',
        headers: { 'retry-after': '1' },
      }),
    });
    expectError(a, 503, 'ServerOverloaded');
    expect(a.headers['retry-after']).toBe('1');
    expect(emu.state.exists(LIB, '-', 'docs/s1.jpg')).toBe(false);

    await call(emu, 'POST', '/__admin/faults', {
      body: {
        kind: 'status',
        status: 500,
        code: 'InternalServerError',
        method: 'POST',
        pathIncludes: '/batch/',
        times: 1,
      },
    });
    expectError(
      await call(emu, 'POST', copyPath(admin), { body: one('docs/s2.jpg') }),
      500,
      'InternalServerError',
    );
    expect((await call(emu, 'POST', copyPath(admin), { body: one('docs/s2.jpg') })).status).toBe(200);
    expect(emu.stats.executedItems).toBe(1);
  });

  it('html answers an HTML page', async () => {
    const a = await call(emu, 'POST', copyPath(admin), {
      body: one('docs/h.jpg'),
      headers: faultHeader({ kind: 'html' }),
    });
    expect(a.status).toBe(503);
    expect(a.headers['content-type']).toContain('text/html');
    expect(a.text).toContain('<html>');
    expect(a.headers['x-request-id']).toMatch(/^smh-/);
    await call(emu, 'POST', '/__admin/faults', { body: { kind: 'html', status: 502 } });
    expect((await call(emu, 'GET', taskPath(admin, '1'))).status).toBe(502);
    expect((await call(emu, 'DELETE', '/__admin/faults')).status).toBe(204);
    expect((await call(emu, 'GET', taskPath(admin, '1'))).status).toBe(200);
  });

  it('truncated and reset break the response (header and admin)', async () => {
    await expect(
      call(emu, 'POST', copyPath(admin), {
        body: one('docs/t.jpg'),
        headers: faultHeader({ kind: 'truncated' }),
      }),
    ).rejects.toThrow();
    await expect(
      call(emu, 'POST', copyPath(admin), {
        body: one('docs/r.jpg'),
        headers: faultHeader({ kind: 'reset' }),
      }),
    ).rejects.toThrow();
    await call(emu, 'POST', '/__admin/faults', { body: { kind: 'reset', times: 1 } });
    await expect(call(emu, 'GET', taskPath(admin, '1'))).rejects.toThrow();
    await call(emu, 'POST', '/__admin/faults', { body: { kind: 'truncated', times: 1 } });
    await expect(call(emu, 'GET', taskPath(admin, '1'))).rejects.toThrow();
    expect(emu.state.exists(LIB, '-', 'docs/t.jpg')).toBe(false);
    expect(emu.state.exists(LIB, '-', 'docs/r.jpg')).toBe(false);
    const stats = await call(emu, 'GET', '/__admin/stats');
    expect(stats.json).toMatchObject({
      faultsFired: 4,
      faultsByKind: { truncated: 2, reset: 2 },
      executedItems: 0,
    });
  });

  it('after: true runs the copy first, then answers with the fault', async () => {
    for (const [i, fault] of [
      { kind: 'status', status: 502, code: 'BadGateway' },
      { kind: 'reset' },
      { kind: 'truncated' },
      { kind: 'html' },
    ].entries()) {
      const path = `docs/after-${i}.jpg`;
      await call(emu, 'POST', copyPath(admin), {
        body: one(path),
        headers: faultHeader({ ...fault, after: true }),
      }).catch(() => undefined);
      expect(emu.state.exists(LIB, '-', path)).toBe(true);
    }
    await call(emu, 'POST', '/__admin/faults', { body: { kind: 'reset', after: true, times: 1 } });
    await expect(call(emu, 'POST', copyPath(admin), { body: one('docs/after-admin.jpg') })).rejects.toThrow();
    expect(emu.state.stat(LIB, '-', 'docs/after-admin.jpg')).toMatchObject({ etag: 'foo-1' });
    expect(emu.stats.executedItems).toBe(5);
    // The retry a gateway might send now clashes: the first attempt really happened.
    const retry = await call(emu, 'POST', copyPath(admin), { body: one('docs/after-admin.jpg') });
    expect((retry.json as { result: unknown[] }).result[0]).toMatchObject({ status: 409 });
    const late = await call(emu, 'POST', copyPath(admin), {
      body: one('docs/late.jpg'),
      headers: faultHeader({ kind: 'latency', ms: 50, after: true }),
    });
    expect(late.status).toBe(200);
  });

  it('rejects a malformed fault header or rule', async () => {
    expectError(
      await call(emu, 'GET', taskPath(admin, '1'), { headers: { 'x-emulator-fault': '{"kind":"nope"}' } }),
      400,
      'InvalidFaultRule',
    );
    expectError(
      await call(emu, 'POST', '/__admin/faults', { body: { kind: 'status' } }),
      400,
      'InvalidFaultRule',
    );
  });

  it('item faults fail single items inside a 207', async () => {
    await call(emu, 'POST', '/__admin/item-faults', {
      body: { toIncludes: 'docs/b', status: 500, code: 'InternalServerError', times: 1 },
    });
    const a = await call(emu, 'POST', copyPath(admin), {
      body: [...one('docs/a.jpg'), ...one('docs/b.jpg')],
    });
    expect(a.status).toBe(207);
    expect((a.json as { result: unknown[] }).result).toEqual([
      { status: 204, copyFrom: ['foo', '1.jpg'], to: ['docs', 'a.jpg'] },
      {
        status: 500,
        code: 'InternalServerError',
        message: 'InternalServerError',
        copyFrom: ['foo', '1.jpg'],
        to: ['docs', 'b.jpg'],
      },
    ]);
    expect(emu.state.exists(LIB, '-', 'docs/b.jpg')).toBe(false);
  });
});

describe('server', () => {
  beforeEach(() => start());

  it('answers unknown routes and methods with SMH error bodies', async () => {
    expectError(await call(emu, 'GET', '/api/v1/nothing'), 404, 'NotFound');
    expectError(await call(emu, 'GET', `/api/v1/batch/${LIB}/-?copy`), 405, 'MethodNotAllowed');
    const token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
    expectError(
      await call(emu, 'GET', `/api/v1/task/nolib/-/1?access_token=${token}`),
      404,
      'LibraryNotFound',
    );
    expectError(
      await call(emu, 'GET', `/api/v1/task/${LIB}/nospace/1?access_token=${token}`),
      404,
      'SpaceNotFound',
    );
  });

  it('close() ends keep-alive connections', async () => {
    const token = emu.issueToken({ libraryId: LIB });
    expect((await call(emu, 'GET', taskPath(token, '1'))).status).toBe(200);
    const t0 = Date.now();
    await emu.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await start();
  });

  it('dumps a tree for debugging', async () => {
    const a = await call(emu, 'GET', `/__admin/tree/${LIB}/space-b`);
    expect(a.json).toEqual({
      shared: { 'readme.txt': { kind: 'file', size: 120, version: 1, etag: 'b-readme' } },
    });
  });
});
