import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DINGTALK_SEED as SEED,
  ManualClock,
  startDingTalkEmulator,
  type DingTalkDentryView,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}

const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const SPACES = '/v1.0/storage/spaces';

let emu: DingTalkEmulator;
let clock: ManualClock;
let token: string | null;

beforeEach(async () => {
  clock = new ManualClock(T0);
  emu = await startDingTalkEmulator({ clock, seed: true, taskDurationMs: 10_000 });
  token = emu.issueToken();
});

afterEach(async () => {
  await emu.close();
});

async function call(
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (token !== null) headers['x-acs-dingtalk-access-token'] = token;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const sep = path.includes('?') ? '&' : '?';
  const res = await request(`${emu.url}${path}${sep}unionId=${SEED.unionId}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

function expectError(a: Answer, status: number, code: string): void {
  expect(a.status).toBe(status);
  expect(a.json).toEqual({ code, message: expect.any(String), requestid: a.headers['x-acs-request-id'] });
}

const getDentry = (spaceId: string, id: string) => call('POST', `${SPACES}/${spaceId}/dentries/${id}/query`);
const listPage = (spaceId: string, query: string) => call('GET', `${SPACES}/${spaceId}/dentries?${query}`);
const copy = (dentryIds: string[], headers?: Record<string, string>) =>
  call('POST', `${SPACES}/${SEED.sourceSpaceId}/dentries/batchCopy`, {
    body: { targetSpaceId: SEED.targetSpaceId, targetFolderId: SEED.targetFolderId, dentryIds },
    headers,
  });
const names = (a: Answer) => (a.json.dentries as DingTalkDentryView[]).map((d) => d.name);

describe('GetDentry', () => {
  it('answers the dentry with size, type, name, create time and the other documented fields', async () => {
    const a = await getDentry(SEED.sourceSpaceId, 'd-file-1');
    expect(a.status).toBe(200);
    expect(a.json.dentry).toEqual({
      id: 'd-file-1',
      spaceId: SEED.sourceSpaceId,
      parentId: '0',
      type: 'FILE',
      name: 'report.pdf',
      extension: 'pdf',
      size: 204_800,
      path: '/report.pdf',
      version: 1,
      status: 'NORMAL',
      creatorId: 'emulator',
      modifierId: 'emulator',
      createTime: iso(T0),
      modifiedTime: iso(T0),
      uuid: expect.any(String),
      properties: { readOnly: false },
      partitionType: 'PUBLIC_OSS_PARTITION',
      storageDriver: 'DINGTALK',
    });
    const folder = (await getDentry(SEED.sourceSpaceId, 'd-folder-3')).json.dentry as DingTalkDentryView;
    expect(folder).toMatchObject({ type: 'FOLDER', name: 'archive', path: '/projects/archive' });
    expect(folder.size).toBeUndefined();
    expect(folder.extension).toBeUndefined();
  });

  it('answers 404 dentryNotExist for a missing id or one of another space, 404 spaceNotExist, and checks auth', async () => {
    expectError(await getDentry(SEED.sourceSpaceId, 'nope'), 404, 'dentryNotExist');
    expectError(await getDentry(SEED.targetSpaceId, 'd-file-1'), 404, 'dentryNotExist');
    expectError(await getDentry('no-space', 'd-file-1'), 404, 'spaceNotExist');
    token = null;
    expectError(
      await getDentry(SEED.sourceSpaceId, 'd-file-1'),
      400,
      'AuthenticationFailed.MissingParameter',
    );
    token = 'bogus';
    expectError(await getDentry(SEED.sourceSpaceId, 'd-file-1'), 400, 'InvalidAuthentication');
  });
});

describe('GetDentries', () => {
  it('answers per item, failures included', async () => {
    const a = await call('POST', `${SPACES}/${SEED.sourceSpaceId}/dentries/query`, {
      body: { dentryIds: ['d-file-2', 'nope', 'd-folder-1'] },
    });
    expect(a.status).toBe(200);
    const items = a.json.resultItems as Array<Record<string, unknown>>;
    expect(items.map((i) => [i.dentryId, i.success, i.errorCode])).toEqual([
      ['d-file-2', true, undefined],
      ['nope', false, 'dentryNotExist'],
      ['d-folder-1', true, undefined],
    ]);
    expect(items[0]).toMatchObject({
      spaceId: SEED.sourceSpaceId,
      dentry: { name: 'notes.txt', size: 1_200 },
    });
  });

  it('takes at most 30 ids', async () => {
    const ids = Array.from({ length: 31 }, (_, i) => `id-${i}`);
    const path = `${SPACES}/${SEED.sourceSpaceId}/dentries/query`;
    expectError(await call('POST', path, { body: { dentryIds: ids } }), 400, 'paramError.dentryIds');
    expect((await call('POST', path, { body: { dentryIds: ids.slice(0, 30) } })).status).toBe(200);
    expectError(await call('POST', path, { body: { dentryIds: [] } }), 400, 'paramError.dentryIds');
  });
});

describe('ListDentries', () => {
  beforeEach(() => {
    for (let i = 0; i < 60; i += 1) {
      clock.advance(1000);
      emu.state.createFile(SEED.targetSpaceId, `f${String(i).padStart(2, '0')}.txt`, {
        parentId: SEED.targetFolderId,
        size: i,
      });
    }
  });

  it('pages at most 50 entries with nextToken until it is gone', async () => {
    const first = await listPage(SEED.targetSpaceId, `parentId=${SEED.targetFolderId}`);
    expect(first.status).toBe(200);
    expect(first.json.dentries).toHaveLength(50);
    expect(first.json.nextToken).toEqual(expect.any(String));
    const second = await listPage(
      SEED.targetSpaceId,
      `parentId=${SEED.targetFolderId}&nextToken=${String(first.json.nextToken)}`,
    );
    expect(second.json.dentries).toHaveLength(11); // 60 + the seeded report.pdf
    expect(second.json.nextToken).toBeUndefined();
    const all = [...names(first), ...names(second)];
    expect(new Set(all).size).toBe(61);
  });

  it('orders by CREATE_TIME either way (DESC by default) and by NAME or SIZE', async () => {
    const q = `parentId=${SEED.targetFolderId}&maxResults=3`;
    expect(names(await listPage(SEED.targetSpaceId, `${q}&orderBy=CREATE_TIME`))).toEqual([
      'f59.txt',
      'f58.txt',
      'f57.txt',
    ]);
    const oldest = await listPage(SEED.targetSpaceId, `${q}&orderBy=CREATE_TIME&order=ASC`);
    expect(names(oldest)).toEqual(['report.pdf', 'f00.txt', 'f01.txt']);
    expect((oldest.json.dentries as DingTalkDentryView[])[1]).toMatchObject({
      createTime: iso(T0 + 1000),
      size: 0,
      category: 'DOCUMENT',
    });
    expect(names(await listPage(SEED.targetSpaceId, `${q}&orderBy=NAME&order=ASC`))).toEqual([
      'f00.txt',
      'f01.txt',
      'f02.txt',
    ]);
    expect(names(await listPage(SEED.targetSpaceId, `${q}&orderBy=SIZE`))).toEqual([
      'report.pdf',
      'f59.txt',
      'f58.txt',
    ]);
  });

  it('refuses bad parameters and answers a missing folder with dentryNotExist', async () => {
    expectError(await listPage(SEED.targetSpaceId, ''), 400, 'paramError.parentId');
    expectError(
      await listPage(SEED.targetSpaceId, `parentId=${SEED.targetFolderId}&maxResults=51`),
      400,
      'paramError.maxResults',
    );
    expectError(
      await listPage(SEED.targetSpaceId, `parentId=${SEED.targetFolderId}&orderBy=COLOUR`),
      400,
      'paramError.orderBy',
    );
    expectError(await listPage(SEED.targetSpaceId, 'parentId=nope'), 404, 'dentryNotExist');
    expectError(await listPage('no-space', 'parentId=0'), 404, 'spaceNotExist');
  });
});

describe('reads after copies', () => {
  it('show a copy with the source size, the copy time and the operator as creator', async () => {
    clock.advance(5_000);
    expect((await copy(['d-file-2'])).status).toBe(200);
    const newest = await listPage(
      SEED.targetSpaceId,
      `parentId=${SEED.targetFolderId}&orderBy=CREATE_TIME&maxResults=1`,
    );
    expect((newest.json.dentries as DingTalkDentryView[])[0]).toMatchObject({
      name: 'notes.txt',
      size: 1_200,
      createTime: iso(T0 + 5_000),
      creatorId: SEED.unionId,
    });
  });

  it('show the copy whose answer was lost, and the records count it once', async () => {
    const lost = await copy(['d-file-2'], {
      'x-emulator-fault': JSON.stringify({ preset: 'systemError', after: true }),
    });
    expectError(lost, 500, 'systemError');
    const found = names(await listPage(SEED.targetSpaceId, `parentId=${SEED.targetFolderId}`));
    expect(found).toContain('notes.txt');
    const records = emu.stats.copiesOf('d-file-2');
    expect(records).toHaveLength(1);
    expect(emu.stats.copyTo(records[0]?.targetDentryId ?? '')).toEqual(records[0]);
    const recorded = await request(`${emu.url}/__admin/copies`);
    expect(((await recorded.body.json()) as { copies: unknown[] }).copies).toEqual([
      expect.objectContaining({ dentryId: 'd-file-2', targetSpaceId: SEED.targetSpaceId }),
    ]);
  });
});

describe('request-level failure caused by one id', () => {
  const admin = (body: unknown) =>
    request(`${emu.url}/__admin/fail-on-copy`, { method: 'POST', body: JSON.stringify(body) }).then((r) =>
      r.body.json(),
    );
  const copiedIds = () => emu.stats.copies.map((c) => c.dentryId);

  it('othersRun none: 400 dentryAlreadyExist and nothing runs', async () => {
    await admin({ dentryId: 'd-file-3', level: 'request', errorCode: 'dentryAlreadyExist' });
    expectError(await copy(['d-file-2', 'd-file-3', 'd-folder-2']), 400, 'dentryAlreadyExist');
    expect(copiedIds()).toEqual([]);
    expect(emu.stats.executedCopies).toBe(0);
    expect(emu.stats.copyRequests[0]?.requestError).toBe('dentryAlreadyExist');
  });

  it('othersRun before: the ids listed before the faulty one ran, then 403 permissionDenied', async () => {
    emu.state.failRequestOnCopy('d-file-3', { errorCode: 'permissionDenied', othersRun: 'before' });
    expectError(await copy(['d-file-2', 'd-file-3', 'd-folder-2']), 403, 'permissionDenied');
    expect(copiedIds()).toEqual(['d-file-2']);
    expect(emu.stats.executedCopies).toBe(1);
  });

  it('othersRun all: every other id ran; times limits the rule', async () => {
    await admin({
      dentryId: 'd-file-3',
      level: 'request',
      errorCode: 'dentryAlreadyExist',
      othersRun: 'all',
      times: 1,
    });
    expectError(await copy(['d-file-2', 'd-file-3', 'd-folder-2']), 400, 'dentryAlreadyExist');
    expect(copiedIds()).toEqual(['d-file-2', 'd-folder-2']);
    // The rule is used up: the same request now runs as usual.
    expect((await copy(['d-file-3'])).status).toBe(200);
    expect(copiedIds()).toEqual(['d-file-2', 'd-folder-2', 'd-file-3']);
  });

  it('is lifted with errorCode null and refuses an unknown othersRun', async () => {
    await admin({ dentryId: 'd-file-3', level: 'request', errorCode: 'permissionDenied' });
    await admin({ dentryId: 'd-file-3', level: 'request', errorCode: null });
    expect((await copy(['d-file-3'])).status).toBe(200);
    const bad = await request(`${emu.url}/__admin/fail-on-copy`, {
      method: 'POST',
      body: JSON.stringify({ dentryId: 'd-file-3', level: 'request', errorCode: 'x', othersRun: 'some' }),
    });
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
  });
});
