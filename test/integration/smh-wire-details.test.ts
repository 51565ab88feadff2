/**
 * SMH wire details as the official SDKs and API pages have them: what the gateway sends (paths,
 * copyFromSpaceId, User-Agent) and how it reads answers (request ids, token errors, HTML pages, the
 * copyFrom/to echo of each result). Real HTTP to the SMH emulator, or to a scripted loopback server.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';
import { batchCopy, copyOk, LIB, startSmhRig, type RigOptions, type SmhRig } from '../helpers/smh-rig.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function rig(options: RigOptions = {}): Promise<SmhRig> {
  const r = await startSmhRig(options);
  cleanup.push(() => r.close());
  return r;
}

describe('what the gateway sends', () => {
  it('leaves copyFromSpaceId out when it names the destination space, and sends it across spaces', async () => {
    const r = await rig({ record: true });
    const outcome = await copyOk(r, {
      items: [
        { from: 'foo/1.jpg', to: 'docs/same-space.jpg', fromSpaceId: '-' },
        { from: 'foo/2.jpg', to: 'docs/other-space.jpg', fromSpaceId: 'space-b' },
      ],
    });
    expect(outcome.items[0]?.status).toBe('SUCCEEDED');
    expect(JSON.parse(r.rec?.exchanges[0]?.body ?? '')).toEqual([
      { copyFrom: 'foo/1.jpg', to: 'docs/same-space.jpg', conflictResolutionStrategy: 'ask' },
      {
        copyFrom: 'foo/2.jpg',
        to: 'docs/other-space.jpg',
        conflictResolutionStrategy: 'ask',
        copyFromSpaceId: 'space-b',
      },
    ]);
  });

  it('takes a path with one leading slash as the same path (as the SDK docs write them)', async () => {
    const r = await rig({ record: true });
    const outcome = await copyOk(r, {
      items: [
        { from: '/foo/1.jpg', to: '/docs/lead.jpg' },
        { from: 'foo/2.jpg', to: '/docs/lead-2.jpg' },
      ],
    });
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(outcome.items.map((i) => [i.source, i.target, i.result, i.renamed])).toEqual([
      ['foo/1.jpg', 'docs/lead.jpg', 'docs/lead.jpg', false],
      ['foo/2.jpg', 'docs/lead-2.jpg', 'docs/lead-2.jpg', false],
    ]);
    expect(JSON.parse(r.rec?.exchanges[0]?.body ?? '').map((w: { copyFrom: string }) => w.copyFrom)).toEqual([
      'foo/1.jpg',
      'foo/2.jpg',
    ]);
    expect(r.emu.state.stat(LIB, '-', 'docs/lead.jpg')).toBeDefined();
  });

  it('sends User-Agent: copy-gateway/<version> on every upstream call (token, copy, task query)', async () => {
    const emu = await startSmhRig({ managed: true, emulator: { asyncThreshold: 'always' } });
    cleanup.push(() => emu.close());
    const proxy = await startRecordingProxy(emu.emu.url);
    cleanup.push(() => proxy.close());
    const gw = await startGateway({
      SMH_BASE_URL: proxy.url,
      SMH_LIBRARY_ID: LIB,
      SMH_LIBRARY_SECRET: 'smhdemo-secret',
    });
    cleanup.push(() => gw.close());
    const { body } = await gw.graphql<{ batchCopy: { task: { id: string } } }>(
      `mutation { batchCopy(input: { smh: { libraryId: "${LIB}", conflictStrategy: RENAME,
        items: [{ from: "foo/1.jpg", to: "bar/1.jpg" }] } }) { ... on CopyAccepted { task { id } } } }`,
    );
    const id = body.data?.batchCopy.task.id as string;
    await gw.graphql(`query($id: ID!) { copyTask(id: $id) { state } }`, { id });
    const paths = proxy.exchanges.map((e) => e.url.split('?')[0]?.split('/').slice(0, 4).join('/'));
    expect(paths).toEqual(['/api/v1/token', '/api/v1/batch', '/api/v1/task']);
    for (const exchange of proxy.exchanges) {
      expect(exchange.headers['user-agent']).toBe(`copy-gateway/${VERSION}`);
    }
  });
});

describe('how the gateway reads answers', () => {
  it('keeps the request id of a refused answer (x-request-id) on its items', async () => {
    const r = await rig({ record: true });
    r.emu.itemFaults.add({ toIncludes: 'docs/denied.jpg', status: 403, code: 'NoPermission' });
    const outcome = await copyOk(r, {
      items: [
        { from: 'foo/1.jpg', to: 'docs/denied.jpg' },
        { from: 'foo/2.jpg', to: 'docs/fine.jpg' },
      ],
    });
    const requestId = r.rec?.exchanges[0]?.headers['x-request-id'];
    expect(typeof requestId).toBe('string');
    expect(outcome.items[0]?.error?.upstream).toEqual({
      provider: 'SMH',
      httpStatus: 403,
      code: 'NoPermission',
      requestId,
    });
  });

  it('treats AccessTokenVersionNotMatch (403) as a token problem: a managed token is replaced once', async () => {
    const r = await rig({ managed: true });
    r.emu.faults.add({
      kind: 'status',
      status: 403,
      code: 'AccessTokenVersionNotMatch',
      pathIncludes: '/api/v1/batch/',
      times: 1,
    });
    const outcome = await copyOk(r, { items: [{ from: 'foo/1.jpg', to: 'docs/v.jpg' }] });
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(r.tokenRequests()).toBe(2);
    expect(r.batchRequests()).toBe(2);
  });

  it("treats AccessTokenVersionNotMatch as UNAUTHENTICATED with the caller's own token, not PERMISSION_DENIED", async () => {
    const r = await rig();
    r.emu.faults.add({
      kind: 'status',
      status: 403,
      code: 'AccessTokenVersionNotMatch',
      pathIncludes: '/api/v1/batch/',
      times: 1,
    });
    const { body } = await batchCopy(r, { items: [{ from: 'foo/1.jpg', to: 'docs/v.jpg' }] });
    const code =
      body.errors?.[0]?.extensions?.code ??
      (body.data?.batchCopy.__typename === 'CopyRejected' ? body.data.batchCopy.error?.code : undefined);
    expect(code).toBe('UNAUTHENTICATED');
    expect(r.batchRequests()).toBe(1);
  });

  it('reads an HTML 403 page as a refusal: PERMISSION_DENIED, not throttling, never re-sent', async () => {
    const r = await rig();
    r.emu.faults.add({ kind: 'html', status: 403, pathIncludes: '/api/v1/batch/', times: 4 });
    const outcome = await copyOk(r, { items: [{ from: 'foo/1.jpg', to: 'docs/h.jpg' }] });
    expect(outcome.__typename).toBe('CopyRejected');
    expect(outcome.error).toMatchObject({
      code: 'PERMISSION_DENIED',
      retryable: false,
      upstream: { provider: 'SMH', httpStatus: 403 },
    });
    expect(outcome.items[0]?.status).toBe('FAILED');
    expect(r.batchRequests()).toBe(1);
  });

  it('reads an HTML 429 page as throttling, which did not run and is retried', async () => {
    const r = await rig();
    r.emu.faults.add({ kind: 'html', status: 429, pathIncludes: '/api/v1/batch/', times: 1 });
    const outcome = await copyOk(r, { items: [{ from: 'foo/1.jpg', to: 'docs/t.jpg' }] });
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(r.batchRequests()).toBe(2);
  });
});

describe('results matched to items', () => {
  /** A scripted SMH that answers every batch copy with `results`, whatever was asked. */
  async function scripted(results: unknown[]): Promise<string> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(207, { 'content-type': 'application/json', 'x-request-id': 'req-207' });
        res.end(JSON.stringify({ result: results }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const COPY = `mutation($items: [SmhCopyItemInput!]!) { batchCopy(input: { smh: { libraryId: "lib", items: $items } }) {
    __typename ... on CopyOutcome { items { status source result error { code upstream { requestId } } } } } }`;
  type Answer = {
    batchCopy: {
      __typename: string;
      items: { status: string; source: string; result: string | null; error: { code: string } | null }[];
    };
  };

  it('never gives a result to the wrong item: results out of order make those items UNKNOWN', async () => {
    const url = await scripted([
      { status: 204, copyFrom: ['b', '2.jpg'], to: ['c', '2.jpg'] },
      { status: 409, code: 'SameNameDirectoryOrFileExists', copyFrom: ['a', '1.jpg'], to: ['c', '1.jpg'] },
      { status: 204, copyFrom: ['a', '3.jpg'], to: ['c', '3.jpg'] },
    ]);
    const gw = await startGateway({ SMH_BASE_URL: url });
    cleanup.push(() => gw.close());
    const { body } = await gw.graphql<Answer>(
      COPY,
      {
        items: [
          { from: 'a/1.jpg', to: 'c/1.jpg' },
          { from: 'b/2.jpg', to: 'c/2.jpg' },
          { from: 'a/3.jpg', to: 'c/3.jpg' },
        ],
      },
      { 'x-smh-access-token': 't' },
    );
    expect(body.data?.batchCopy.items.map((i) => [i.source, i.status, i.error?.code ?? null])).toEqual([
      ['a/1.jpg', 'UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR'],
      ['b/2.jpg', 'UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR'],
      ['a/3.jpg', 'SUCCEEDED', null],
    ]);
  });

  it('checks the echo of a target too, with or without leading slashes', async () => {
    const url = await scripted([
      { status: 204, copyFrom: 'a/1.jpg', to: 'c/other.jpg' },
      { status: 200, copyFrom: ['a', '2.jpg'], to: ['c', '2.jpg'], path: ['c', '2 (1).jpg'] },
    ]);
    const gw = await startGateway({ SMH_BASE_URL: url });
    cleanup.push(() => gw.close());
    const { body } = await gw.graphql<Answer>(
      COPY,
      {
        items: [
          { from: 'a/1.jpg', to: 'c/1.jpg' },
          { from: '/a/2.jpg', to: '/c/2.jpg', conflictStrategy: 'RENAME' },
        ],
      },
      { 'x-smh-access-token': 't' },
    );
    expect(body.data?.batchCopy.items.map((i) => [i.status, i.result])).toEqual([
      ['UNKNOWN', null],
      ['SUCCEEDED', 'c/2 (1).jpg'],
    ]);
  });
});
