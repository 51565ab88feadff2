/**
 * The compiled executor answers as graphql-js does: with GRAPHQL_COMPILE_AFTER=2 a document's first
 * run is graphql-js's and its second the compiled query's, so every operation here is sent twice and
 * both answers must be equal (status, data, errors with their messages, codes, paths and locations).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';
import { REQUEST_ID_HEADER } from '../../src/http/request-id.js';
import { startDingTalkEmulator, type DingTalkEmulator } from '../../src/emulators/dingtalk/index.js';

let smh: SmhEmulator;
let dingtalk: DingTalkEmulator;
let gw: TestGateway;

beforeAll(async () => {
  smh = await startSmhEmulator({ seed: true, clock: new ManualClock() });
  dingtalk = await startDingTalkEmulator({ seed: true });
  gw = await startGateway({ ...managedDemoEnv(smh.url, dingtalk.url), GRAPHQL_COMPILE_AFTER: '2' });
});

afterAll(async () => {
  await gw.close();
  await Promise.all([smh.close(), dingtalk.close()]);
});

const OUTCOME = `__typename ... on CopyOutcome { items { index status source target error { code message } }
  summary { total succeeded failed } } ... on CopyRejected { error { code retryable } }`;

/**
 * The same request twice: graphql-js answers the first, the compiled query the second. Both carry the
 * same request id, which error answers repeat.
 */
async function twice(query: string, variables?: Record<string, unknown>) {
  const headers = { [REQUEST_ID_HEADER]: 'compiled-executor-parity' };
  const first = await gw.graphql(query, variables, headers);
  const second = await gw.graphql(query, variables, headers);
  return { first, second };
}

describe('compiled executor against graphql-js', () => {
  it('a successful copy: the same data', async () => {
    const query = `mutation Copy($to: NonEmptyString!) { batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: $to }], conflictStrategy: OVERWRITE } }) { ${OUTCOME} } }`;
    const { first, second } = await twice(query, { to: 'docs/parity.jpg' });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ batchCopy: { __typename: 'CopySucceeded' } });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
  });

  it('an error from a resolver: the same message, code, path and locations, and the other field kept', async () => {
    const query = `mutation {
      a: batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: "docs/parity-a.jpg" }], conflictStrategy: OVERWRITE } }) { ${OUTCOME} }
      b: batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: "docs/parity-b.jpg" }], conflictStrategy: KEEP_EXISTING } }) { ${OUTCOME} }
    }`;
    const { first, second } = await twice(query);
    expect(first.body.errors?.[0]).toMatchObject({ path: ['b'], extensions: { code: 'UNSUPPORTED' } });
    expect(first.body.errors?.[0]).toHaveProperty('locations');
    expect(second.body).toEqual(first.body);
  });

  it('a task that is not there, a malformed id and one issued to nobody: the same answers', async () => {
    const query = `query { a: copyTask(id: "ct2_nothing") { id } b: copyTask(id: "not-an-id") { id } c: node(id: "ct2_AAAA.AAAAAAAAAAAAAAAAAAAAAA") { id } }`;
    const { first, second } = await twice(query);
    expect(first.body.errors?.length).toBeGreaterThan(0);
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
  });

  it('bad variables and a @oneOf input with two members: the same 400 request errors', async () => {
    const query = `mutation Copy($input: BatchCopyInput!) { batchCopy(input: $input) { __typename } }`;
    const bad = { smh: { libraryId: '', items: 'x' } };
    const both = { smh: { libraryId: 'smhdemo', items: [] }, dingtalk: { spaceId: 's' } };
    for (const input of [bad, both]) {
      const { first, second } = await twice(query, { input });
      expect(first.status).toBe(400);
      expect(first.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(second.status).toBe(first.status);
      expect(second.body).toEqual(first.body);
    }
  });

  it('introspection and __typename: the same data', async () => {
    const query = `{ __typename __type(name: "CopyTask") { name fields { name type { kind name ofType { name } } } } }`;
    const { first, second } = await twice(query);
    expect(first.body.data).toMatchObject({ __typename: 'Query', __type: { name: 'CopyTask' } });
    expect(second.body).toEqual(first.body);
  });
});

describe('an operation name that names no operation', () => {
  /** POSTs `body` to the gateway's /graphql as JSON (the caller picks the operation name). */
  async function post(body: Record<string, unknown>) {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as { errors?: { extensions?: { code?: string } }[] },
    };
  }

  it.each([
    ['an unknown name', { query: '{ __typename }', operationName: 'X' }],
    ['an empty name', { query: '{ __typename }', operationName: '' }],
    ['a name that is not the one operation', { query: 'query A { __typename }', operationName: 'X' }],
    ['no name among several operations', { query: 'query A { __typename } query B { __typename }' }],
  ])('%s: 400 OPERATION_RESOLUTION_FAILURE on the first and on later runs', async (_label, body) => {
    for (let run = 0; run < 3; run++) {
      const answer = await post(body);
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
  });

  it('a mutation is never run under a name it does not have', async () => {
    const to = 'docs/never-named.jpg';
    const query = `mutation { batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: "${to}" }] } }) { __typename } }`;
    for (let run = 0; run < 3; run++) {
      const answer = await post({ query, operationName: 'Z' });
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
    expect(smh.stats.copiesTo('-', to)).toHaveLength(0);
  });
});
