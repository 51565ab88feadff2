import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  crc64,
  DEMO_LIBRARY_ID as LIB,
  ManualClock,
  startSmhEmulator,
  type SmhEmulator,
  type SmhEntry,
} from '../../src/emulators/smh/index.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

let emu: SmhEmulator;
let clock: ManualClock;
let token: string;
const T0 = Date.UTC(2026, 0, 1);

beforeEach(async () => {
  clock = new ManualClock(T0);
  emu = await startSmhEmulator({ seed: true, clock, asyncThreshold: 'never' });
  // Reading needs no grant, only a token valid for the space.
  token = emu.issueToken({ libraryId: LIB });
});

afterEach(async () => {
  await emu.close();
});

async function call(
  method: 'GET' | 'HEAD' | 'POST',
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const sep = path.includes('?') ? '&' : '?';
  const res = await request(`${emu.url}${path}${sep}access_token=${token}`, {
    method,
    headers: opts.headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // HEAD answers and faults have no JSON body
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

const info = (path: string, extra = '') => call('GET', `/api/v1/directory/${LIB}/-/${path}?info${extra}`);
const list = (path: string, query = '') => call('GET', `/api/v1/directory/${LIB}/-/${path}?${query}`);
const names = (a: Answer) => (a.json.contents as SmhEntry[]).map((c) => c.name);

describe('crc64', () => {
  it('is CRC-64/ECMA-182 as COS computes it (check value of "123456789", empty input)', () => {
    expect(BigInt(crc64(Buffer.from('123456789')))).toBe(0x995dc9bbdf1939fan);
    expect(crc64(Buffer.alloc(0))).toBe('0');
    // A pattern repeated to a size equals the same bytes written out.
    expect(crc64(Buffer.from('ab'), 5)).toBe(crc64(Buffer.from('ababa')));
  });
});

describe('HEAD file and directory', () => {
  it('answers 200 with x-smh-* headers for a file, 404 without a body otherwise', async () => {
    const a = await call('HEAD', `/api/v1/file/${LIB}/-/foo/1.jpg`);
    expect(a.status).toBe(200);
    expect(a.text).toBe('');
    expect(a.headers).toMatchObject({
      'x-smh-type': 'file',
      'x-smh-size': '102400',
      'x-smh-crc64': crc64(Buffer.from('foo-1'), 102_400),
      'x-smh-etag': '"foo-1"',
      'x-smh-creation-time': new Date(T0).toISOString(),
      'x-smh-content-type': 'image/jpeg',
    });
    expect(a.headers['x-request-id']).toMatch(/^smh-/);
    expect((await call('HEAD', `/api/v1/file/${LIB}/-/foo/nope.jpg`)).status).toBe(404);
    // A directory is not a file.
    expect((await call('HEAD', `/api/v1/file/${LIB}/-/foo`)).status).toBe(404);
    expect((await call('HEAD', `/api/v1/directory/${LIB}/-/foo`)).status).toBe(200);
    expect((await call('HEAD', `/api/v1/directory/${LIB}/-/photos`)).status).toBe(200);
    expect((await call('HEAD', `/api/v1/directory/${LIB}/-/foo/1.jpg`)).status).toBe(404);
    expect((await call('HEAD', `/api/v1/directory/${LIB}/-/nope`)).status).toBe(404);
  });

  it('needs a token valid for the space, as the copy does', async () => {
    token = '';
    expect((await call('HEAD', `/api/v1/file/${LIB}/-/foo/1.jpg`)).status).toBe(400);
    token = emu.issueToken({ libraryId: LIB, spaceId: 'space-b' });
    const a = await info('foo/1.jpg');
    expect(a.status).toBe(403);
    expect(a.json.code).toBe('AccessTokenNotMatchSpace');
  });
});

describe('GET ?info', () => {
  it('gives type, size, crc64, eTag, times and (with_inode=1) the inode of a file', async () => {
    const a = await info('foo/1.jpg', '&with_inode=1');
    expect(a.status).toBe(200);
    expect(a.json).toEqual({
      name: '1.jpg',
      path: ['foo', '1.jpg'],
      type: 'file',
      creationTime: new Date(T0).toISOString(),
      modificationTime: new Date(T0).toISOString(),
      inode: expect.stringMatching(/^\d+$/),
      contentType: 'image/jpeg',
      size: '102400',
      eTag: '"foo-1"',
      crc64: crc64(Buffer.from('foo-1'), 102_400),
      versionId: 1,
    });
    // The path may arrive as one encoded parameter, as the SDKs send it.
    expect((await info('foo%2F1.jpg', '&with_inode=1')).json).toEqual(a.json);
  });

  it('gives a directory without size or crc64, and no inode unless asked', async () => {
    const a = await info('foo');
    expect(a.json).toEqual({
      name: 'foo',
      path: ['foo'],
      type: 'dir',
      creationTime: new Date(T0).toISOString(),
      modificationTime: new Date(T0).toISOString(),
    });
  });

  it('answers FileNotFound when the parent exists and DirectoryNotFound when it does not', async () => {
    const file = await info('foo/nope.jpg');
    expect(file.status).toBe(404);
    expect(file.json).toEqual({
      code: 'FileNotFound',
      message: expect.any(String),
      requestId: file.headers['x-request-id'],
    });
    expect((await info('nope/x.jpg')).json.code).toBe('DirectoryNotFound');
  });

  it('shows that a copy keeps size and crc64, with a new inode and the copy time', async () => {
    const source = await info('foo/2.jpg', '&with_inode=1');
    clock.advance(60_000);
    const admin = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
    const copied = await request(`${emu.url}/api/v1/batch/${LIB}/-?copy&access_token=${admin}`, {
      method: 'POST',
      body: JSON.stringify([{ copyFrom: 'foo/2.jpg', to: 'docs/copy.jpg' }]),
    });
    expect(copied.statusCode).toBe(200);
    await copied.body.dump();
    const copy = await info('docs/copy.jpg', '&with_inode=1');
    expect(copy.json).toMatchObject({
      size: source.json.size,
      crc64: source.json.crc64,
      eTag: source.json.eTag,
      creationTime: new Date(T0 + 60_000).toISOString(),
    });
    expect(copy.json.inode).not.toBe(source.json.inode);
    // The directory that received the copy changed at the copy time.
    expect((await info('docs')).json.modificationTime).toBe(new Date(T0 + 60_000).toISOString());
  });

  it('distinguishes files by content: different contents give different crc64s', async () => {
    emu.state.putFile(LIB, '-', 'docs/a.txt', { content: 'hello' });
    emu.state.putFile(LIB, '-', 'docs/b.txt', { content: 'hellO' });
    const a = await info('docs/a.txt');
    const b = await info('docs/b.txt');
    expect(a.json).toMatchObject({ size: '5', crc64: crc64(Buffer.from('hello')) });
    expect(b.json.crc64).not.toBe(a.json.crc64);
  });
});

describe('listing', () => {
  beforeEach(() => {
    for (let i = 0; i < 5; i += 1) {
      clock.advance(1000);
      emu.state.putFile(LIB, '-', `many/f${4 - i}.txt`, { size: 10 * (i + 1) });
    }
    emu.state.mkdir(LIB, '-', 'many/zdir');
    emu.state.mkdir(LIB, '-', 'many/adir');
  });

  it('puts directories first, then files by name, by default', async () => {
    const a = await list('many');
    expect(a.status).toBe(200);
    expect(a.json.path).toEqual(['many']);
    expect(names(a)).toEqual(['adir', 'zdir', 'f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt']);
    expect(a.json.nextMarker).toBeUndefined();
    const file = (a.json.contents as SmhEntry[])[2];
    expect(file).toMatchObject({ name: 'f0.txt', path: ['many', 'f0.txt'], type: 'file', size: '50' });
    expect(file?.crc64).toMatch(/^\d+$/);
  });

  it('pages by marker until nextMarker is gone', async () => {
    const seen: string[] = [];
    let marker: unknown = undefined;
    let pages = 0;
    do {
      const a = await list('many', `limit=3${marker === undefined ? '' : `&marker=${String(marker)}`}`);
      seen.push(...names(a));
      marker = a.json.nextMarker;
      pages += 1;
    } while (marker !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(['adir', 'zdir', 'f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt']);
  });

  it('sorts by creation time, either way, and filters', async () => {
    const newest = await list('many', 'order_by=creationTime&order_by_type=desc&filter=onlyFile');
    expect(names(newest)).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt']);
    const oldest = await list('many', 'order_by=creationTime&order_by_type=asc&filter=onlyFile');
    expect(names(oldest)).toEqual(['f4.txt', 'f3.txt', 'f2.txt', 'f1.txt', 'f0.txt']);
    expect(names(await list('many', 'filter=onlyDir'))).toEqual(['adir', 'zdir']);
    expect(names(await list('many', 'order_by=size&order_by_type=desc&sort_type=union'))[0]).toBe('f0.txt');
  });

  it('pages by page and page_size with counts of the direct children', async () => {
    const a = await list('many', 'page=2&page_size=3');
    expect(a.json).toMatchObject({ path: ['many'], fileCount: 5, subDirCount: 2, totalNum: 7 });
    expect(names(a)).toEqual(['f1.txt', 'f2.txt', 'f3.txt']);
  });

  it('lists the space root', async () => {
    expect(names(await call('GET', `/api/v1/directory/${LIB}/-`))).toContain('foo');
    expect(names(await call('GET', `/api/v1/directory/${LIB}/-/`))).toContain('foo');
  });

  it('refuses mixed paging modes, out-of-range limits and unknown orders', async () => {
    for (const query of [
      'marker=1&page=1',
      'limit=1001',
      'limit=0',
      'page=101&page_size=100',
      'order_by=colour',
    ]) {
      const a = await list('many', query);
      expect([query, a.status, a.json.code]).toEqual([query, 400, 'InvalidArgument']);
    }
    expect((await list('many/f0.txt')).json.code).toBe('DirectoryNotFound');
    expect((await list('nope')).status).toBe(404);
  });
});

describe('reads after a lost answer', () => {
  it('show the copy whose answer was lost, and the records count it once', async () => {
    const admin = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
    await expect(
      request(`${emu.url}/api/v1/batch/${LIB}/-?copy&access_token=${admin}`, {
        method: 'POST',
        headers: { 'x-emulator-fault': JSON.stringify({ kind: 'reset', after: true }) },
        body: JSON.stringify([
          { copyFrom: 'foo/1.jpg', to: 'bar/1.jpg', conflictResolutionStrategy: 'rename' },
        ]),
      }),
    ).rejects.toThrow();
    const listing = await list('bar', 'order_by=creationTime&order_by_type=desc');
    expect(names(listing)[0]).toBe('1 (1).jpg');
    expect((listing.json.contents as SmhEntry[])[0]?.crc64).toBe(crc64(Buffer.from('foo-1'), 102_400));
    expect(emu.stats.copiesTo('-', 'bar/1 (1).jpg')).toEqual([
      expect.objectContaining({ copyFrom: ['foo', '1.jpg'], path: ['bar', '1 (1).jpg'], spaceId: '-' }),
    ]);
    expect(emu.stats.copiesTo('-', ['bar', '1.jpg'])).toEqual([]);
    const recorded = await request(`${emu.url}/__admin/copies`);
    expect(((await recorded.body.json()) as { copies: unknown[] }).copies).toHaveLength(1);
  });
});
