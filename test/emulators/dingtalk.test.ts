import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  DINGTALK_SEED as SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
  type ResultItem,
  type TaskView,
} from '../../src/emulators/dingtalk/index.js';

const TASK_MS = 10_000;
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const COPY_PATH = `/v1.0/storage/spaces/${SEED.sourceSpaceId}/dentries/batchCopy?unionId=${SEED.unionId}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

let emu: DingTalkEmulator;
let clock: ManualClock;
let token: string;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 1, 8, 0, 0));
  emu = await startDingTalkEmulator({ clock, seed: true, taskDurationMs: TASK_MS });
  token = emu.issueToken();
});

afterEach(async () => {
  await emu.close();
});

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; token?: string | null } = {},
  target: DingTalkEmulator = emu,
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  const tok = opts.token === undefined ? token : opts.token;
  if (tok !== null) headers['x-acs-dingtalk-access-token'] = tok;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  const res = await request(`${target.url}${path}`, { method, headers, body });
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // non-JSON answers (HTML faults) are checked through `text`
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

function copyBody(
  dentryIds: string[],
  conflictStrategy?: string,
  targetFolderId: string = SEED.targetFolderId,
) {
  return {
    targetSpaceId: SEED.targetSpaceId,
    targetFolderId,
    dentryIds,
    ...(conflictStrategy === undefined ? {} : { option: { conflictStrategy } }),
  };
}

async function copy(
  dentryIds: string[],
  conflictStrategy?: string,
  targetFolderId?: string,
): Promise<ResultItem[]> {
  const res = await call('POST', COPY_PATH, { body: copyBody(dentryIds, conflictStrategy, targetFolderId) });
  expect(res.status).toBe(200);
  return res.json.resultItems as ResultItem[];
}

async function getTask(taskId: string): Promise<TaskView> {
  const res = await call('GET', `/v1.0/storage/tasks/${taskId}?unionId=${SEED.unionId}`);
  expect(res.status).toBe(200);
  return (res.json as { task: TaskView }).task;
}

function expectError(res: Answer, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.json.code).toBe(code);
  expect(typeof res.json.message).toBe('string');
  expect(res.json.requestid).toBe(res.headers['x-acs-request-id']);
}

function targetNames(): string[] {
  return emu.state.children(SEED.targetSpaceId, SEED.targetFolderId).map((d) => d.name);
}

describe('access tokens', () => {
  const tokenCall = (body: unknown) => call('POST', '/v1.0/oauth2/accessToken', { body, token: null });
  const good = { appKey: SEED.appKey, appSecret: SEED.appSecret };

  it('returns the same token while valid, extending it, and a new one after expiry', async () => {
    const first = await tokenCall(good);
    expect(first.status).toBe(200);
    expect(first.json.expireIn).toBe(7200);
    const t1 = first.json.accessToken as string;
    expect(t1).toBe(token); // issueToken and the endpoint share the per-app token

    clock.advance(7000_000);
    expect((await tokenCall(good)).json.accessToken).toBe(t1);
    // Extended at 7000 s, so still valid 7100 s later, where the original expiry has passed.
    clock.advance(7100_000);
    expect((await call('GET', '/v1.0/storage/tasks/nope?unionId=u', { token: t1 })).json.code).toBe(
      'taskNotExist',
    );

    clock.advance(7200_000);
    const stale = await call('GET', '/v1.0/storage/tasks/nope?unionId=u', { token: t1 });
    expectError(stale, 400, 'InvalidAuthentication');
    const renewed = (await tokenCall(good)).json.accessToken as string;
    expect(renewed).not.toBe(t1);
    expect(emu.stats.tokenRequests).toBe(3);
  });

  it('rejects bad credentials and missing or non-JSON bodies', async () => {
    expectError(await tokenCall({ appKey: SEED.appKey, appSecret: 'wrong' }), 400, 'invalidClientIdOrSecret');
    expectError(await tokenCall({ appKey: 'nobody', appSecret: 'x' }), 400, 'invalidClientIdOrSecret');
    expectError(await call('POST', '/v1.0/oauth2/accessToken', { token: null }), 400, 'Missingbody');
    const form = await call('POST', '/v1.0/oauth2/accessToken', {
      token: null,
      rawBody: 'appKey=dingdemo&appSecret=dingdemo-secret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(form, 400, 'Missingbody');
    expect(emu.stats.tokenRequests).toBe(4);
  });
});

describe('authentication and error bodies', () => {
  it('answers a missing token header with AuthenticationFailed.MissingParameter', async () => {
    const res = await call('POST', COPY_PATH, { body: copyBody(['d-file-1']), token: null });
    expectError(res, 400, 'AuthenticationFailed.MissingParameter');
    expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
    expect(Object.keys(res.json).sort()).toEqual(['code', 'message', 'requestid']);
    expect(res.json.requestid).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('answers an unknown token with 400 InvalidAuthentication', async () => {
    const res = await call('POST', COPY_PATH, { body: copyBody(['d-file-1']), token: 'not-a-token' });
    expectError(res, 400, 'InvalidAuthentication');
    expect(res.json.message).toBe('不合法的access_token');
  });

  it('puts x-acs-request-id on successful answers too', async () => {
    const res = await call('POST', COPY_PATH, { body: copyBody(['d-file-2']) });
    expect(res.status).toBe(200);
    expect(res.headers['x-acs-request-id']).toMatch(/^[0-9A-F-]{36}$/);
  });
});

describe('batch copy parameters', () => {
  it('enforces the dentryIds limit of 3 by default', async () => {
    const res = await call('POST', COPY_PATH, {
      body: copyBody(['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4']),
    });
    expectError(res, 400, 'paramError.dentryIds');
    expect(res.json.message).toBe('dentryIds size exceed 3');
    expect(emu.state.children(SEED.targetSpaceId, SEED.targetFolderId)).toHaveLength(1);
  });

  it('makes the limit configurable', async () => {
    const wide = await startDingTalkEmulator({ seed: true, maxDentryIds: 4 });
    try {
      const res = await call(
        'POST',
        COPY_PATH,
        { body: copyBody(['d-file-1', 'd-file-2', 'd-file-3', 'd-folder-2']), token: wide.issueToken() },
        wide,
      );
      expect(res.status).toBe(200);
      expect(res.json.resultItems).toHaveLength(4);
    } finally {
      await wide.close();
    }
  });

  it.each([
    ['missing targetSpaceId', { targetFolderId: '0', dentryIds: ['d-file-1'] }, 'paramError.targetSpaceId'],
    [
      'empty targetFolderId',
      { targetSpaceId: 'space-dst', targetFolderId: '', dentryIds: ['x'] },
      'paramError.targetFolderId',
    ],
    [
      'empty dentryIds',
      { targetSpaceId: 'space-dst', targetFolderId: '0', dentryIds: [] },
      'paramError.dentryIds',
    ],
    [
      'non-string dentryIds',
      { targetSpaceId: 'space-dst', targetFolderId: '0', dentryIds: [1] },
      'paramError.dentryIds',
    ],
    [
      'unknown strategy',
      { ...copyBody(['d-file-1']), option: { conflictStrategy: 'MERGE' } },
      'paramError.conflictStrategy',
    ],
  ])('rejects %s', async (_name, body, code) => {
    expectError(await call('POST', COPY_PATH, { body }), 400, code);
  });

  it('requires unionId and a JSON body', async () => {
    const noUnion = `/v1.0/storage/spaces/${SEED.sourceSpaceId}/dentries/batchCopy`;
    expectError(await call('POST', noUnion, { body: copyBody(['d-file-1']) }), 400, 'paramError');
    expectError(await call('POST', COPY_PATH, { rawBody: 'nope' }), 400, 'Missingbody');
  });

  it('rejects missing spaces and target folders as a whole', async () => {
    const missingSource = '/v1.0/storage/spaces/space-nope/dentries/batchCopy?unionId=u';
    expectError(await call('POST', missingSource, { body: copyBody(['d-file-1']) }), 404, 'spaceNotExist');
    const missingTarget = { ...copyBody(['d-file-1']), targetSpaceId: 'space-nope' };
    expectError(await call('POST', COPY_PATH, { body: missingTarget }), 404, 'spaceNotExist');
    expectError(
      await call('POST', COPY_PATH, { body: copyBody(['d-file-1'], undefined, 'f-nope') }),
      404,
      'dentryNotExist',
    );
    expect(emu.stats.executedCopies).toBe(0);
  });

  it('rejects a copy that would exceed the target space quota', async () => {
    emu.state.createSpace({ id: 'tiny', quota: 2 });
    const body = { targetSpaceId: 'tiny', targetFolderId: '0', dentryIds: ['d-folder-1'] };
    expectError(await call('POST', COPY_PATH, { body }), 400, 'spaceQuotaInsufficient');
    expect(emu.state.tree('tiny')).toEqual([]);
  });
});

describe('conflict strategies', () => {
  it('AUTO_RENAME (the default) gives each copy a first free name', async () => {
    const [a] = await copy([SEED.conflictingFileId]);
    const [b] = await copy([SEED.conflictingFileId], 'AUTO_RENAME');
    expect(a).toMatchObject({ async: false, success: true, targetSpaceId: SEED.targetSpaceId });
    expect(a?.targetDentryId).not.toBe(SEED.existingTargetFileId);
    expect(b?.targetDentryId).not.toBe(a?.targetDentryId);
    expect(targetNames().sort()).toEqual(['report(1).pdf', 'report(2).pdf', 'report.pdf']);
    expect(emu.state.getDentry(a?.targetDentryId ?? '')?.name).toBe('report(1).pdf');
  });

  it('AUTO_RENAME puts the suffix at the end of folder names', async () => {
    await copy([SEED.emptyFolderId], 'AUTO_RENAME', '0');
    await copy([SEED.emptyFolderId], 'AUTO_RENAME', '0');
    const names = emu.state.children(SEED.targetSpaceId, '0').map((d) => d.name);
    expect(names.sort()).toEqual(['empty', 'empty(1)', 'target']);
  });

  it('OVERWRITE on a file keeps the id and bumps the version', async () => {
    const [item] = await copy([SEED.conflictingFileId], 'OVERWRITE');
    expect(item).toEqual({
      spaceId: SEED.sourceSpaceId,
      dentryId: SEED.conflictingFileId,
      async: false,
      success: true,
      targetSpaceId: SEED.targetSpaceId,
      targetDentryId: SEED.existingTargetFileId,
    });
    expect(emu.state.getDentry(SEED.existingTargetFileId)?.version).toBe(2);
    expect(targetNames()).toEqual(['report.pdf']);
    expect(emu.stats.executedCopies).toBe(1);
  });

  it('OVERWRITE on a folder replaces it with a new id', async () => {
    const old = emu.state.createFolder(SEED.targetSpaceId, 'empty', { parentId: SEED.targetFolderId });
    emu.state.createFile(SEED.targetSpaceId, 'stale.txt', { parentId: old.id });
    const [item] = await copy([SEED.emptyFolderId], 'OVERWRITE');
    expect(item).toMatchObject({ async: false, success: true });
    expect(item?.targetDentryId).not.toBe(old.id);
    expect(emu.state.getDentry(old.id)).toBeUndefined();
    expect(emu.state.children(SEED.targetSpaceId, item?.targetDentryId ?? '')).toEqual([]);
  });

  it('RETURN_DENTRY_IF_EXISTS returns the existing id and copies nothing', async () => {
    const [item] = await copy([SEED.conflictingFileId], 'RETURN_DENTRY_IF_EXISTS');
    expect(item).toMatchObject({ async: false, success: true, targetDentryId: SEED.existingTargetFileId });
    expect(emu.state.getDentry(SEED.existingTargetFileId)?.version).toBe(1);
    expect(targetNames()).toEqual(['report.pdf']);
    expect(emu.stats.executedCopies).toBe(0);
  });

  it('RETURN_ERROR_IF_EXISTS fails the item with dentryAlreadyExist', async () => {
    const [clash, fresh] = await copy([SEED.conflictingFileId, 'd-file-3'], 'RETURN_ERROR_IF_EXISTS');
    expect(clash).toEqual({
      spaceId: SEED.sourceSpaceId,
      dentryId: SEED.conflictingFileId,
      async: false,
      success: false,
      errorCode: 'dentryAlreadyExist',
    });
    expect(fresh).toMatchObject({ success: true });
    expect(targetNames().sort()).toEqual(['photo.png', 'report.pdf']);
  });
});

describe('mixed answers', () => {
  it('answers sync, async and failed items in request order', async () => {
    emu.state.denyCopy('d-file-3', SEED.unionId);
    const res = await call('POST', COPY_PATH, { body: copyBody(['d-file-2', SEED.folderId, 'd-missing']) });
    const items = res.json.resultItems as ResultItem[];
    expect(items.map((i) => i.dentryId)).toEqual(['d-file-2', SEED.folderId, 'd-missing']);
    expect(items[0]).toMatchObject({ async: false, success: true, targetSpaceId: SEED.targetSpaceId });
    expect(items[1]).toMatchObject({ async: true, targetSpaceId: SEED.targetSpaceId });
    expect(items[1]).not.toHaveProperty('success');
    expect(items[1]).not.toHaveProperty('errorCode');
    expect(typeof items[1]?.taskId).toBe('string');
    // The root of an async copy exists at once.
    expect(emu.state.getDentry(items[1]?.targetDentryId ?? '')).toMatchObject({
      name: 'projects',
      type: 'FOLDER',
    });
    expect(items[2]).toEqual({
      spaceId: SEED.sourceSpaceId,
      dentryId: 'd-missing',
      async: false,
      success: false,
      errorCode: 'dentryNotExist',
    });

    const [denied] = await copy(['d-file-3']);
    expect(denied).toMatchObject({ success: false, errorCode: 'permissionDenied' });
    // Only the operator named in the ACL is refused.
    const other = `/v1.0/storage/spaces/${SEED.sourceSpaceId}/dentries/batchCopy?unionId=someone-else`;
    const allowed = await call('POST', other, { body: copyBody(['d-file-3']) });
    expect((allowed.json.resultItems as ResultItem[])[0]).toMatchObject({ success: true });

    expect(emu.stats.copyRequests.map((r) => r.executed)).toEqual([2, 0, 1]);
    expect(emu.stats.executedCopies).toBe(3);
  });

  it('copies an empty folder synchronously', async () => {
    const [item] = await copy([SEED.emptyFolderId]);
    expect(item).toMatchObject({ async: false, success: true });
    expect(item).not.toHaveProperty('taskId');
  });

  it('sets permission denials through the admin ACL endpoint', async () => {
    await call('POST', '/__admin/acl', {
      body: { dentryId: 'd-file-2', unionId: SEED.unionId, copy: false },
    });
    expect((await copy(['d-file-2']))[0]).toMatchObject({ success: false, errorCode: 'permissionDenied' });
    await call('POST', '/__admin/acl', { body: { dentryId: 'd-file-2', copy: true } });
    expect((await copy(['d-file-2']))[0]).toMatchObject({ success: true });
  });
});

describe('tasks', () => {
  it('moves INIT → IN_PROGRESS → SUCCESS on the clock, counts growing', async () => {
    const [item] = await copy([SEED.folderId]);
    const taskId = item?.taskId ?? '';
    const begin = '2026-01-01T08:00:00Z';

    expect(await getTask(taskId)).toEqual({
      id: taskId,
      status: 'INIT',
      totalCount: SEED.folderEntryCount,
      successCount: 0,
      failCount: 0,
      beginTime: begin,
    });

    clock.advance(TASK_MS / 2);
    const mid = await getTask(taskId);
    expect(mid.status).toBe('IN_PROGRESS');
    expect(mid.successCount).toBe(1);
    expect(mid).not.toHaveProperty('endTime');

    clock.advance(TASK_MS / 2);
    const end = await getTask(taskId);
    expect(end).toEqual({
      id: taskId,
      status: 'SUCCESS',
      totalCount: 3,
      successCount: 3,
      failCount: 0,
      beginTime: begin,
      endTime: '2026-01-01T08:00:10Z',
    });
    expect(end.endTime).toMatch(ISO_SECONDS);
    const [copied] = emu.state
      .tree(SEED.targetSpaceId, item?.targetDentryId ?? '')
      .filter((n) => n.name === 'archive');
    expect(copied?.children?.map((c) => c.name)).toEqual(['old.txt']);
  });

  it('ends in FAIL with the first error code when sub-items fail', async () => {
    // The flagged folder fails, and so does the file inside it; plan.docx still copies.
    const flag = await call('POST', '/__admin/fail-on-copy', {
      body: { dentryId: 'd-folder-3', errorCode: 'permissionDenied' },
    });
    expect(flag.status).toBe(200);
    const [item] = await copy([SEED.folderId]);
    clock.advance(TASK_MS);
    expect(await getTask(item?.taskId ?? '')).toMatchObject({
      status: 'FAIL',
      totalCount: 3,
      successCount: 1,
      failCount: 2,
      failMessage: 'permissionDenied',
    });
    const names = emu.state.children(SEED.targetSpaceId, item?.targetDentryId ?? '').map((d) => d.name);
    expect(names).toEqual(['plan.docx']);
  });

  it('answers an unknown task with 404 taskNotExist', async () => {
    expectError(
      await call('GET', `/v1.0/storage/tasks/task-404?unionId=${SEED.unionId}`),
      404,
      'taskNotExist',
    );
  });

  it('advances the clock through the admin API', async () => {
    const [item] = await copy([SEED.folderId]);
    const res = await call('POST', '/__admin/clock/advance', { body: { ms: TASK_MS } });
    expect(res.json.now).toBe(clock.now());
    expect((await getTask(item?.taskId ?? '')).status).toBe('SUCCESS');
  });

  it('refuses to advance a system clock', async () => {
    const real = await startDingTalkEmulator();
    try {
      const res = await call('POST', '/__admin/clock/advance', { body: { ms: 1 } }, real);
      expect(res.status).toBe(409);
      expect(res.json.code).toBe('emulator.clockNotManual');
    } finally {
      await real.close();
    }
  });

  it('rejects copies into a folder a running task fills, when concurrency control is on', async () => {
    const strict = await startDingTalkEmulator({
      seed: true,
      clock,
      taskDurationMs: TASK_MS,
      concurrencyControl: true,
    });
    try {
      const opts = { body: copyBody([SEED.folderId]), token: strict.issueToken() };
      expect((await call('POST', COPY_PATH, opts, strict)).status).toBe(200);
      expectError(await call('POST', COPY_PATH, opts, strict), 400, 'operationConcurrentControl');
      clock.advance(TASK_MS);
      expect((await call('POST', COPY_PATH, opts, strict)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('wire format', () => {
  it('accepts a chunked request body without content-length', async () => {
    async function* chunks() {
      const text = JSON.stringify(copyBody(['d-file-2']));
      yield Buffer.from(text.slice(0, 10));
      yield Buffer.from(text.slice(10));
    }
    const res = await request(`${emu.url}${COPY_PATH}`, {
      method: 'POST',
      headers: { 'x-acs-dingtalk-access-token': token, 'content-type': 'application/json; charset=utf-8' },
      body: Readable.from(chunks()),
    });
    const json = (await res.body.json()) as { resultItems: ResultItem[] };
    expect(res.statusCode).toBe(200);
    expect(json.resultItems[0]).toMatchObject({ success: true });
    const recorded = emu.stats.lastRequests.batchCopy;
    expect(recorded?.headers['transfer-encoding']).toBe('chunked');
    expect(recorded?.headers['content-length']).toBeUndefined();
    expect(recorded?.query).toEqual({ unionId: SEED.unionId });
  });

  it('answers unknown routes with 404', async () => {
    expectError(await call('GET', '/v1.0/storage/nothing'), 404, 'InvalidAction.NotFound');
  });
});

describe('fault injection', () => {
  const faultHeader = (rule: object) => ({ 'x-emulator-fault': JSON.stringify(rule) });
  const copyWithFault = (rule: object) =>
    call('POST', COPY_PATH, { body: copyBody(['d-file-2']), headers: faultHeader(rule) });

  it.each([
    ['concurrentControl', 400, 'operationConcurrentControl'],
    ['qpsLimit', 403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi'],
    ['qpsLimitGlobal', 403, 'Forbidden.AccessDenied.QpsLimitForApi'],
    ['systemError', 500, 'systemError'],
    ['unknownError', 500, 'unknownError'],
    ['operationTimeout', 503, 'operationTimeout'],
    ['spaceQuotaInsufficient', 400, 'spaceQuotaInsufficient'],
  ])('header preset %s answers %i %s without copying', async (preset, status, code) => {
    const res = await copyWithFault({ preset });
    expectError(res, status, code);
    expect(emu.stats.executedCopies).toBe(0);
    expect(emu.stats.faultsFired).toBe(1);
  });

  it('adds Retry-After to the QPS fault on request', async () => {
    const res = await copyWithFault({ preset: 'qpsLimit', retryAfterSeconds: 2 });
    expect(res.status).toBe(403);
    expect(res.headers['retry-after']).toBe('2');
  });

  it('accepts a raw FaultRule in the header', async () => {
    const res = await copyWithFault({ kind: 'status', status: 500, code: 'systemError', message: 'boom' });
    expectError(res, 500, 'systemError');
    expect(res.json.message).toBe('boom');
  });

  it('answers with an HTML page', async () => {
    const res = await copyWithFault({ preset: 'html' });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('delays the answer', async () => {
    const start = Date.now();
    const res = await copyWithFault({ preset: 'latency', ms: 150 });
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
  });

  it('resets the connection', async () => {
    await expect(copyWithFault({ preset: 'reset' })).rejects.toThrow();
    expect(emu.stats.executedCopies).toBe(0);
  });

  it('truncates the answer', async () => {
    await expect(copyWithFault({ preset: 'truncated' })).rejects.toThrow();
  });

  it('rejects a malformed fault header', async () => {
    const res = await call('POST', COPY_PATH, {
      body: copyBody(['d-file-2']),
      headers: { 'x-emulator-fault': '{' },
    });
    expectError(res, 400, 'emulator.badFault');
  });

  it('with after: true, copies first and then answers with the fault', async () => {
    const res = await copyWithFault({ preset: 'operationTimeout', after: true });
    expectError(res, 503, 'operationTimeout');
    expect(emu.stats.executedCopies).toBe(1);
    expect(targetNames().sort()).toEqual(['notes.txt', 'report.pdf']);
  });

  it('with after: true and reset, copies and drops the connection', async () => {
    await expect(copyWithFault({ preset: 'reset', after: true })).rejects.toThrow();
    expect(targetNames()).toContain('notes.txt');
  });

  it('installs and clears rules through the admin API', async () => {
    const added = await call('POST', '/__admin/faults', {
      body: [
        { preset: 'qpsLimit', pathIncludes: '/batchCopy', times: 1 },
        { kind: 'status', status: 500, code: 'systemError', pathIncludes: '/tasks/', method: 'GET' },
      ],
    });
    expect(added.json).toEqual({ added: 2 });

    expectError(
      await call('POST', COPY_PATH, { body: copyBody(['d-file-2']) }),
      403,
      'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
    );
    expect((await call('POST', COPY_PATH, { body: copyBody(['d-file-2']) })).status).toBe(200);
    expectError(await call('GET', '/v1.0/storage/tasks/x?unionId=u'), 500, 'systemError');

    expect((await call('DELETE', '/__admin/faults')).status).toBe(204);
    expectError(await call('GET', '/v1.0/storage/tasks/x?unionId=u'), 404, 'taskNotExist');

    const stats = await call('GET', '/__admin/stats');
    expect(stats.json.faultsFired).toBe(2);
    expect(emu.faults.firedCount).toBe(2);
  });

  it('rejects an invalid admin fault rule', async () => {
    const res = await call('POST', '/__admin/faults', { body: { kind: 'status', status: 500 } });
    expectError(res, 400, 'emulator.badFault');
  });
});

describe('admin and stats', () => {
  it('reports requests by route, token requests, executed copies and the last request', async () => {
    await call('POST', '/v1.0/oauth2/accessToken', {
      body: { appKey: SEED.appKey, appSecret: SEED.appSecret },
    });
    await copy(['d-file-2', 'd-file-3']);
    await call('GET', `/v1.0/storage/tasks/x?unionId=${SEED.unionId}`);
    const res = await call('GET', '/__admin/stats');
    expect(res.json).toMatchObject({
      requestsByRoute: { token: 1, batchCopy: 1, getTask: 1, admin: 1 },
      tokenRequests: 1,
      executedCopies: 2,
      faultsFired: 0,
    });
    const last = (res.json.lastRequests as Record<string, { method: string; path: string; rawBody: string }>)
      .batchCopy;
    expect(last?.method).toBe('POST');
    expect(last?.path).toBe(`/v1.0/storage/spaces/${SEED.sourceSpaceId}/dentries/batchCopy`);
    expect(JSON.parse(last?.rawBody ?? '')).toEqual(copyBody(['d-file-2', 'd-file-3']));
  });

  it('counts API calls per wall-clock second by route (callRates), admin calls aside', async () => {
    const before = Math.floor(Date.now() / 1000);
    await copy(['d-file-2']);
    await call('GET', `/v1.0/storage/tasks/x?unionId=${SEED.unionId}`);
    await call('GET', `/v1.0/storage/tasks/y?unionId=${SEED.unionId}`);
    const after = Math.floor(Date.now() / 1000);
    const rates = (await call('GET', '/__admin/stats')).json.callRates as Record<
      string,
      Record<string, number>
    >;
    expect(Object.keys(rates).sort()).toEqual(['batchCopy', 'getTask']);
    const total = (route: string) => Object.values(rates[route] ?? {}).reduce((sum, n) => sum + n, 0);
    expect(total('batchCopy')).toBe(1);
    expect(total('getTask')).toBe(2);
    for (const second of Object.keys(rates.getTask ?? {}).map(Number)) {
      expect(second).toBeGreaterThanOrEqual(before);
      expect(second).toBeLessThanOrEqual(after);
    }
    await call('DELETE', '/__admin/stats');
    expect((await call('GET', '/__admin/stats')).json.callRates).toEqual({});
  });

  it('creates spaces and dentries, issues tokens and reads the tree over HTTP', async () => {
    expect((await call('POST', '/__admin/spaces', { body: { id: 's-new' } })).status).toBe(201);
    const folder = await call('POST', '/__admin/dentries', {
      body: { spaceId: 's-new', name: 'f', type: 'FOLDER' },
    });
    const folderId = folder.json.id as string;
    await call('POST', '/__admin/dentries', {
      body: { spaceId: 's-new', parentId: folderId, name: 'a.txt', id: 'a1' },
    });
    const dup = await call('POST', '/__admin/dentries', {
      body: { spaceId: 's-new', parentId: folderId, name: 'a.txt' },
    });
    expectError(dup, 400, 'dentryAlreadyExist');

    const tree = await call('GET', '/__admin/spaces/s-new/tree');
    const stamp = { createTime: clock.now(), modifiedTime: clock.now(), creatorId: 'emulator' };
    expect(tree.json).toEqual({
      spaceId: 's-new',
      children: [
        {
          id: folderId,
          spaceId: 's-new',
          parentId: '0',
          name: 'f',
          type: 'FOLDER',
          version: 1,
          ...stamp,
          modifierId: 'emulator',
          uuid: expect.any(String),
          children: [
            {
              id: 'a1',
              spaceId: 's-new',
              parentId: folderId,
              name: 'a.txt',
              type: 'FILE',
              version: 1,
              size: 1024,
              ...stamp,
              modifierId: 'emulator',
              uuid: expect.any(String),
            },
          ],
        },
      ],
    });

    const issued = await call('POST', '/__admin/tokens', { body: { appKey: SEED.appKey } });
    expect(issued.json).toEqual({ accessToken: token, expireIn: 7200 });
  });

  it('seeds the demo tree', () => {
    expect(emu.state.tree(SEED.sourceSpaceId).map((n) => n.id)).toEqual([
      'd-folder-2',
      'd-file-2',
      'd-file-3',
      'd-folder-1',
      'd-file-1',
    ]);
    expect(emu.state.findChild(SEED.targetSpaceId, SEED.targetFolderId, 'report.pdf')?.id).toBe(
      SEED.existingTargetFileId,
    );
  });
});
