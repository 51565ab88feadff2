/**
 * GET /metrics over real HTTP: a gateway with managed credentials for both providers, pointed at the
 * SMH emulator (through a recording proxy, to learn the token the gateway fetched) and the DingTalk
 * emulator, all on 127.0.0.1. The counters are read back from the Prometheus text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  DINGTALK_SEED,
  dingTalkFaults,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { ManualClock, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import {
  COPY as SMH_COPY,
  LIB,
  SECRET as SMH_SECRET,
  startRecorder,
  type Recorder,
} from '../helpers/smh-rig.js';

const API_KEY = 'metrics-test-api-key-0123456789';
const AUTH = { authorization: `Bearer ${API_KEY}` };
const BATCH_PATH = '/api/v1/batch/';

const DINGTALK_COPY = /* GraphQL */ `
  mutation Copy($input: DingTalkBatchCopyInput!) {
    batchCopy(input: { dingtalk: $input }) {
      __typename
      ... on CopyOutcome {
        items {
          status
          error {
            code
          }
        }
      }
      ... on CopyAccepted {
        task {
          id
        }
      }
    }
  }
`;
const TASK = /* GraphQL */ `
  query Task($id: ID!) {
    copyTask(id: $id) {
      state
    }
  }
`;

interface Outcome {
  __typename: string;
  items: { status: string; error: { code: string } | null }[];
  task?: { id: string };
}

interface Rig {
  smh: SmhEmulator;
  rec: Recorder;
  ding: DingTalkEmulator;
  gw: TestGateway;
}

const open: Rig[] = [];

afterEach(async () => {
  for (const r of open.splice(0)) {
    await r.gw.close();
    await r.rec.close();
    await r.smh.close();
    await r.ding.close();
  }
});

async function rig(env: Record<string, string> = {}): Promise<Rig> {
  const smh = await startSmhEmulator({ seed: true, clock: new ManualClock() });
  const rec = await startRecorder(smh.url);
  const ding = await startDingTalkEmulator({ seed: true, clock: new ManualClock() });
  const gw = await startGateway({
    SMH_BASE_URL: rec.url,
    // The upstream call counts here are those of copies and task reads only.
    UNKNOWN_RESOLUTION: 'off',
    SMH_LIBRARY_ID: LIB,
    SMH_LIBRARY_SECRET: SMH_SECRET,
    DINGTALK_BASE_URL: ding.url,
    DINGTALK_APP_KEY: DINGTALK_SEED.appKey,
    DINGTALK_APP_SECRET: DINGTALK_SEED.appSecret,
    DINGTALK_THROTTLE_RETRIES: '1',
    GATEWAY_API_KEYS: `tester:${API_KEY}`,
    ...env,
  });
  const r = { smh, rec, ding, gw };
  open.push(r);
  return r;
}

async function smhCopy(
  r: Rig,
  input: Record<string, unknown>,
  headers: Record<string, string> = AUTH,
): Promise<Outcome> {
  const { body } = await r.gw.graphql<{ batchCopy: Outcome }>(
    SMH_COPY,
    { input: { libraryId: LIB, ...input } },
    headers,
  );
  if (!body.data) throw new Error(`unexpected answer ${JSON.stringify(body)}`);
  return body.data.batchCopy;
}

async function dingTalkCopy(r: Rig, dentryIds: string[]): Promise<Outcome> {
  const input = {
    spaceId: DINGTALK_SEED.sourceSpaceId,
    unionId: DINGTALK_SEED.unionId,
    targetSpaceId: DINGTALK_SEED.targetSpaceId,
    targetFolderId: '0',
    dentryIds,
  };
  const { body } = await r.gw.graphql<{ batchCopy: Outcome }>(DINGTALK_COPY, { input }, AUTH);
  if (!body.data) throw new Error(`unexpected answer ${JSON.stringify(body)}`);
  return body.data.batchCopy;
}

async function scrape(gw: TestGateway, headers: Record<string, string> = {}) {
  const response = await request(`${gw.url}/metrics`, { headers });
  return {
    status: response.statusCode,
    type: response.headers['content-type'],
    text: await response.body.text(),
  };
}

