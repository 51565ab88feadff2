/**
 * Request ids over real HTTP and WebSocket: every answer names its request in `x-request-id` (and every
 * GraphQL error in `extensions.requestId`), the caller's own id or W3C trace id is kept, every log line
 * of the request carries it as `reqId`, and both upstreams receive it on each call.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConformanceDriver } from '../conformance/driver.js';
import { BatchCopy, OneTask } from '../conformance/documents.js';
import { dingTalkDriver } from '../conformance/drivers/dingtalk.js';
import { smhDriver } from '../conformance/drivers/smh.js';
import { loadConfig } from '../../src/config.js';
import { providers } from '../../src/providers/registry.js';
import { memoryProvider } from '../fixtures/memory-provider.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import type { RecordedExchange } from '../helpers/recording-proxy.js';
import { startRig } from '../helpers/rig.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

interface Answer {
  status: number;
  id: string | undefined;
  text: string;
}

async function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const response = await request(url, {
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers,
    body: options.body,
  });
  const header = response.headers['x-request-id'];
  return {
    status: response.statusCode,
    id: typeof header === 'string' ? header : undefined,
    text: await response.body.text(),
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  send(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The `extensions.requestId` of each error of a JSON answer (none when it has no errors). */
function errorIds(text: string): unknown[] {
  const body = JSON.parse(text) as { errors?: { extensions?: { requestId?: unknown } }[] };
  return (body.errors ?? []).map((e) => e.extensions?.requestId);
}

