/**
 * Client mistakes are answered as client errors, in one shape, on every route and transport: input
 * errors graphql-js finds only while executing, subscriptions sent over HTTP, unknown routes and
 * methods, and the production policy over HTTP and WebSocket. Real HTTP and WebSocket to a gateway on
 * loopback.
 */
import { connect } from 'node:net';
import { createClient } from 'graphql-ws';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeTaskId } from '../helpers/task-ids.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** Sends raw HTTP/1.1 text and returns the whole answer (for requests undici will not send). */
function raw(url: string, text: string): Promise<{ head: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let out = '';
    socket.on('data', (chunk) => (out += chunk.toString()));
    socket.on('close', () => {
      const [head = '', body = ''] = out.split('\r\n\r\n');
      resolve({ head, body });
    });
    socket.on('error', reject);
  });
}

interface WsError {
  message: string;
  extensions?: { code?: string };
}

/** Runs one operation over graphql-ws and returns its errors (from an error message or a result). */
async function wsErrors(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  connectionParams: Record<string, string> = {},
): Promise<WsError[]> {
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  try {
    return await new Promise<WsError[]>((resolve) => {
      const errors: WsError[] = [];
      client.subscribe(
        { query, variables },
        {
          next: (value) => errors.push(...((value.errors ?? []) as WsError[])),
          error: (error) => resolve(Array.isArray(error) ? (error as WsError[]) : [error as WsError]),
          complete: () => resolve(errors),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

const errorLines = (gw: TestGateway) => gw.logs.filter((line) => /"level":(50|60)/.test(line));

/** Inputs graphql-js 16 lets through validation and refuses only while executing. */
const EXECUTION_TIME_INPUT: {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  message: RegExp;
}[] = [
  {
    name: '@oneOf fed by a nullable variable that is absent',
    query: 'mutation($s: SmhBatchCopyInput){ batchCopy(input: { smh: $s }) { __typename } }',
    variables: {},
    message: /^Argument "input" has invalid value \{smh: \$s\}: Exactly one key must be specified/,
  },
  {
    name: '@oneOf fed by a nullable variable that is null',
    query: 'mutation($s: SmhBatchCopyInput){ batchCopy(input: { smh: $s }) { __typename } }',
    variables: { s: null },
    message:
      /^Argument "input" has invalid value \{smh: \$s\}: at "input\.smh": Field "smh" must be non-null/,
  },
  {
    name: 'explicit null for a variable with a default, where a value is required',
    query: 'query($id: ID = "x"){ copyTask(id: $id) { id } }',
    variables: { id: null },
    message: /^Argument "id" of non-null type "ID!" must not be null\.$/,
  },
  {
    name: 'null for a non-null input field, through a variable with a default',
    query: `mutation($lib: NonEmptyString = "smhdemo") {
      batchCopy(input: { smh: { libraryId: $lib, items: [{ from: "a", to: "b" }] } }) { __typename } }`,
    variables: { lib: null },
    message: /^Argument "input" has invalid value .*: at "input\.smh\.libraryId": Expected non-nullable type/,
  },
  {
    name: 'null for a non-null list item, through a variable with a default',
    query: `mutation($d: NonEmptyString = "d1") { batchCopy(input: { dingtalk: { spaceId: "s", unionId: "u",
      targetSpaceId: "t", targetFolderId: "0", dentryIds: ["d0", $d] } }) { __typename } }`,
    variables: { d: null },
    message: /at "input\.dingtalk\.dentryIds\[1\]": Expected non-nullable type/,
  },
  {
    name: 'null for @include(if:), in a fragment below a field',
    query: `query($b: Boolean = true) { copyTask(id: "ct1_x") { ...F } }
      fragment F on CopyTask { id @include(if: $b) }`,
    variables: { b: null },
    message: /^Argument "if" of non-null type "Boolean!" must not be null\.$/,
  },
  {
    name: 'more bad list items than graphql-js reports one by one',
    query:
      'mutation($d: [NonEmptyString!]!) { batchCopy(input: { dingtalk: { spaceId: "s", unionId: "u", targetSpaceId: "t", targetFolderId: "0", dentryIds: $d } }) { __typename } }',
    variables: { d: Array.from({ length: 60 }, () => '') },
    message: /empty string|Too many errors/,
  },
];

describe('input errors found at execution are request errors', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({
      NODE_ENV: 'production',
      SMH_BASE_URL: 'http://127.0.0.1:9',
      DINGTALK_BASE_URL: 'http://127.0.0.1:9',
    });
  });
  afterAll(() => gw.close());

  it.each(EXECUTION_TIME_INPUT.map((c) => [c.name, c] as const))('HTTP: %s', async (_name, c) => {
    const { status, body } = await gw.graphql(c.query, c.variables);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.map((e) => e.extensions?.code)).toContain('BAD_USER_INPUT');
    expect(body.errors?.map((e) => e.extensions?.code)).not.toContain('INTERNAL_SERVER_ERROR');
    expect(body.errors?.[0]?.message).toMatch(c.message);
    expect(errorLines(gw)).toEqual([]);
  });

  it('leaves a skipped field alone, as execution does', async () => {
    const { status, body } = await gw.graphql(
      'query($id: ID = "x", $skip: Boolean!) { copyTask(id: $id) @skip(if: $skip) { id } __typename }',
      { id: null, skip: true },
    );
    expect(status).toBe(200);
    expect(body).toEqual({ data: { __typename: 'Query' } });
  });

  it('leaves a field under a literal @skip(if: true) alone, and a field under @include(if: false)', async () => {
    for (const condition of ['@skip(if: true)', '@include(if: false)']) {
      const { status, body } = await gw.graphql(
        `query($id: ID = "x") { copyTask(id: $id) ${condition} { id } __typename }`,
        { id: null },
      );
      expect(status).toBe(200);
      expect(body).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('checks every request of a document that is already known, whatever the earlier ones sent', async () => {
    // The places a document's variables reach are found once per document; each request's values
    // are still checked (here: a good value first, then null, then a good one again).
    const query = 'query($id: ID = "x") { a: __typename b: copyTask(id: $id) { id } }';
    const answers = [];
    for (const id of ['ct1_first', null, 'ct1_again', null]) answers.push(await gw.graphql(query, { id }));
    expect(answers.map((a) => a.status)).toEqual([200, 400, 200, 400]);
    expect(answers[1]!.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answers[3]!.body.errors?.[0]?.message).toBe(answers[1]!.body.errors?.[0]?.message);
  });

  it('WebSocket: the same inputs in a subscription are BAD_USER_INPUT too', async () => {
    for (const variables of [{ id: null }, { id: 7.5 }]) {
      const errors = await wsErrors(
        gw.url,
        'subscription($id: ID = "x") { copyTaskUpdated(id: $id) { id } }',
        variables,
      );
      expect(errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    const missing = await wsErrors(gw.url, 'subscription($id: ID!) { copyTaskUpdated(id: $id) { id } }');
    expect(missing).toEqual([
      expect.objectContaining({
        message: 'Variable "$id" of required type "ID!" was not provided.',
        extensions: { code: 'BAD_USER_INPUT', field: 'id', requestId: expect.any(String) },
      }),
    ]);
    expect(errorLines(gw)).toEqual([]);
  });
});

describe('subscriptions over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ SMH_BASE_URL: 'http://127.0.0.1:9' });
  });
  afterAll(() => gw.close());

  it('are a 400 that points to WebSocket at this path, for POST and GET', async () => {
    const query = 'subscription { copyTaskUpdated(id: "ct1_x") { id } }';
    const post = await gw.graphql(query);
    const get = await request(`${gw.url}/graphql?query=${encodeURIComponent(query)}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    for (const [status, body] of [
      [post.status, post.body],
      [get.statusCode, await get.body.json()],
    ] as const) {
      expect(status).toBe(400);
      expect(body).toEqual({
        errors: [
          {
            message: expect.stringMatching(/WebSocket.*graphql-transport-ws.*\/graphql/),
            extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) },
          },
        ],
      });
    }
    expect(errorLines(gw)).toEqual([]);
  });
});

describe('every answer has the GraphQL error shape', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ SMH_BASE_URL: 'http://127.0.0.1:9', BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => gw.close());

  const shape = (code: string) => ({
    errors: [{ message: expect.any(String), extensions: { code, requestId: expect.any(String) } }],
  });

  it('unsupported methods on /graphql: 405 with Allow; OPTIONS lists them', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      const response = await request(`${gw.url}/graphql`, {
        method,
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode, method).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
      expect(await response.body.json()).toEqual(shape('METHOD_NOT_ALLOWED'));
    }
    // A mutation sent as GET: 405 with `Allow: POST`, and the same code.
    const get = await request(`${gw.url}/graphql?query=${encodeURIComponent('mutation { __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(await get.body.json()).toEqual(shape('METHOD_NOT_ALLOWED'));
    const options = await request(`${gw.url}/graphql`, { method: 'OPTIONS' });
    expect(options.statusCode).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('other methods on the probes, /metrics and GraphiQL files: 405 with Allow, not 404', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/graphiql/graphiql.js']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
        const response = await request(gw.url + path, { method, body: '{}' });
        expect(response.statusCode, `${method} ${path}`).toBe(405);
        expect(response.headers.allow, `${method} ${path}`).toBe('GET, HEAD');
        expect(await response.body.json(), `${method} ${path}`).toEqual(shape('METHOD_NOT_ALLOWED'));
      }
      const head = await request(gw.url + path, { method: 'HEAD' });
      await head.body.dump();
      expect(head.statusCode, `HEAD ${path}`).not.toBe(405);
    }
  });

  it('a form or multipart POST is the CSRF refusal (400), as text/plain is', async () => {
    const query = '{ __typename }';
    for (const [type, body] of [
      ['text/plain', JSON.stringify({ query })],
      ['application/x-www-form-urlencoded', `query=${encodeURIComponent(query)}`],
      [
        'multipart/form-data; boundary=XyZ',
        `--XyZ\r\nContent-Disposition: form-data; name="query"\r\n\r\n${query}\r\n--XyZ--\r\n`,
      ],
    ] as const) {
      const response = await request(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(response.statusCode, type).toBe(400);
      const answer = (await response.body.json()) as { errors: { message: string }[] };
      expect(answer, type).toEqual(shape('BAD_REQUEST'));
      expect(answer.errors[0]?.message, type).toMatch(/Cross-Site Request Forgery/);
    }
  });

  it('/graphql/ is the same endpoint; unknown paths are 404 NOT_FOUND', async () => {
    const response = await request(`${gw.url}/graphql/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.body.json()).toEqual({ data: { __typename: 'Query' } });
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/graphq'],
      ['GET', '/graphiql/nope.js'],
    ] as const) {
      const missing = await request(gw.url + path, { method });
      expect(missing.statusCode, path).toBe(404);
      expect(await missing.body.json(), path).toEqual(shape('NOT_FOUND'));
    }
  });

  it('body and media-type failures: 400, 413, 415, 406', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      request(`${gw.url}/graphql`, { method: 'POST', headers, body });
    const cases = [
      [await post({ 'content-type': 'application/json' }, '{"query":'), 400, 'BAD_REQUEST'],
      [
        await post(
          { 'content-type': 'application/json' },
          JSON.stringify({ query: `{ __typename ${' '.repeat(3000)}}` }),
        ),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [await post({ 'content-type': 'application/xml' }, '<query/>'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        await post({ 'content-type': 'application/json', accept: 'text/xml' }, '{"query":"{ __typename }"}'),
        406,
        'BAD_REQUEST',
      ],
    ] as const;
    for (const [response, status, code] of cases) {
      expect(response.statusCode).toBe(status);
      expect(await response.body.json()).toEqual(shape(code));
    }
  });

  it('what the HTTP parser refuses: 431 for a huge head, 400 for a malformed request', async () => {
    const huge = await raw(
      gw.url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge.head).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(huge.body)).toEqual(shape('REQUEST_HEADER_FIELDS_TOO_LARGE'));
    const malformed = await raw(gw.url, 'NOT HTTP AT ALL\r\n\r\n');
    expect(malformed.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(malformed.body)).toEqual(shape('BAD_REQUEST'));
  });

  it('batched requests are refused with what to do instead', async () => {
    const response = await request(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.statusCode).toBe(400);
    const body = (await response.body.json()) as { errors: { message: string }[] };
    expect(body).toEqual(shape('BAD_REQUEST'));
    expect(body.errors[0]?.message).toMatch(/one operation per request/);
  });
});

describe('the production policy holds on both transports', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({
      NODE_ENV: 'production',
      SMH_BASE_URL: 'http://127.0.0.1:9',
      GRAPHQL_MAX_DEPTH: '3',
    });
  });
  afterAll(() => gw.close());

  it('hides suggestions: HTTP query and WebSocket subscription with a typo', async () => {
    const http = await gw.graphql('{ copyTsk(id: "x") { id } }');
    expect(http.text).not.toMatch(/Did you mean/);
    const ws = await wsErrors(gw.url, 'subscription { copyTaskUpdated(id: "x") { stat } }');
    expect(ws).toEqual([
      expect.objectContaining({
        message: 'Cannot query field "stat" on type "CopyTask".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) },
      }),
    ]);
    const enumTypo = await wsErrors(gw.url, 'subscription { copyTaskUpdatd(id: "x") { id } }');
    expect(enumTypo[0]?.message).toBe('Cannot query field "copyTaskUpdatd" on type "Subscription".');
  });

  it('refuses introspection and applies document limits over WebSocket too', async () => {
    const deep = await wsErrors(
      gw.url,
      'subscription { copyTaskUpdated(id: "x") { items { error { upstream { provider } } } } }',
    );
    expect(deep.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(deep[0]?.message).toMatch(/depth/i);
    const introspection = await wsErrors(
      gw.url,
      'subscription S { copyTaskUpdated(id: "x") { id } } query Q { __schema { queryType { name } } }',
    );
    expect(introspection.map((e) => e.message).join(' ')).toMatch(/introspection/i);
    const http = await gw.graphql('{ __schema { queryType { name } } }');
    expect(http.body.errors?.[0]?.message).toMatch(/introspection/i);
  });
});

describe('messages name what was wrong', () => {
  let gw: TestGateway;
  let keyed: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ DINGTALK_BASE_URL: 'http://127.0.0.1:9', SMH_BASE_URL: 'http://127.0.0.1:9' });
    keyed = await startGateway({
      SMH_BASE_URL: 'http://127.0.0.1:9',
      GATEWAY_API_KEYS: 'alice:aaaaaaaaaaaaaaaaaaaa',
    });
  });
  afterAll(async () => {
    await gw.close();
    await keyed.close();
  });

  it('an empty string literal for a NonEmptyString names the argument and the path in it', async () => {
    const smh = await gw.graphql(
      'mutation { batchCopy(input: { smh: { libraryId: "", items: [{ from: "a", to: "b" }] } }) { __typename } }',
    );
    expect(smh.body.errors?.[0]?.message).toBe(
      'Invalid value for argument "input" of "batchCopy" at "input.smh.libraryId": Value cannot be an empty string.',
    );
    const listItem = await wsErrors(gw.url, 'subscription { copyTaskUpdated(id: 5.5) { id } }');
    expect(listItem[0]?.message).toMatch(
      /^Invalid value for argument "id" of "copyTaskUpdated": ID cannot represent/,
    );
    const nested = await gw.graphql(
      'mutation { batchCopy(input: { dingtalk: { spaceId: "s", unionId: "u", targetSpaceId: "t", targetFolderId: "0", dentryIds: ["d", ""] } }) { __typename } }',
    );
    expect(nested.body.errors?.[0]?.message).toMatch(
      /^Invalid value for argument "input" of "batchCopy" at "input\.dingtalk\.dentryIds\[1\]": /,
    );
  });

  it('a missing upstream token: a header over HTTP, connection_init over WebSocket', async () => {
    const id = encodeTaskId({
      provider: 'DINGTALK',
      unionId: 'union-x',
      parts: [{ taskId: 'task-x', index: 0, source: 'd' }],
    });
    const http = await gw.graphql('query($id: ID!) { copyTask(id: $id) { id } }', { id });
    expect(http.body.errors?.[0]?.message).toMatch(/in the x-acs-dingtalk-access-token header\.$/);
    const ws = await wsErrors(gw.url, 'subscription($id: ID!) { copyTaskUpdated(id: $id) { id } }', { id });
    expect(ws[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(ws[0]?.message).toMatch(/"x-acs-dingtalk-access-token" field of the connection_init payload/);
  });

  it('a POST that asks to upgrade to WebSocket without an API key is 401', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const answer = await raw(
      keyed.url,
      `POST /graphql HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(answer.head).toMatch(/^HTTP\/1\.1 401 /);
    expect(JSON.parse(answer.body)).toEqual({
      errors: [
        {
          message: expect.stringMatching(/API key/),
          extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) },
        },
      ],
    });
  });
});