/** The sample of `name` whose labels are exactly `labels`, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    const same =
      Object.keys(found).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => found[k] === v);
    if (same) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  it('counts HTTP requests, upstream calls, copy outcomes, items and token fetches with low-cardinality labels', async () => {
    const r = await rig();

    // SMH: succeeded, partially failed (bar/2.jpg exists), an injected 500 after the work (UNKNOWN).
    expect((await smhCopy(r, { items: [{ from: 'foo/1.jpg', to: 'docs/m1.jpg' }] })).__typename).toBe(
      'CopySucceeded',
    );
    const partial = await smhCopy(r, {
      items: [
        { from: 'foo/1.jpg', to: 'docs/m2.jpg' },
        { from: 'foo/2.jpg', to: 'bar/2.jpg' },
      ],
    });
    expect(partial.items.map((i) => i.status)).toEqual(['SUCCEEDED', 'FAILED']);
    r.smh.faults.add({
      kind: 'status',
      status: 500,
      code: 'InternalServerError',
      pathIncludes: BATCH_PATH,
      after: true,
      times: 1,
    });
    const lost = await smhCopy(r, { items: [{ from: 'foo/2.jpg', to: 'docs/m3.jpg' }] });
    expect(lost.items.map((i) => [i.status, i.error?.code])).toEqual([['UNKNOWN', 'UPSTREAM_ERROR']]);
    // An idempotent replay answers from the store: it runs (and is counted) once.
    const keyed = { idempotencyKey: 'metrics-once', items: [{ from: 'foo/1.jpg', to: 'docs/m4.jpg' }] };
    expect((await smhCopy(r, keyed)).__typename).toBe('CopySucceeded');
    expect((await smhCopy(r, keyed)).__typename).toBe('CopySucceeded');

    // DingTalk: throttled on the first call and its one retry, then an async folder copy and its task.
    r.ding.faults.add({ ...dingTalkFaults.qpsLimit(), pathIncludes: '/batchCopy', times: 2 });
    const throttled = await dingTalkCopy(r, ['d-file-1']);
    expect(throttled.__typename).toBe('CopyRejected');
    expect(throttled.items.map((i) => [i.status, i.error?.code])).toEqual([['FAILED', 'THROTTLED']]);
    const accepted = await dingTalkCopy(r, [DINGTALK_SEED.folderId]);
    expect(accepted.__typename).toBe('CopyAccepted');
    const task = await r.gw.graphql<{ copyTask: { state: string } }>(TASK, { id: accepted.task!.id }, AUTH);
    expect(task.body.data?.copyTask.state).toBe('RUNNING');

    // Without a key: GraphQL refuses, /metrics answers (scrapers carry no key).
    expect((await r.gw.graphql('{ __typename }')).status).toBe(401);
    expect((await request(`${r.gw.url}/no/such/path?x=1`)).statusCode).toBe(404);

    const { status, type, text } = await scrape(r.gw);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const at = (name: string, labels: Record<string, string>) => sample(text, `copy_gateway_${name}`, labels);

    // 5 SMH + 2 DingTalk copies, 1 copyTask: all answered 200; the keyless one 401; the 404 unmatched.
    expect(at('http_requests_total', { route: '/graphql', method: 'POST', status: '200' })).toBe(8);
    expect(at('http_requests_total', { route: '/graphql', method: 'POST', status: '401' })).toBe(1);
    expect(at('http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(at('http_request_duration_seconds_count', { route: '/graphql', method: 'POST' })).toBe(9);

    expect(at('upstream_requests_total', { provider: 'SMH', operation: 'token', outcome: '2xx' })).toBe(1);
    expect(at('upstream_requests_total', { provider: 'SMH', operation: 'batch_copy', outcome: '2xx' })).toBe(
      3,
    );
    expect(at('upstream_requests_total', { provider: 'SMH', operation: 'batch_copy', outcome: '5xx' })).toBe(
      1,
    );
    expect(at('upstream_requests_total', { provider: 'DINGTALK', operation: 'token', outcome: '2xx' })).toBe(
      1,
    );
    expect(
      at('upstream_requests_total', { provider: 'DINGTALK', operation: 'batch_copy', outcome: '4xx' }),
    ).toBe(2);
    expect(
      at('upstream_requests_total', { provider: 'DINGTALK', operation: 'batch_copy', outcome: '2xx' }),
    ).toBe(1);
    expect(
      at('upstream_requests_total', { provider: 'DINGTALK', operation: 'task_query', outcome: '2xx' }),
    ).toBe(1);
    expect(at('upstream_request_duration_seconds_count', { provider: 'SMH', operation: 'batch_copy' })).toBe(
      4,
    );
    expect(
      at('upstream_request_duration_seconds_count', { provider: 'DINGTALK', operation: 'batch_copy' }),
    ).toBe(3);

    expect(at('copy_outcomes_total', { provider: 'SMH', outcome: 'succeeded' })).toBe(2);
    expect(at('copy_outcomes_total', { provider: 'SMH', outcome: 'partiallyFailed' })).toBe(2);
    expect(at('copy_outcomes_total', { provider: 'SMH', outcome: 'accepted' })).toBe(0);
    expect(at('copy_outcomes_total', { provider: 'SMH', outcome: 'rejected' })).toBe(0);
    expect(at('copy_outcomes_total', { provider: 'DINGTALK', outcome: 'rejected' })).toBe(1);
    expect(at('copy_outcomes_total', { provider: 'DINGTALK', outcome: 'accepted' })).toBe(1);
    expect(at('copy_items_total', { provider: 'SMH', status: 'SUCCEEDED' })).toBe(3);
    expect(at('copy_items_total', { provider: 'SMH', status: 'FAILED' })).toBe(1);
    expect(at('copy_items_total', { provider: 'SMH', status: 'UNKNOWN' })).toBe(1);
    expect(at('copy_items_total', { provider: 'SMH', status: 'PENDING' })).toBe(0);
    expect(at('copy_items_total', { provider: 'DINGTALK', status: 'FAILED' })).toBe(1);
    expect(at('copy_items_total', { provider: 'DINGTALK', status: 'PENDING' })).toBe(1);

    expect(at('token_fetches_total', { provider: 'SMH', outcome: 'ok' })).toBe(1);
    expect(at('token_fetches_total', { provider: 'DINGTALK', outcome: 'ok' })).toBe(1);
    expect(at('circuit_state', { provider: 'SMH' })).toBe(0);
    expect(at('circuit_state', { provider: 'DINGTALK' })).toBe(0);
    // Default process metrics are there too.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    // Every label value comes from a small fixed set.
    const allowed: Record<string, RegExp> = {
      route: /^(\/graphql|\/metrics|\/healthz|\/readyz|unmatched)$/,
      method: /^(GET|POST)$/,
      status: /^(\d{3}|SUCCEEDED|FAILED|PENDING|UNKNOWN)$/,
      provider: /^(SMH|DINGTALK)$/,
      operation: /^(batch_copy|task_query|token)$/,
      outcome: /^(\dxx|[A-Z_]+|circuit_open|ok|failed|succeeded|partiallyFailed|accepted|rejected)$/,
      state: /^(queued|running|SUCCEEDED|PARTIALLY_FAILED|FAILED|CANCELLED)$/,
    };
    for (const line of text.split('\n').filter((l) => l.startsWith('copy_gateway_'))) {
      for (const [, label, value] of line.matchAll(/(\w+)="([^"]*)"/g)) {
        if (label === 'le') continue;
        expect(allowed[label!]?.test(value!), `${label}="${value}" in ${line}`).toBe(true);
      }
    }
  });

  it('never shows a secret, token, API key, id, path or URL', async () => {
    const r = await rig();
    const passThrough = r.smh.issueToken({ libraryId: LIB, grants: ['admin'] });
    await smhCopy(r, { items: [{ from: 'foo/1.jpg', to: 'docs/s1.jpg' }] });
    await smhCopy(
      r,
      { items: [{ from: 'foo/1.jpg', to: 'docs/s2.jpg' }] },
      {
        ...AUTH,
        'x-smh-access-token': passThrough,
      },
    );
    await dingTalkCopy(r, ['d-file-2']);
    await r.gw.graphql('{ __typename }', undefined, { authorization: 'Bearer wrong-key-0123456789abcdef' });
    await request(`${r.gw.url}/graphql?access_token=leaked-in-a-url-123456`);

    const managedSmhToken = r.rec.exchanges
      .map((e) => e.query.get('access_token'))
      .find((t) => t && t !== passThrough);
    const dingTalkToken = r.ding.stats.lastRequests.batchCopy?.headers['x-acs-dingtalk-access-token'];
    expect(managedSmhToken).toBeTruthy();
    expect(dingTalkToken).toBeTruthy();

    const { text } = await scrape(r.gw, AUTH);
    const secrets = [
      SMH_SECRET,
      DINGTALK_SEED.appSecret,
      API_KEY,
      'wrong-key-0123456789abcdef',
      passThrough,
      managedSmhToken!,
      dingTalkToken!,
      'leaked-in-a-url-123456',
      LIB,
      DINGTALK_SEED.appKey,
      'd-file-2',
      'docs/s1',
      r.smh.url,
      r.rec.url,
      r.ding.url,
    ];
    expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
  });

  it('follows the circuit: open after a failure, circuit_open calls, half-open, closed again', async () => {
    const r = await rig({ CIRCUIT_MIN_REQUESTS: '2', CIRCUIT_ERROR_PERCENT: '10', CIRCUIT_RESET_MS: '200' });
    // The token call and this copy succeed; the next copy's 503 is then 1 failure in 3 calls (> 10 %).
    await smhCopy(r, { items: [{ from: 'foo/1.jpg', to: 'docs/c0.jpg' }] });
    r.smh.faults.add({ kind: 'status', status: 503, code: 'ServerOverloaded', pathIncludes: BATCH_PATH });
    const lost = await smhCopy(r, { items: [{ from: 'foo/1.jpg', to: 'docs/c1.jpg' }] });
    expect(lost.items.map((i) => i.error?.code)).toEqual(['UPSTREAM_ERROR']);
    const fastFail = await smhCopy(r, { items: [{ from: 'foo/1.jpg', to: 'docs/c2.jpg' }] });
    expect(fastFail.items.map((i) => i.error?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);

    let { text } = await scrape(r.gw);
    expect(sample(text, 'copy_gateway_circuit_state', { provider: 'SMH' })).toBe(2);
    expect(sample(text, 'copy_gateway_circuit_state', { provider: 'DINGTALK' })).toBe(0);
    const upstream = (outcome: string) =>
      sample(text, 'copy_gateway_upstream_requests_total', {
        provider: 'SMH',
        operation: 'batch_copy',
        outcome,
      });
    expect(upstream('2xx')).toBe(1);
    expect(upstream('5xx')).toBe(1);
    expect(upstream('circuit_open')).toBe(1);
    // The fast failure was not sent: no duration is observed for it.
    expect(
      sample(text, 'copy_gateway_upstream_request_duration_seconds_count', {
        provider: 'SMH',
        operation: 'batch_copy',
      }),
    ).toBe(2);

    await new Promise((resolve) => setTimeout(resolve, 300));
    ({ text } = await scrape(r.gw));
    expect(sample(text, 'copy_gateway_circuit_state', { provider: 'SMH' })).toBe(1);

    r.smh.faults.clear();
    expect((await smhCopy(r, { items: [{ from: 'foo/1.jpg', to: 'docs/c3.jpg' }] })).__typename).toBe(
      'CopySucceeded',
    );
    ({ text } = await scrape(r.gw));
    expect(sample(text, 'copy_gateway_circuit_state', { provider: 'SMH' })).toBe(0);
  });

  it('METRICS=0 turns the endpoint off (404) and the gateway still works', async () => {
    const r = await rig({ METRICS: '0' });
    expect((await scrape(r.gw)).status).toBe(404);
    expect((await smhCopy(r, { items: [{ from: 'foo/1.jpg', to: 'docs/off.jpg' }] })).__typename).toBe(
      'CopySucceeded',
    );
  });

  it('two gateways in one process keep separate registries', async () => {
    const a = await rig();
    const b = await rig();
    await smhCopy(a, { items: [{ from: 'foo/1.jpg', to: 'docs/a.jpg' }] });
    const labels = { provider: 'SMH', outcome: 'succeeded' };
    expect(sample((await scrape(a.gw)).text, 'copy_gateway_copy_outcomes_total', labels)).toBe(1);
    expect(sample((await scrape(b.gw)).text, 'copy_gateway_copy_outcomes_total', labels)).toBe(0);
  });
});
