/**
 * Failure semantics and hardening over real HTTP: GraphQL client → gateway (in-process, random port)
 * → SMH and DingTalk emulators on 127.0.0.1. The emulators' request counters are the evidence of what
 * reached an upstream; nothing of our own HTTP client is mocked.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { getIntrospectionQuery } from 'graphql';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskId } from '../helpers/task-ids.js';
import { DEMO_EXAMPLES } from '../../src/demo/examples.js';
import {
  DINGTALK_SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import {
  startSmhEmulator,
  type SmhEmulator,
  type SmhEmulatorOptions,
} from '../../src/emulators/smh/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

// ---------------------------------------------------------------------------------------------------
// A rig: both emulators, seeded, and a gateway pointed at them (pass-through tokens).

interface Rig {
  smh: SmhEmulator;
  dt: DingTalkEmulator;
  gw: TestGateway;
  headers: Record<string, string>;
  /** API requests each emulator received (admin routes excluded). */
  smhRequests(route?: string): number;
  dtRequests(route?: 'batchCopy' | 'getTask' | 'token'): number;
  close(): Promise<void>;
}

async function startRig(
  env: Record<string, string> = {},
  smhOptions: Omit<SmhEmulatorOptions, 'seed'> = {},
): Promise<Rig> {
  const smh = await startSmhEmulator({ seed: true, ...smhOptions });
  const dt = await startDingTalkEmulator({ seed: true });
  const gw = await startGateway({
    SMH_BASE_URL: smh.url,
    DINGTALK_BASE_URL: dt.url,
    UNKNOWN_RESOLUTION: 'off',
    ...env,
  });
  const headers = {
    'x-smh-access-token': smh.issueToken({ libraryId: 'smhdemo', grants: ['admin'], period: 86_400 }),
    'x-acs-dingtalk-access-token': dt.issueToken(),
  };
  return {
    smh,
    dt,
    gw,
    headers,
    smhRequests: (route) => (route ? (smh.stats.requests[route] ?? 0) : smh.stats.requestsTotal),
    dtRequests: (route) =>
      route
        ? (dt.stats.requestsByRoute[route] ?? 0)
        : Object.entries(dt.stats.requestsByRoute)
            .filter(([name]) => name !== 'admin')
            .reduce((sum, [, n]) => sum + (n ?? 0), 0),
    close: async () => {
      await gw.close();
      await smh.close();
      await dt.close();
    },
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------------
// GraphQL documents

const ERROR = 'error { code message retryable upstream { provider httpStatus code requestId } }';
const ITEM = `index status source target result renamed ${ERROR}`;
const OUTCOME = `__typename
  ... on CopyOutcome { provider items { ${ITEM} } summary { total succeeded failed pending unknown } }
  ... on CopyAccepted { task { id state done upstreamTaskIds } }
  ... on CopyRejected { ${ERROR} }`;

const SMH_COPY = `mutation Copy($input: SmhBatchCopyInput!) { batchCopy(input: { smh: $input }) { ${OUTCOME} } }`;
const DT_COPY = `mutation Copy($input: DingTalkBatchCopyInput!) { batchCopy(input: { dingtalk: $input }) { ${OUTCOME} } }`;
const TASK = `query Task($id: ID!) { copyTask(id: $id) { id state done summary { total pending } upstreamTaskIds } }`;

interface GqlError {
  code: string;
  message: string;
  retryable: boolean;
  upstream: { provider: string; httpStatus: number | null; code: string | null } | null;
}
interface GqlItem {
  index: number;
  status: string;
  source: string;
  error: GqlError | null;
}
interface GqlOutcome {
  __typename: string;
  provider: string;
  items: GqlItem[];
  summary: { total: number; succeeded: number; failed: number; pending: number; unknown: number };
  task?: { id: string; state: string; done: boolean; upstreamTaskIds: string[] };
  error?: GqlError;
}

const SMH_INPUT = { libraryId: 'smhdemo', items: [{ from: 'foo/1.jpg', to: 'bar/hardening-1.jpg' }] };
const DT_INPUT = {
  spaceId: DINGTALK_SEED.sourceSpaceId,
  unionId: DINGTALK_SEED.unionId,
  targetSpaceId: DINGTALK_SEED.targetSpaceId,
  targetFolderId: '0',
  dentryIds: ['d-file-2'],
  conflictStrategy: 'RENAME',
};

async function smhCopy(rig: Rig, input: Record<string, unknown> = SMH_INPUT): Promise<GqlOutcome> {
  const { status, body } = await rig.gw.graphql<{ batchCopy: GqlOutcome }>(SMH_COPY, { input }, rig.headers);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return (body.data as { batchCopy: GqlOutcome }).batchCopy;
}

async function dtCopy(rig: Rig, input: Record<string, unknown> = DT_INPUT): Promise<GqlOutcome> {
  const { status, body } = await rig.gw.graphql<{ batchCopy: GqlOutcome }>(DT_COPY, { input }, rig.headers);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return (body.data as { batchCopy: GqlOutcome }).batchCopy;
}

/** Raw HTTP to the gateway's /graphql, for what the test helper's JSON POST cannot express. */
async function raw(
  gw: TestGateway,
  options: { method?: 'GET' | 'POST'; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{
  status: number;
  json: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}> {
  const response = await request(`${gw.url}${options.path ?? '/graphql'}`, {
    method: options.method ?? 'POST',
    headers: options.headers,
    body: options.body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, json: JSON.parse(text) };
}

const codes = (errors: { extensions?: Record<string, unknown> }[] | undefined) =>
  (errors ?? []).map((e) => e.extensions?.code);

// ---------------------------------------------------------------------------------------------------

describe('GraphQL-level protection (default limits)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig.close());

  const aliases = (n: number) =>
    `query Many { ${Array.from({ length: n }, (_, i) => `t${i}: copyTask(id: "ct1_x${i}") { id state }`).join(' ')} }`;

  it('accepts 50 copyTask aliases and rejects 51 with a code, sending nothing upstream', async () => {
    const before = rig.smhRequests() + rig.dtRequests();
    const ok = await rig.gw.graphql(aliases(50), {}, rig.headers);
    // Each alias gets its own (malformed-id) error, but the document itself passed the limits.
    expect(ok.status).toBe(200);
    expect(new Set(codes(ok.body.errors))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(ok.body.errors).toHaveLength(50);
    expect(ok.body.errors?.[0]?.message).toMatch(/Malformed task id/);

    const tooMany = await rig.gw.graphql(aliases(51), {}, rig.headers);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.data).toBeUndefined();
    expect(tooMany.body.errors?.[0]?.message).toMatch(/aliases/i);
    expect(codes(tooMany.body.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(rig.smhRequests() + rig.dtRequests()).toBe(before);
  });

  it('rejects a document over the token limit with 400, while parsing (not as a 500)', async () => {
    const query = `{ ${'__typename '.repeat(20_001)}}`;
    const { status, body } = await rig.gw.graphql(query);
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.message).toMatch(/more that 20000 tokens/i);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    // 20,000 tokens exactly pass the parser (`{`, 19,998 fields, `}`; the cost limit then refuses it).
    const atLimit = await rig.gw.graphql(`{ ${'__typename '.repeat(19_998)}}`);
    expect(codes(atLimit.body.errors)).not.toContain('GRAPHQL_PARSE_FAILED');
  });

  it('rejects more directives than allowed', async () => {
    const fields = (n: number) =>
      Array.from({ length: n }, (_, i) => `a${i}: __typename @include(if: true) @skip(if: false)`).join(' ');
    const { status, body } = await rig.gw.graphql(`{ ${fields(26)} }`); // 52 directives
    expect(status).toBe(400);
    // A validation error, worded as one (graphql-armor's own words begin "Syntax Error: ").
    expect(body.errors?.[0]?.message).toBe('Directives limit of 50 exceeded, found 52.');
    expect(codes(body.errors)).toContain('GRAPHQL_VALIDATION_FAILED');
    const fifty = await rig.gw.graphql(`{ ${fields(25)} }`);
    expect(fifty.body).toEqual({
      data: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`a${i}`, 'Query'])),
    });
  });

  it('rejects a document whose cost is over the limit, sending nothing upstream', async () => {
    const before = rig.smhRequests() + rig.dtRequests();
    const fields = `items { ${ITEM} } summary { total }`.repeat(1);
    const query = `query Costly { ${Array.from(
      { length: 50 },
      (_, i) => `t${i}: copyTask(id: "x") { ${fields} ${fields} ${fields} ${fields} }`,
    ).join(' ')} }`;
    const { status, body } = await rig.gw.graphql(query, {}, rig.headers);
    expect(status).toBe(400);
    // The cheaper selection count refuses it before the cost rule runs.
    expect(body.errors?.[0]?.message).toMatch(/cost|selections/i);
    expect(codes(body.errors)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(rig.smhRequests() + rig.dtRequests()).toBe(before);
  });

  it("lets GraphiQL's introspection query and every README and GraphiQL example through", async () => {
    const introspection = await rig.gw.graphql(
      getIntrospectionQuery({
        descriptions: true,
        oneOf: true,
        inputValueDeprecation: true,
        specifiedByUrl: true,
      }),
    );
    expect(introspection.status).toBe(200);
    expect(introspection.body.errors).toBeUndefined();

    const readme = await import('node:fs').then((fs) => fs.readFileSync('README.md', 'utf8'));
    const block = /```graphql\n([\s\S]*?)```/g;
    const documents = [...readme.matchAll(block)].map((m) => m[1] as string).slice(1); // [0] is the schema sketch
    const operations = documents
      .flatMap((doc) => doc.split(/\n(?=#)/))
      .map((op) => op.replace(/^#.*$/gm, '').trim())
      .filter((op) => op.length > 0)
      .map((op) => op.replace('ct1_…', 'ct1_x'));
    expect(operations.length).toBeGreaterThanOrEqual(5);
    for (const op of [...operations, ...DEMO_EXAMPLES.map((tab) => tab.query)]) {
      const { status, body } = await rig.gw.graphql(op, { id: 'ct1_x' }, rig.headers);
      const limitErrors = (body.errors ?? []).filter((e) =>
        /alias|token|depth|cost|directive/i.test(e.message),
      );
      expect(limitErrors, op).toEqual([]);
      // A subscription passes every limit and is then pointed to WebSocket.
      const subscription = /^subscription\b/m.test(op);
      expect(status, op).toBe(subscription ? 400 : 200);
      if (subscription) expect(codes(body.errors), op).toEqual(['BAD_REQUEST']);
    }
  });

  it('accepts a 2,000-item batch written inline (tokens and cost stay under the defaults)', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => `{ from: "foo/1.jpg", to: "inline/${i}.jpg" }`).join(
      ' ',
    );
    const query = `mutation { batchCopy(input: { smh: { libraryId: "smhdemo", items: [${items}] } }) { ${OUTCOME} } }`;
    const { status, body } = await rig.gw.graphql<{ batchCopy: GqlOutcome }>(query, {}, rig.headers);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data?.batchCopy.summary.total).toBe(2000);
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE in GraphQL shape', async () => {
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(32 * 1024 * 1024) } });
    const { status, json } = await raw(rig.gw, {
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(status).toBe(413);
    expect(json.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(json.errors?.[0]?.message).toMatch(/33554432 bytes/);
  });

  it('answers malformed JSON with 400 BAD_REQUEST in GraphQL shape', async () => {
    const { status, json } = await raw(rig.gw, {
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ __typename }"',
    });
    expect(status).toBe(400);
    expect(json.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(json.errors?.[0]?.message).not.toMatch(/at position|stack/i);
  });

  it('refuses a text/plain POST and a GET mutation without a preflight header (CSRF)', async () => {
    const before = rig.smhRequests() + rig.dtRequests();
    const mutation = `mutation { batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: "csrf/1.jpg" }] } }) { __typename } }`;
    const plain = await raw(rig.gw, {
      headers: { 'content-type': 'text/plain', ...rig.headers },
      body: JSON.stringify({ query: mutation }),
    });
    expect(plain.status).toBe(400);
    expect(plain.json.errors?.[0]?.message).toMatch(/CSRF/);
    expect(plain.json.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');

    const get = await raw(rig.gw, {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent(mutation)}`,
      headers: { accept: 'application/json', ...rig.headers },
    });
    expect(get.status).toBe(400);
    expect(get.json.errors?.[0]?.message).toMatch(/CSRF/);

    // With the preflight header a GET still may not mutate.
    const preflighted = await raw(rig.gw, {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent(mutation)}`,
      headers: { accept: 'application/json', 'apollo-require-preflight': '1', ...rig.headers },
    });
    expect(preflighted.status).toBe(405);
    expect(rig.smhRequests() + rig.dtRequests()).toBe(before);
  });

  it('shows field suggestions and allows introspection outside production', async () => {
    const { body } = await rig.gw.graphql('{ copyTsk(id: "x") { id } }');
    expect(body.errors?.[0]?.message).toMatch(/Did you mean "copyTask"/);
    const variable = await rig.gw.graphql(SMH_COPY, { input: { libraryId: 'l', items: [], itemz: [] } });
    expect(variable.body.errors?.[0]?.message).toMatch(/Did you mean "items"\?$/);
    const schema = await rig.gw.graphql('{ __schema { queryType { name } } }');
    expect(schema.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('GraphQL-level protection (lowered limits)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_COST: '50' });
  });
  afterAll(() => rig.close());

  it('rejects a document over GRAPHQL_MAX_COST with a validation error worded as one', async () => {
    const query = `{ ${Array.from({ length: 10 }, (_, i) => `t${i}: copyTask(id: "x") { items { status error { code message } } }`).join(' ')} }`;
    const { status, body } = await rig.gw.graphql(query, {}, rig.headers);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/^Query Cost limit of 50 exceeded, found \d+\.$/);
    expect(codes(body.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('rejects a document deeper than GRAPHQL_MAX_DEPTH, sending nothing upstream', async () => {
    const before = rig.smhRequests();
    const deep = `mutation { batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: "docs/deep-1.jpg" }] } }) {
      ... on CopyOutcome { items { error { upstream { provider } } } } } }`;
    const { status, body } = await rig.gw.graphql(deep, {}, rig.headers);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/^Query depth limit of 4 exceeded, found \d+\.$/);
    expect(codes(body.errors)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(rig.smhRequests()).toBe(before);

    const shallow = `mutation { batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: "docs/deep-1.jpg" }] } }) {
      ... on CopyOutcome { items { status } } } }`;
    const ok = await rig.gw.graphql<{ batchCopy: { items: { status: string }[] } }>(shallow, {}, rig.headers);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?.batchCopy.items).toEqual([{ status: 'SUCCEEDED' }]);
    expect(rig.smhRequests()).toBe(before + 1);
  });

  it('rejects a document over GRAPHQL_MAX_COST', async () => {
    const { status, body } = await rig.gw.graphql(
      `query { ${Array.from({ length: 20 }, (_, i) => `t${i}: copyTask(id: "x") { id state done }`).join(' ')} }`,
    );
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/cost/i);
    expect(codes(body.errors)).toContain('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('production mode', () => {
  let prod: TestGateway;
  let prodIntrospection: TestGateway;
  beforeAll(async () => {
    prod = await startGateway({ NODE_ENV: 'production', SMH_BASE_URL: 'http://127.0.0.1:9' });
    prodIntrospection = await startGateway({
      NODE_ENV: 'production',
      SMH_BASE_URL: 'http://127.0.0.1:9',
      INTROSPECTION: '1',
    });
  });
  afterAll(async () => {
    await prod.close();
    await prodIntrospection.close();
  });

  it('turns introspection off by default and on with INTROSPECTION=1', async () => {
    const off = await prod.graphql('{ __schema { queryType { name } } }');
    expect(off.status).toBe(400);
    expect(off.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(off.body.errors?.[0]?.message).toMatch(/introspection/i);
    const on = await prodIntrospection.graphql('{ __schema { queryType { name } } }');
    expect(on.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('shows no field suggestions, neither in validation nor in variable coercion', async () => {
    const field = await prod.graphql('{ copyTsk(id: "x") { id } }');
    expect(field.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(field.text).not.toMatch(/Did you mean/);
    expect(field.text).not.toMatch(/copyTask/);

    const literal = await prod.graphql(
      'mutation { batchCopy(input: { smh: { libraryId: "l", itemz: [] } }) { __typename } }',
    );
    expect(literal.body.errors?.map((e) => e.message)).toContain(
      'Field "itemz" is not defined by type "SmhBatchCopyInput".',
    );
    expect(literal.text).not.toMatch(/Did you mean/);

    // Variables are coerced at execution, after Apollo's own suggestion filter has run.
    const variable = await prod.graphql(SMH_COPY, { input: { libraryId: 'l', items: [], itemz: [] } });
    expect(variable.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(variable.body.errors?.[0]?.message).toMatch(
      /Field "itemz" is not defined by type "SmhBatchCopyInput"\.$/,
    );
    expect(variable.text).not.toMatch(/Did you mean/);
  });
});

describe('per-request cap on upstream calls', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ MAX_UPSTREAM_CALLS_PER_REQUEST: '2' });
  });
  afterAll(() => rig.close());

  it('refuses a DingTalk batch that needs 3 chunks as CopyRejected, before any batch request', async () => {
    const { status, body } = await rig.gw.graphql<{ batchCopy: GqlOutcome }>(
      DT_COPY,
      {
        input: {
          ...DT_INPUT,
          dentryIds: ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4', 'd-file-5', 'd-folder-2', 'd-folder-3'],
        },
      },
      rig.headers,
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const refused = body.data?.batchCopy;
    expect(refused?.__typename).toBe('CopyRejected');
    expect(refused?.error).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false });
    expect(refused?.error?.message).toMatch(/upstream calls.*\(2\)/);
    expect(refused?.items.map((i) => [i.status, i.error?.code])).toEqual(
      Array.from({ length: 7 }, () => ['FAILED', 'INVALID_ARGUMENT']),
    );
    expect(rig.dtRequests('batchCopy')).toBe(0);

    // Two chunks fit.
    const ok = await dtCopy(rig, {
      ...DT_INPUT,
      dentryIds: ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4'],
    });
    expect(ok.summary.total).toBe(4);
    expect(rig.dtRequests('batchCopy')).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('timeouts', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const expectTimedOut = (outcome: GqlOutcome) => {
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.summary).toMatchObject({ total: 1, unknown: 1, succeeded: 0, failed: 0 });
    const error = outcome.items[0]?.error as GqlError;
    expect(outcome.items[0]?.status).toBe('UNKNOWN');
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/check the target/);
  };

  it('answers by the operation deadline when the upstream is slower (OPERATION_TIMEOUT_MS)', async () => {
    rig = await startRig({ OPERATION_TIMEOUT_MS: '300', UPSTREAM_TIMEOUT_MS: '10000' });
    rig.smh.faults.add({ kind: 'latency', ms: 3000, pathIncludes: '/api/v1/batch/' });
    const started = performance.now();
    const outcome = await smhCopy(rig);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(300 + 700);
    expectTimedOut(outcome);
    expect(rig.smhRequests('batch.copy')).toBe(1);
  });

  it("times out through the pool's headers timeout (UPSTREAM_TIMEOUT_MS)", async () => {
    rig = await startRig({ UPSTREAM_TIMEOUT_MS: '200' });
    rig.dt.faults.add({ kind: 'latency', ms: 3000, pathIncludes: '/batchCopy' });
    const started = performance.now();
    const outcome = await dtCopy(rig);
    const elapsed = performance.now() - started;
    // undici runs timeouts over a second on coarse timers (about 0.5 s resolution), so allow a second.
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(200 + 1000);
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items[0]).toMatchObject({ status: 'UNKNOWN', source: 'd-file-2' });
    expect(outcome.items[0]?.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', retryable: false });
    expect(outcome.items[0]?.error?.message).toMatch(/check the target/);
    // Unknown outcomes are never re-sent.
    expect(rig.dtRequests('batchCopy')).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('one classification of transport and protocol failures', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({}, { asyncThreshold: 'always' });
  });
  afterAll(() => rig.close());
  afterEach(() => {
    rig.smh.faults.clear();
    rig.dt.faults.clear();
  });

  it('connection refused: not executed, UPSTREAM_UNAVAILABLE, retryable, items FAILED (CopyRejected)', async () => {
    const port = await closedPort();
    const gw = await startGateway({ SMH_BASE_URL: `http://127.0.0.1:${port}` });
    try {
      const { body } = await gw.graphql<{ batchCopy: GqlOutcome }>(
        SMH_COPY,
        { input: SMH_INPUT },
        rig.headers,
      );
      expect(body.errors).toBeUndefined();
      const outcome = body.data?.batchCopy as GqlOutcome;
      expect(outcome.__typename).toBe('CopyRejected');
      expect(outcome.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(outcome.error?.message).toMatch(/not sent/);
      expect(outcome.items).toHaveLength(1);
      expect(outcome.items[0]).toMatchObject({ status: 'FAILED', error: { code: 'UPSTREAM_UNAVAILABLE' } });
      expect(outcome.summary).toMatchObject({ total: 1, failed: 1 });
    } finally {
      await gw.close();
    }
  });

  it('a reset after the upstream did the work: UNKNOWN, not retried', async () => {
    rig.dt.faults.add({ kind: 'reset', after: true, pathIncludes: '/batchCopy', times: 1 });
    const before = rig.dtRequests('batchCopy');
    const executed = rig.dt.stats.executedCopies;
    const outcome = await dtCopy(rig);
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items[0]?.status).toBe('UNKNOWN');
    expect(outcome.items[0]?.error).toMatchObject({ retryable: false });
    expect(outcome.items[0]?.error?.message).toMatch(/check the target/);
    expect(rig.dtRequests('batchCopy')).toBe(before + 1);
    // The upstream really did copy: re-sending would have made a second copy.
    expect(rig.dt.stats.executedCopies).toBe(executed + 1);
  });

  it('a 5xx answer to a copy: UNKNOWN with UPSTREAM_ERROR and the upstream status', async () => {
    rig.smh.faults.add({
      kind: 'status',
      status: 500,
      code: 'InternalError',
      pathIncludes: '/api/v1/batch/',
      times: 1,
    });
    const before = rig.smhRequests('batch.copy');
    const outcome = await smhCopy(rig);
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items[0]).toMatchObject({
      status: 'UNKNOWN',
      error: {
        code: 'UPSTREAM_ERROR',
        retryable: false,
        upstream: { provider: 'SMH', httpStatus: 500, code: 'InternalError' },
      },
    });
    expect(outcome.items[0]?.error?.message).toMatch(/check the target/);
    expect(rig.smhRequests('batch.copy')).toBe(before + 1);
  });

  it.each([
    ['an HTML page', { kind: 'html' as const }],
    ['truncated JSON', { kind: 'truncated' as const }],
  ])('%s instead of JSON: UPSTREAM_PROTOCOL_ERROR, typed, never a 500', async (_name, fault) => {
    rig.smh.faults.add({ ...fault, pathIncludes: '/api/v1/batch/', times: 1 });
    rig.dt.faults.add({ ...fault, pathIncludes: '/batchCopy', times: 1 });
    for (const outcome of [await smhCopy(rig), await dtCopy(rig)]) {
      expect(outcome.__typename).toBe('CopyPartiallyFailed');
      expect(outcome.items[0]?.status).toBe('UNKNOWN');
      expect(outcome.items[0]?.error).toMatchObject({ code: 'UPSTREAM_PROTOCOL_ERROR', retryable: false });
      expect(outcome.items[0]?.error?.message).toMatch(/check the target/);
    }
    // The gateway is still healthy.
    expect(
      (await smhCopy(rig, { libraryId: 'smhdemo', items: [{ from: 'foo/2.jpg', to: 'bar/after-2.jpg' }] }))
        .__typename,
    ).toBe('CopyAccepted');
  });

  it('retries a read (copyTask) after a transient 500', async () => {
    const accepted = await smhCopy(rig, {
      libraryId: 'smhdemo',
      items: [{ from: 'foo/1.jpg', to: 'bar/read-retry-1.jpg' }],
    });
    expect(accepted.__typename).toBe('CopyAccepted');
    rig.smh.faults.add({
      kind: 'status',
      status: 500,
      code: 'InternalError',
      pathIncludes: '/api/v1/task/',
      times: 1,
    });
    const before = rig.smhRequests('task.query');
    const { body } = await rig.gw.graphql<{ copyTask: { id: string; state: string } }>(
      TASK,
      { id: accepted.task?.id },
      rig.headers,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.copyTask).toMatchObject({
      id: accepted.task?.id,
      upstreamTaskIds: accepted.task?.upstreamTaskIds,
    });
    expect(rig.smhRequests('task.query')).toBe(before + 2);
  });
});

describe('ids that would be "." or ".." segments of an upstream path', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig.close());

  it('are refused as BAD_USER_INPUT naming the field, and never sent', async () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['SMH libraryId ".."', SMH_COPY, { ...SMH_INPUT, libraryId: '..' }, 'libraryId'],
      ['SMH spaceId "."', SMH_COPY, { ...SMH_INPUT, spaceId: '.' }, 'spaceId'],
      ['DingTalk spaceId ".."', DT_COPY, { ...DT_INPUT, spaceId: '..' }, 'spaceId'],
    ];
    for (const [name, mutation, input, field] of cases) {
      const { body } = await rig.gw.graphql(mutation, { input }, rig.headers);
      expect(body.data, name).toEqual({ batchCopy: null });
      expect(body.errors?.[0]?.extensions, name).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(body.errors?.[0]?.message, name).toMatch(new RegExp(`^${field} is "\\.{1,2}"`));
    }
    expect(rig.smhRequests() + rig.dtRequests()).toBe(0);
  });

  it('a forged task id carrying them is malformed, and nothing is sent', async () => {
    // A forged task id whose upstream task id is "..".
    const forged = encodeTaskId({
      provider: 'DINGTALK',
      unionId: 'union-demo',
      parts: [{ taskId: '..', index: 0, source: 'd' }],
    });
    const { body } = await rig.gw.graphql(TASK, { id: forged }, rig.headers);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(body.data).toEqual({ copyTask: null });
    expect(rig.smhRequests() + rig.dtRequests()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('circuit breaker per upstream origin', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ CIRCUIT_MIN_REQUESTS: '3', CIRCUIT_RESET_MS: '300', CIRCUIT_ERROR_PERCENT: '50' });
  });
  afterAll(() => rig.close());

  it('opens on repeated 5xx, fails fast without calling, leaves the other provider alone, and closes after a good probe', async () => {
    rig.smh.faults.add({
      kind: 'status',
      status: 503,
      code: 'ServiceUnavailable',
      pathIncludes: '/api/v1/batch/',
    });
    for (let i = 0; i < 3; i++) {
      const outcome = await smhCopy(rig);
      expect(outcome.items[0]?.status).toBe('UNKNOWN');
    }
    expect(rig.smhRequests('batch.copy')).toBe(3);

    // Open: refused before sending, so the items did not run and the request may be sent again.
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const outcome = await smhCopy(rig);
      expect(performance.now() - started).toBeLessThan(250);
      expect(outcome.__typename).toBe('CopyRejected');
      expect(outcome.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(outcome.items[0]).toMatchObject({ status: 'FAILED' });
    }
    expect(rig.smhRequests('batch.copy')).toBe(3);

    // DingTalk has its own circuit.
    expect((await dtCopy(rig)).__typename).toBe('CopySucceeded');

    // After the reset time one probe goes through; success closes the circuit.
    rig.smh.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 350));
    const probe = await smhCopy(rig);
    expect(probe.__typename, JSON.stringify(probe)).toBe('CopySucceeded');
    expect(rig.smhRequests('batch.copy')).toBe(4);
    expect(
      (await smhCopy(rig, { libraryId: 'smhdemo', items: [{ from: 'foo/2.jpg', to: 'bar/closed-2.jpg' }] }))
        .__typename,
    ).toBe('CopySucceeded');
    expect(rig.smhRequests('batch.copy')).toBe(5);
    expect(rig.gw.logs.join('')).toMatch(/circuit opened[\s\S]*circuit closed/);
  });
});