/** Reads whole HTTP/1.1 answers off one socket as they arrive. */
function answersOn(socket: Socket): () => string {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  return () => received;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('every answer carries the request id', () => {
  let gw: TestGateway;
  let keyed: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ SMH_BASE_URL: 'http://127.0.0.1:9', BODY_LIMIT_BYTES: '2048', DEMO: '1' });
    keyed = await startGateway({
      SMH_BASE_URL: 'http://127.0.0.1:9',
      GATEWAY_API_KEYS: 'ui:request-ids-key-0123456789',
      RATE_LIMIT_MAX: '1',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
  });
  afterAll(async () => {
    await gw.close();
    await keyed.close();
  });

  it('in the x-request-id header, and in extensions.requestId of every error', async () => {
    const cases: Array<[string, (id: string) => Promise<Answer>, number]> = [
      ['GraphQL 200', (id) => post(gw.url, { query: '{ __typename }' }, { 'x-request-id': id }), 200],
      [
        'GraphQL field error',
        (id) => post(gw.url, { query: '{ copyTask(id: "not-a-task") { id } }' }, { 'x-request-id': id }),
        200,
      ],
      ['validation 400', (id) => post(gw.url, { query: '{ nope }' }, { 'x-request-id': id }), 400],
      ['no query 400', (id) => post(gw.url, { variables: {} }, { 'x-request-id': id }), 400],
      [
        'CSRF 400',
        (id) =>
          send(`${gw.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
            headers: { 'x-request-id': id },
          }),
        400,
      ],
      ['malformed JSON 400', (id) => post(gw.url, '{"query":', { 'x-request-id': id }), 400],
      ['batch 400', (id) => post(gw.url, [{ query: '{ __typename }' }], { 'x-request-id': id }), 400],
      ['404', (id) => send(`${gw.url}/nope`, { headers: { 'x-request-id': id } }), 404],
      [
        '405',
        (id) =>
          send(`${gw.url}/graphql`, {
            method: 'PUT',
            headers: { 'x-request-id': id, 'content-type': 'application/json' },
            body: '{}',
          }),
        405,
      ],
      [
        '413',
        (id) => post(gw.url, { query: `{ __typename ${' '.repeat(3000)}}` }, { 'x-request-id': id }),
        413,
      ],
      [
        'OPTIONS 204',
        (id) => send(`${gw.url}/graphql`, { method: 'OPTIONS', headers: { 'x-request-id': id } }),
        204,
      ],
      ['healthz', (id) => send(`${gw.url}/healthz`, { headers: { 'x-request-id': id } }), 200],
      ['readyz', (id) => send(`${gw.url}/readyz`, { headers: { 'x-request-id': id } }), 200],
      ['metrics', (id) => send(`${gw.url}/metrics`, { headers: { 'x-request-id': id } }), 200],
      [
        'GraphiQL',
        (id) => send(`${gw.url}/graphql`, { headers: { 'x-request-id': id, accept: 'text/html' } }),
        200,
      ],
      [
        'GraphiQL asset 404',
        (id) => send(`${gw.url}/graphiql/nope.js`, { headers: { 'x-request-id': id } }),
        404,
      ],
      ['401', (id) => post(keyed.url, { query: '{ __typename }' }, { 'x-request-id': id }), 401],
      [
        'allowed before 429',
        (id) =>
          post(
            keyed.url,
            { query: '{ __typename }' },
            { 'x-request-id': id, authorization: 'Bearer request-ids-key-0123456789' },
          ),
        200,
      ],
      [
        '429',
        (id) =>
          post(
            keyed.url,
            { query: '{ __typename }' },
            { 'x-request-id': id, authorization: 'Bearer request-ids-key-0123456789' },
          ),
        429,
      ],
    ];
    for (const [name, run, status] of cases) {
      const id = `case-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
      const answer = await run(id);
      expect(answer.status, name).toBe(status);
      expect(answer.id, name).toBe(id);
      if (status >= 400) {
        const ids = errorIds(answer.text);
        expect(ids.length, name).toBeGreaterThan(0);
        expect(
          ids.every((each) => each === id),
          `${name}: ${answer.text}`,
        ).toBe(true);
      }
      if (name === 'GraphQL field error') expect(errorIds(answer.text), name).toEqual([id]);
    }
  });

  it('on what the HTTP parser refuses: an id of its own, in the header and the body', async () => {
    const socket = connect(Number(new URL(gw.url).port), '127.0.0.1');
    const received = answersOn(socket);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    const [head = '', body = ''] = received().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    const id = /\r\nX-Request-Id: (\S+)/i.exec(head)?.[1];
    expect(id).toMatch(UUID);
    expect(errorIds(body)).toEqual([id]);
  });

  it("keeps a caller's well-formed id and replaces any other with a new UUID", async () => {
    const query = { query: '{ __typename }' };
    for (const good of ['abc', 'a'.repeat(128), 'svc:orders/42+retry=1@eu-west.a_b-c', '7']) {
      expect((await post(gw.url, query, { 'x-request-id': good })).id).toBe(good);
    }
    for (const bad of ['a'.repeat(129), 'has space', 'semi;colon', 'quote"d', 'ünï']) {
      const { id } = await post(gw.url, query, { 'x-request-id': bad });
      expect(id, bad).toMatch(UUID);
    }
    const [a, b] = [await post(gw.url, query), await post(gw.url, query)];
    expect(a.id).toMatch(UUID);
    expect(b.id).toMatch(UUID);
    expect(a.id).not.toBe(b.id);
  });

  it('uses the trace id of a valid traceparent when the caller sent no usable id', async () => {
    const query = { query: '{ __typename }' };
    expect((await post(gw.url, query, { traceparent: TRACEPARENT })).id).toBe(TRACE_ID);
    expect((await post(gw.url, query, { traceparent: TRACEPARENT, 'x-request-id': 'bad id' })).id).toBe(
      TRACE_ID,
    );
    expect((await post(gw.url, query, { traceparent: TRACEPARENT, 'x-request-id': 'mine' })).id).toBe('mine');
    for (const invalid of [
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `ff-${TRACE_ID}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${TRACE_ID}-00f067aa0ba902b7-01-extra`,
      'garbage',
    ]) {
      expect((await post(gw.url, query, { traceparent: invalid })).id, invalid).toMatch(UUID);
    }
    // A later version may append fields (W3C Trace Context, version format).
    expect((await post(gw.url, query, { traceparent: `01-${TRACE_ID}-00f067aa0ba902b7-01-later` })).id).toBe(
      TRACE_ID,
    );
  });
});

describe('while the server closes', () => {
  let upstream: Server;
  const held: Socket[] = [];
  let released = false;
  beforeAll(async () => {
    // An upstream that takes every request and never answers until the test lets go; then it drops
    // every connection at once.
    upstream = createServer((socket) => {
      socket.on('error', () => undefined);
      if (released) socket.destroy();
      else held.push(socket);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('a request that arrives on an open connection gets 503 with its id', async () => {
    const { port } = upstream.address() as AddressInfo;
    const gw = await startGateway({ SMH_BASE_URL: `http://127.0.0.1:${port}`, UNKNOWN_RESOLUTION: 'off' });
    const socket = connect(Number(new URL(gw.url).port), '127.0.0.1');
    const received = answersOn(socket);
    const body = JSON.stringify({
      query:
        'mutation { batchCopy(input: { smh: { libraryId: "lib", items: [{ from: "a", to: "b" }] } }) { __typename } }',
    });
    const head = (id: string) =>
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-SMH-Access-Token: t0123456789\r\nX-Request-Id: ${id}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    socket.write(head('in-flight'));
    await until(() => held.length > 0);
    const closed = gw.close();
    socket.write(head('while-closing'));
    released = true;
    for (const s of held) s.destroy();
    await closed;
    await until(() => /while-closing[\s\S]*\r\n\r\n\{/.test(received()));
    const text = received();
    const second = text.slice(text.indexOf('HTTP/1.1', 1));
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/\r\nx-request-id: while-closing\r\n/i);
    expect(errorIds(second.slice(second.indexOf('\r\n\r\n') + 4))).toEqual(['while-closing']);
    socket.destroy();
  });
});

describe('request ids reach the logs and both upstreams', () => {
  const drivers: Array<[string, ConformanceDriver]> = [
    ['SMH', smhDriver as unknown as ConformanceDriver],
    ['DINGTALK', dingTalkDriver as unknown as ConformanceDriver],
  ];

  it('every upstream call of a request carries its id, retries included; so do its log lines', async () => {
    const rig = await startRig({ providers: drivers.map(([, driver]) => driver) });
    for (const [provider, driver] of drivers) {
      const entry = rig.entries.get(provider);
      if (!entry) throw new Error(provider);
      const upstream = entry.upstream as never;
      driver.fault(upstream, 'throttle-once');
      const before = entry.exchanges.length;
      const copyId = `copy-${provider.toLowerCase()}`;
      const { body } = await rig.graphql(
        BatchCopy,
        { input: driver.batch(upstream, 2, { async: true }).input },
        {
          'x-request-id': copyId,
        },
      );
      expect(body.data?.batchCopy?.__typename, JSON.stringify(body)).toBe('CopyAccepted');
      const copies = entry.exchanges.slice(before).filter((e) => driver.kind(e) === 'copy');
      // The throttled call and its retry.
      expect(copies.length, provider).toBeGreaterThanOrEqual(2);
      expect(copies.map((e: RecordedExchange) => e.headers['x-request-id'])).toEqual(
        copies.map(() => copyId),
      );

      const task = body.data?.batchCopy?.__typename === 'CopyAccepted' ? body.data.batchCopy.task.id : '';
      const afterCopy = entry.exchanges.length;
      await rig.graphql(OneTask, { id: task }, { 'x-request-id': `task-${provider.toLowerCase()}` });
      const queries = entry.exchanges.slice(afterCopy).filter((e) => driver.kind(e) === 'task');
      expect(queries.length, provider).toBeGreaterThan(0);
      for (const query of queries)
        expect(query.headers['x-request-id']).toBe(`task-${provider.toLowerCase()}`);

      const lines = rig.gw.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      const upstreamLines = lines.filter(
        (l) =>
          (l.msg === 'upstream call' || l.msg === 'upstream call failed') &&
          l.upstream === provider.toLowerCase(),
      );
      expect(upstreamLines.filter((l) => l.reqId === copyId).length).toBe(copies.length);
      expect(upstreamLines.every((l) => typeof l.reqId === 'string')).toBe(true);
      expect(lines.filter((l) => l.reqId === copyId && l.msg === 'request completed')).toHaveLength(1);
    }
  });

  it('WebSocket operations are numbered on their connection: errors, upstream calls and log lines', async () => {
    const rig = await startRig({ providers: [dingTalkDriver] });
    const upstream = rig.first.upstream as never;
    const { body } = await rig.graphql(BatchCopy, {
      input: dingTalkDriver.batch(upstream, 1, { async: true }).input,
    });
    const task = body.data?.batchCopy?.__typename === 'CopyAccepted' ? body.data.batchCopy.task.id : '';
    expect(task).not.toBe('');

    class WithId extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { 'x-request-id': 'conn-7' } });
      }
    }
    const client = createClient({
      url: rig.gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WithId,
      connectionParams: rig.first.upstream.headers,
      retryAttempts: 0,
      // One connection for every operation of the test, so they are numbered on it.
      lazyCloseTimeout: 60_000,
    });
    const run = (query: string, variables: Record<string, unknown>, onNext?: () => void) =>
      new Promise<{ errors: unknown[] }>((resolve) => {
        const errors: unknown[] = [];
        client.subscribe(
          { query, variables },
          {
            next: (value) => {
              errors.push(...(value.errors ?? []));
              onNext?.();
            },
            error: (error) => resolve({ errors: Array.isArray(error) ? error : [error] }),
            complete: () => resolve({ errors }),
          },
        );
      });
    try {
      const refused = await run('subscription { copyTaskUpdated(id: "nope") { id } }', {});
      expect(refused.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ requestId: 'conn-7:1' }) }),
      ]);
      const before = rig.first.exchanges.length;
      let finished = false;
      const watched = await run(
        'subscription($id: ID!) { copyTaskUpdated(id: $id) { state done } }',
        { id: task },
        () => {
          if (!finished) dingTalkDriver.finishTasks(upstream);
          finished = true;
        },
      );
      expect(watched.errors).toEqual([]);
      const polls = rig.first.exchanges.slice(before).filter((e) => dingTalkDriver.kind(e) === 'task');
      expect(polls.length).toBeGreaterThan(0);
      for (const poll of polls) expect(poll.headers['x-request-id']).toBe('conn-7:2');
      const lines = rig.gw.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((l) => l.reqId === 'conn-7:2' && l.msg === 'upstream call').length).toBe(
        polls.length,
      );
    } finally {
      await client.dispose();
    }
  });
});

describe('an unexpected error', () => {
  it("is logged on the request's logger: the line carries its id, the answer the same id", async () => {
    // The in-memory provider, with a bug: its batch copy throws a plain Error.
    const broken: typeof memoryProvider = {
      ...memoryProvider,
      createAdapter: (settings, deps) => ({
        ...memoryProvider.createAdapter(settings, deps),
        batchCopy: () => Promise.reject(new Error('a bug in the adapter')),
      }),
    };
    const modules = [...providers, broken];
    const env = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MEMORY_URL: 'http://memory.invalid' };
    const gw = await startGateway(env, { providers: modules, override: () => loadConfig(env, modules) });
    try {
      const answer = await post(
        gw.url,
        { query: 'mutation { batchCopy(input: { memory: { items: ["a"] } }) { __typename } }' },
        { 'x-request-id': 'bug-1' },
      );
      expect(answer.id).toBe('bug-1');
      expect(errorIds(answer.text)).toEqual(['bug-1']);
      const lines = gw.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      const logged = lines.filter((l) => l.msg === 'unexpected error in a GraphQL operation');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ reqId: 'bug-1', err: { message: 'a bug in the adapter' } });
    } finally {
      await gw.close();
    }
  });
});
