import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DINGTALK_SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import {
  ManualClock,
  DEMO_LIBRARY_ID,
  DEMO_LIBRARY_SECRET,
  startSmhEmulator,
  type SmhEmulator,
} from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';

/** The SMH emulator's default token period (the gateway asks for none) and DingTalk's expireIn. */
const SMH_LIFETIME_MS = 86_400_000;
const DINGTALK_LIFETIME_MS = 7_200_000;
const TASK_MS = 3000;

const COPY = /* GraphQL */ `
  mutation Copy($input: BatchCopyInput!) {
    batchCopy(input: $input) {
      __typename
      ... on CopyOutcome {
        summary {
          total
          succeeded
          failed
          pending
        }
        items {
          status
          result
          evidence
          error {
            code
          }
        }
      }
      ... on CopyAccepted {
        task {
          id
          done
        }
      }
      ... on CopyRejected {
        error {
          code
          message
          retryable
          upstream {
            code
          }
        }
      }
    }
  }
`;

const TASK = /* GraphQL */ `
  query Task($id: ID!) {
    copyTask(id: $id) {
      state
      done
      summary {
        total
        succeeded
      }
    }
  }
`;

interface CopyData {
  batchCopy: {
    __typename: string;
    summary: { total: number; succeeded: number; failed: number; pending: number };
    items: { status: string; result: string | null; error: { code: string } | null }[];
    task?: { id: string; done: boolean };
    error?: { code: string; upstream: { code: string | null } | null };
  } | null;
}

interface TaskData {
  copyTask: { state: string; done: boolean; summary: { total: number; succeeded: number } } | null;
}

const smhInput = (to: string, libraryId = DEMO_LIBRARY_ID, from = 'foo/1.jpg') => ({
  smh: { libraryId, items: [{ from, to }] },
});

const dingInput = (dentryIds: string[] = ['d-file-2']) => ({
  dingtalk: {
    spaceId: DINGTALK_SEED.sourceSpaceId,
    unionId: DINGTALK_SEED.unionId,
    targetSpaceId: DINGTALK_SEED.targetSpaceId,
    targetFolderId: '0',
    dentryIds,
    conflictStrategy: 'RENAME',
  },
});

/** What an emulator has seen, by kind of request. */
const smhCounts = (smh: SmhEmulator) => ({
  tokenRequests: smh.stats.requests['token.create'] ?? 0,
  batchCalls: smh.stats.requests['batch.copy'] ?? 0,
  /** Batch calls that passed authentication (a refused token never gets this far). */
  authenticatedBatches: smh.stats.batches.length,
  executedItems: smh.stats.executedItems,
});

const dingCounts = (ding: DingTalkEmulator) => ({
  /** Every token request on the wire, including those a fault answered. */
  tokenRequests: ding.stats.requestsByRoute.token ?? 0,
  batchCalls: ding.stats.requestsByRoute.batchCopy ?? 0,
  authenticatedBatches: ding.stats.copyRequests.length,
  executedItems: ding.stats.executedCopies,
});

interface Rig {
  smh: SmhEmulator;
  ding: DingTalkEmulator;
  smhClock: ManualClock;
  dingClock: ManualClock;
  /** The clock the gateway's managed tokens expire on. */
  gatewayClock: ManualClock;
  gateway: TestGateway;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Both emulators on manual clocks and a gateway with managed credentials for both (overridable). */
async function startRig(env: Record<string, string> = {}): Promise<Rig> {
  const smhClock = new ManualClock();
  const dingClock = new ManualClock();
  const gatewayClock = new ManualClock();
  const smh = await startSmhEmulator({ seed: true, clock: smhClock, taskDurationMs: TASK_MS });
  cleanups.push(() => smh.close());
  const ding = await startDingTalkEmulator({ seed: true, clock: dingClock, taskDurationMs: TASK_MS });
  cleanups.push(() => ding.close());
  const gateway = await startGateway(
    {
      ...managedDemoEnv(smh.url, ding.url),
      ...env,
    },
    { now: () => gatewayClock.now() },
  );
  cleanups.push(() => gateway.close());
  return { smh, ding, smhClock, dingClock, gatewayClock, gateway };
}

/** The provider-specific parts of the managed-token tests, so each runs for both providers. */
interface ProviderCase {
  name: 'SMH' | 'DingTalk';
  lifetimeMs: number;
  input(i: number): Record<string, unknown>;
  counts(rig: Rig): ReturnType<typeof smhCounts>;
  emulatorClock(rig: Rig): ManualClock;
  /** A fault that makes every batch call refuse its token the way this upstream does. */
  rejectEveryToken(rig: Rig): void;
  tokenPath: string;
}

const PROVIDERS: ProviderCase[] = [
  {
    name: 'SMH',
    lifetimeMs: SMH_LIFETIME_MS,
    input: (i) => smhInput(`docs/copy-${i}.jpg`),
    counts: (rig) => smhCounts(rig.smh),
    emulatorClock: (rig) => rig.smhClock,
    rejectEveryToken: (rig) =>
      rig.smh.faults.add({
        kind: 'status',
        status: 403,
        code: 'InvalidAccessToken',
        pathIncludes: '/api/v1/batch/',
      }),
    tokenPath: '/api/v1/token',
  },
  {
    name: 'DingTalk',
    lifetimeMs: DINGTALK_LIFETIME_MS,
    input: () => dingInput(),
    counts: (rig) => dingCounts(rig.ding),
    emulatorClock: (rig) => rig.dingClock,
    rejectEveryToken: (rig) =>
      rig.ding.faults.add({
        kind: 'status',
        status: 400,
        code: 'InvalidAuthentication',
        pathIncludes: '/dentries/batchCopy',
      }),
    tokenPath: '/v1.0/oauth2/accessToken',
  },
];

async function copy(gateway: TestGateway, input: Record<string, unknown>, headers?: Record<string, string>) {
  return gateway.graphql<CopyData>(COPY, { input }, headers);
}

async function copySucceeds(gateway: TestGateway, input: Record<string, unknown>): Promise<void> {
  const { status, body } = await copy(gateway, input);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(body.data?.batchCopy?.__typename).toBe('CopySucceeded');
  expect(body.data?.batchCopy?.summary).toEqual({ total: 1, succeeded: 1, failed: 0, pending: 0 });
}

describe.each(PROVIDERS)('managed $name tokens', (provider) => {
  it('fetches one token for many sequential calls', async () => {
    const rig = await startRig();
    for (let i = 0; i < 8; i++) await copySucceeds(rig.gateway, provider.input(i));
    expect(provider.counts(rig)).toEqual({
      tokenRequests: 1,
      batchCalls: 8,
      authenticatedBatches: 8,
      executedItems: 8,
    });
  });

  it('single flight: 50 parallel mutations make exactly one token request', async () => {
    const rig = await startRig();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => copy(rig.gateway, provider.input(i))),
    );
    expect(answers.map((a) => a.body.data?.batchCopy?.__typename)).toEqual(
      Array.from({ length: 50 }, () => 'CopySucceeded'),
    );
    expect(provider.counts(rig)).toEqual({
      tokenRequests: 1,
      batchCalls: 50,
      authenticatedBatches: 50,
      executedItems: 50,
    });
  });

  it('refreshes at ~90 % of the lifetime, before the upstream would reject the token', async () => {
    const rig = await startRig();
    const emulator = provider.emulatorClock(rig);
    await copySucceeds(rig.gateway, provider.input(0));

    // At 85 % the cached token is still used.
    rig.gatewayClock.advance(provider.lifetimeMs * 0.85);
    emulator.advance(provider.lifetimeMs * 0.85);
    await copySucceeds(rig.gateway, provider.input(1));
    expect(provider.counts(rig).tokenRequests).toBe(1);

    // Past 90 % on the gateway's clock it fetches a new one first; the emulator has meanwhile let the
    // old token expire, yet no call is refused: the refresh came before the first use.
    rig.gatewayClock.advance(provider.lifetimeMs * 0.06);
    emulator.advance(provider.lifetimeMs);
    await copySucceeds(rig.gateway, provider.input(2));
    expect(provider.counts(rig)).toEqual({
      tokenRequests: 2,
      batchCalls: 3,
      authenticatedBatches: 3,
      executedItems: 3,
    });

    // And the new token is cached again.
    await copySucceeds(rig.gateway, provider.input(3));
    expect(provider.counts(rig).tokenRequests).toBe(2);
  });

  it('refreshes and retries once when the upstream rejects an expired token', async () => {
    const rig = await startRig();
    await copySucceeds(rig.gateway, provider.input(0));
    // Only the emulator's time moves: the gateway still trusts its cached token, the upstream does not.
    provider.emulatorClock(rig).advance(provider.lifetimeMs + 1000);
    await copySucceeds(rig.gateway, provider.input(1));
    expect(provider.counts(rig)).toEqual({
      tokenRequests: 2,
      // The refused call, then one retry with the fresh token.
      batchCalls: 3,
      authenticatedBatches: 2,
      // Exactly one copy ran for the second mutation.
      executedItems: 2,
    });
  });

  it('does not loop when the fresh token is rejected too', async () => {
    const rig = await startRig();
    provider.rejectEveryToken(rig);
    const { status, body } = await copy(rig.gateway, provider.input(0));
    expect(status).toBe(200);
    expect(body.data).toEqual({ batchCopy: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(provider.counts(rig)).toEqual({
      tokenRequests: 2,
      batchCalls: 2,
      authenticatedBatches: 0,
      executedItems: 0,
    });
  });

  it.each([
    ['500', { kind: 'status', status: 500, code: 'InternalError' } as const],
    ['connection reset', { kind: 'reset' } as const],
  ])(
    'a token endpoint %s is UPSTREAM_UNAVAILABLE naming the provider, and is not cached',
    async (_label, fault) => {
      const rig = await startRig();
      const emulator = provider.name === 'SMH' ? rig.smh : rig.ding;
      emulator.faults.add({ ...fault, pathIncludes: provider.tokenPath, times: 1 });
      const { status, body, text } = await copy(rig.gateway, provider.input(0));
      expect(status).toBe(200);
      // Nothing was sent, so the whole request is refused as data, and may be sent again.
      const rejected = body.data?.batchCopy as
        { __typename: string; error?: Record<string, unknown> } | undefined;
      expect(rejected?.__typename).toBe('CopyRejected');
      expect(rejected?.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(rejected?.error?.message).toContain(provider.name);
      expect(rejected?.error?.message).toMatch(/token endpoint/);
      // The copy was never sent, whatever the token endpoint answered.
      const items = (rejected as { items?: { status: string; evidence: string }[] }).items;
      expect(items?.map((i) => [i.status, i.evidence])).toEqual([['FAILED', 'NOT_SENT']]);
      for (const secret of [DEMO_LIBRARY_SECRET, DINGTALK_SEED.appSecret]) expect(text).not.toContain(secret);
      expect(provider.counts(rig)).toMatchObject({ tokenRequests: 1, batchCalls: 0 });

      // A background job meets the same refusal before it is accepted (nothing is recorded to run later).
      emulator.faults.add({ ...fault, pathIncludes: provider.tokenPath, times: 1 });
      const [field, fields] = Object.entries(provider.input(0))[0]!;
      const job = await copy(rig.gateway, { [field]: { ...(fields as object), execution: 'BACKGROUND' } });
      const refused = job.body.data?.batchCopy as typeof rejected;
      expect(refused?.__typename).toBe('CopyRejected');
      expect(refused?.error).toEqual(rejected?.error);
      expect(
        (refused as { items?: { status: string; evidence: string }[] }).items?.map((i) => [
          i.status,
          i.evidence,
        ]),
      ).toEqual([['FAILED', 'NOT_SENT']]);
      expect(provider.counts(rig)).toMatchObject({ tokenRequests: 2, batchCalls: 0 });

      // The failure is not remembered: the next call fetches again and succeeds.
      await copySucceeds(rig.gateway, provider.input(1));
      expect(provider.counts(rig)).toMatchObject({ tokenRequests: 3, batchCalls: 1, executedItems: 1 });
    },
  );
});

describe('a wrong managed secret', () => {
  it('is UNAUTHENTICATED, names the provider and never the secret', async () => {
    const wrongSmh = 'wrong-SMH-secret-5b1d77e0';
    const wrongDing = 'wrong-DING-secret-a0c4e913';
    const rig = await startRig({ SMH_LIBRARY_SECRET: wrongSmh, DINGTALK_APP_SECRET: wrongDing });
    const cases = [
      { name: 'SMH', input: smhInput('docs/x-1.jpg'), counts: () => smhCounts(rig.smh) },
      { name: 'DingTalk', input: dingInput(), counts: () => dingCounts(rig.ding) },
    ];
    for (const c of cases) {
      const { status, body, text } = await copy(rig.gateway, c.input);
      expect(status).toBe(200);
      expect(body.data).toEqual({ batchCopy: null });
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.errors?.[0]?.extensions?.provider).toBe(c.name === 'SMH' ? 'SMH' : 'DINGTALK');
      expect(body.errors?.[0]?.message).toBe(`${c.name} refused the gateway's configured credential.`);
      expect(c.counts()).toMatchObject({ tokenRequests: 1, batchCalls: 0 });
      // As a background job: refused the same way before anything is accepted, not accepted to fail later.
      const [field, fields] = Object.entries(c.input)[0]!;
      const job = await copy(rig.gateway, { [field]: { ...fields, execution: 'BACKGROUND' } });
      expect(job.body.data).toEqual({ batchCopy: null });
      expect(job.body.errors?.map((e) => [e.path, e.extensions?.code, e.message])).toEqual([
        [['batchCopy'], 'UNAUTHENTICATED', body.errors?.[0]?.message],
      ]);
      expect(c.counts()).toMatchObject({ tokenRequests: 2, batchCalls: 0 });
      for (const secret of [wrongSmh, wrongDing]) {
        expect(text + job.text).not.toContain(secret);
        expect(rig.gateway.logs.filter((line) => line.includes(secret))).toEqual([]);
      }
    }
  });

  it('for a library without a configured secret asks for a header token', async () => {
    const rig = await startRig();
    const { body } = await copy(rig.gateway, smhInput('docs/x-1.jpg', 'other-library'));
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.errors?.[0]?.message).toContain('x-smh-access-token');
    expect(smhCounts(rig.smh)).toMatchObject({ tokenRequests: 0, batchCalls: 0 });
  });

  it('for a library without a configured secret refuses a background job as it refuses an inline batch (AUTO over the inline limit, BACKGROUND)', async () => {
    // One item per upstream call and one call inline: two items make AUTO a background job.
    const rig = await startRig({ SMH_CHUNK_SIZE: '1', INLINE_MAX_UPSTREAM_CALLS: '1' });
    const items = [
      { from: 'foo/1.jpg', to: 'docs/j-1.jpg' },
      { from: 'foo/1.jpg', to: 'docs/j-2.jpg' },
    ];
    const inline = await copy(rig.gateway, { smh: { libraryId: 'other-library', items: items.slice(0, 1) } });
    expect(inline.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    for (const execution of ['AUTO', 'BACKGROUND']) {
      const job = await copy(rig.gateway, { smh: { libraryId: 'other-library', items, execution } });
      expect(job.body.data).toEqual({ batchCopy: null });
      expect(job.body.errors?.map((e) => [e.path, e.extensions?.code, e.message])).toEqual([
        [['batchCopy'], 'UNAUTHENTICATED', inline.body.errors?.[0]?.message],
      ]);
    }
    // The configured library still runs as a job.
    const ok = await copy(rig.gateway, { smh: { libraryId: DEMO_LIBRARY_ID, items } });
    expect(ok.body.data?.batchCopy?.__typename).toBe('CopyAccepted');
    expect(smhCounts(rig.smh)).toMatchObject({ tokenRequests: 1 });
  });
});

describe("a caller's header token", () => {
  it('wins over the managed SMH credential', async () => {
    const rig = await startRig();
    // A token only the caller has, without the copy grant the managed (admin) token has.
    const readOnly = rig.smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['preview'] });
    const refused = await copy(rig.gateway, smhInput('docs/hdr-1.jpg'), { 'x-smh-access-token': readOnly });
    expect(refused.body.data?.batchCopy?.__typename).toBe('CopyRejected');
    expect(refused.body.data?.batchCopy?.error).toMatchObject({
      code: 'PERMISSION_DENIED',
      retryable: false,
      upstream: { code: 'NoPermission' },
    });
    expect(smhCounts(rig.smh)).toMatchObject({ tokenRequests: 0, batchCalls: 1 });

    // A caller token that works is used as is: still no managed token request.
    const admin = rig.smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'] });
    const ok = await copy(rig.gateway, smhInput('docs/hdr-2.jpg'), { 'x-smh-access-token': admin });
    expect(ok.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    expect(smhCounts(rig.smh)).toMatchObject({ tokenRequests: 0, batchCalls: 2, executedItems: 1 });
  });

  it('wins over the managed DingTalk credential', async () => {
    const rig = await startRig();
    const callerToken = rig.ding.issueToken(DINGTALK_SEED.appKey);
    await copySucceedsWith(rig.gateway, dingInput(), { 'x-acs-dingtalk-access-token': callerToken });
    expect(rig.ding.stats.lastRequests.batchCopy?.headers['x-acs-dingtalk-access-token']).toBe(callerToken);
    expect(dingCounts(rig.ding)).toMatchObject({ tokenRequests: 0, batchCalls: 1 });
  });

  it.each([
    ['SMH', 'x-smh-access-token', smhInput('docs/hdr-3.jpg')],
    ['DingTalk', 'x-acs-dingtalk-access-token', dingInput()],
  ])('that %s rejects is final: no retry with the managed credential', async (name, header, input) => {
    const rig = await startRig();
    const { body } = await copy(rig.gateway, input, { [header]: 'not-a-valid-token-0000' });
    expect(body.data).toEqual({ batchCopy: null });
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const counts = name === 'SMH' ? smhCounts(rig.smh) : dingCounts(rig.ding);
    expect(counts).toMatchObject({ tokenRequests: 0, batchCalls: 1, executedItems: 0 });
  });
});

async function copySucceedsWith(
  gateway: TestGateway,
  input: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<void> {
  const { body } = await copy(gateway, input, headers);
  expect(body.errors).toBeUndefined();
  expect(body.data?.batchCopy?.__typename).toBe('CopySucceeded');
}

describe('callers with GATEWAY_API_KEYS', () => {
  const ALICE_KEY = 'alice-key-7d2f0c5e9b1a4c3d';
  const PLAIN_KEY = 'plain-key-1e6b8a0f2c9d7e5a';

  async function keyedRig() {
    return startRig({ GATEWAY_API_KEYS: `alice:${ALICE_KEY},${PLAIN_KEY}`, ALLOW_ANONYMOUS: '0' });
  }

  const nothingUpstream = (rig: Rig) => {
    expect(rig.smh.stats.requestsTotal).toBe(0);
    expect(rig.ding.stats.requestsByRoute).toEqual({});
  };

  it.each([
    ['no Authorization header', undefined],
    ['a wrong key', `Bearer wrong-key-0000000000000000`],
    ['a prefix of a key', `Bearer ${ALICE_KEY.slice(0, -1)}`],
    ['a key with a suffix', `Bearer ${ALICE_KEY}x`],
    ['the name:key entry as the key', `Bearer alice:${ALICE_KEY}`],
    ['another scheme', `Basic ${ALICE_KEY}`],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s with 401 UNAUTHENTICATED before any upstream call', async (_label, authorization) => {
    const rig = await keyedRig();
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    for (const input of [smhInput('docs/k-1.jpg'), dingInput()]) {
      const { status, body, text } = await copy(rig.gateway, input, headers);
      expect(status).toBe(401);
      expect(body).toEqual({
        errors: [
          {
            message: 'Missing or unknown API key: send Authorization: Bearer <key>.',
            extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) },
          },
        ],
      });
      expect(text).not.toContain(ALICE_KEY.slice(0, 12));
    }
    nothingUpstream(rig);
  });

  it('refuses GET operations and percent-encoded paths to /graphql too', async () => {
    const rig = await keyedRig();
    const query = encodeURIComponent('{ copyTask(id: "ct1_x") { id } }');
    for (const path of [`/graphql?query=${query}`, `/%67raphql?query=${query}`]) {
      const response = await request(`${rig.gateway.url}${path}`, {
        headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
      });
      expect(response.statusCode, path).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(
        ((await response.body.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions,
      ).toEqual({
        code: 'UNAUTHENTICATED',
        requestId: expect.any(String),
      });
    }
    // The router decodes `/%67raphql` to /graphql: a mutation there must not spend the managed secret.
    const response = await request(`${rig.gateway.url}/%67raphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: COPY, variables: { input: smhInput('docs/k-2.jpg') } }),
    });
    expect(response.statusCode).toBe(401);
    await response.body.dump();
    nothingUpstream(rig);
  });

  it('accepts the right key in both forms and logs the caller name, never the key', async () => {
    const rig = await keyedRig();
    for (const [key, input] of [
      [ALICE_KEY, smhInput('docs/k-alice.jpg')],
      [PLAIN_KEY, dingInput()],
    ] as const) {
      const { status, body } = await copy(rig.gateway, input, { authorization: `Bearer ${key}` });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    }
    // The scheme is case-insensitive.
    const lower = await copy(rig.gateway, smhInput('docs/k-lower.jpg'), {
      authorization: `bearer ${ALICE_KEY}`,
    });
    expect(lower.status).toBe(200);

    const entries = rig.gateway.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = entries.filter((e) => e.msg === 'request completed');
    expect(completed.map((e) => e.caller)).toEqual(['alice', 'key-2', 'alice']);
    for (const key of [ALICE_KEY, PLAIN_KEY]) {
      expect(rig.gateway.logs.filter((line) => line.includes(key))).toEqual([]);
    }
  });

  it('still serves health probes and the GraphiQL page without a key', async () => {
    const rig = await keyedRig();
    const health = await request(`${rig.gateway.url}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const page = await request(`${rig.gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    await page.body.dump();
    nothingUpstream(rig);
  });
});

describe('secrets', () => {
  it('never appear in a log line or a response body, through a whole managed-mode flow', async () => {
    const LIBRARY_ID = 'vaultlib';
    const LIBRARY_SECRET = 'SMHLIBSECRET9f3a7c1e5b';
    const APP_KEY = 'vaultapp';
    const APP_SECRET = 'DINGAPPSECRET4d8e2b6a0c';
    const API_KEY = 'GWAPIKEY7e1c9a3f5d0b8642';

    const smhClock = new ManualClock();
    const dingClock = new ManualClock();
    const smh = await startSmhEmulator({ clock: smhClock, asyncThreshold: 2, taskDurationMs: TASK_MS });
    cleanups.push(() => smh.close());
    smh.state.createLibrary(LIBRARY_ID, LIBRARY_SECRET);
    smh.state.createSpace(LIBRARY_ID, '-');
    smh.state.mkdir(LIBRARY_ID, '-', 'dst');
    for (const name of ['a', 'b', 'c']) smh.state.putFile(LIBRARY_ID, '-', `src/${name}.txt`, { size: 10 });
    const ding = await startDingTalkEmulator({ seed: true, clock: dingClock, taskDurationMs: TASK_MS });
    cleanups.push(() => ding.close());
    ding.state.addApp(APP_KEY, APP_SECRET);
    // Proxies see what really crosses the wire, tokens included.
    const smhWire = await startRecordingProxy(smh.url);
    cleanups.push(() => smhWire.close());
    const dingWire = await startRecordingProxy(ding.url);
    cleanups.push(() => dingWire.close());

    const gateway = await startGateway({
      LOG_LEVEL: 'trace',
      ALLOW_ANONYMOUS: '0',
      GATEWAY_API_KEYS: `ops:${API_KEY}`,
      SMH_BASE_URL: smhWire.url,
      SMH_LIBRARY_ID: LIBRARY_ID,
      SMH_LIBRARY_SECRET: LIBRARY_SECRET,
      DINGTALK_BASE_URL: dingWire.url,
      DINGTALK_APP_KEY: APP_KEY,
      DINGTALK_APP_SECRET: APP_SECRET,
    });
    cleanups.push(() => gateway.close());

    const bodies: string[] = [];
    const auth = { authorization: `Bearer ${API_KEY}` };
    const run = async <T>(query: string, variables: Record<string, unknown>, headers = auth) => {
      const answer = await gateway.graphql<T>(query, variables, headers);
      bodies.push(answer.text);
      return answer;
    };
    const typename = async (input: Record<string, unknown>) =>
      (await run<CopyData>(COPY, { input })).body.data?.batchCopy?.__typename;
    const smhCopy = (items: [string, string][]) => ({
      smh: { libraryId: LIBRARY_ID, items: items.map(([from, to]) => ({ from, to })) },
    });

    // SMH: sync, then async followed with copyTask.
    expect(await typename(smhCopy([['src/a.txt', 'dst/a.txt']]))).toBe('CopySucceeded');
    const accepted = await run<CopyData>(COPY, {
      input: smhCopy([
        ['src/a.txt', 'dst/a2.txt'],
        ['src/b.txt', 'dst/b.txt'],
        ['src/c.txt', 'dst/c.txt'],
      ]),
    });
    expect(accepted.body.data?.batchCopy?.__typename).toBe('CopyAccepted');
    smhClock.advance(TASK_MS);
    const smhTask = await run<TaskData>(TASK, { id: accepted.body.data?.batchCopy?.task?.id });
    expect(smhTask.body.data?.copyTask).toMatchObject({ done: true, summary: { total: 3, succeeded: 3 } });

    // DingTalk: sync, then async (a non-empty folder) followed with copyTask.
    const dingCopy = (dentryIds: string[]) => {
      const input = dingInput(dentryIds);
      return { dingtalk: { ...input.dingtalk } };
    };
    expect(await typename(dingCopy(['d-file-1']))).toBe('CopySucceeded');
    const dingAccepted = await run<CopyData>(COPY, { input: dingCopy([DINGTALK_SEED.folderId]) });
    expect(dingAccepted.body.data?.batchCopy?.__typename).toBe('CopyAccepted');
    dingClock.advance(TASK_MS);
    const dingTask = await run<TaskData>(TASK, { id: dingAccepted.body.data?.batchCopy?.task?.id });
    expect(dingTask.body.data?.copyTask?.done).toBe(true);

    // Rejected tokens, refreshed: SMH's expires on the emulator clock, DingTalk's is revoked.
    smhClock.advance(SMH_LIFETIME_MS + 1000);
    expect(await typename(smhCopy([['src/b.txt', 'dst/b2.txt']]))).toBe('CopySucceeded');
    const dingToken = ding.stats.lastRequests.batchCopy?.headers['x-acs-dingtalk-access-token'];
    ding.state.tokens.revoke(dingToken ?? '');
    expect(await typename(dingCopy(['d-file-3']))).toBe('CopySucceeded');

    // Failing calls: every token refused; a revoked token whose refresh meets a dead token endpoint; a
    // wrong API key.
    smh.faults.add({
      kind: 'status',
      status: 403,
      code: 'InvalidAccessToken',
      pathIncludes: '/api/v1/batch/',
    });
    const refused = await run<CopyData>(COPY, { input: smhCopy([['src/c.txt', 'dst/c2.txt']]) });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    ding.state.tokens.revoke(ding.stats.lastRequests.batchCopy?.headers['x-acs-dingtalk-access-token'] ?? '');
    ding.faults.add({ kind: 'status', status: 500, code: 'systemError', pathIncludes: '/oauth2/' });
    const unavailable = await run<CopyData>(COPY, { input: dingCopy(['d-file-2']) });
    expect(unavailable.body.data?.batchCopy).toMatchObject({
      __typename: 'CopyRejected',
      error: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    const wrongKey = await run<CopyData>(
      COPY,
      { input: dingCopy(['d-file-2']) },
      {
        authorization: `Bearer ${API_KEY.slice(0, -2)}xx`,
      },
    );
    expect(wrongKey.status).toBe(401);

    // What crossed the wire: the secrets were really used, and several tokens were issued.
    const tokensFrom = (exchanges: typeof smhWire.exchanges, path: string) =>
      exchanges
        .filter((e) => e.url.includes(path) && e.status === 200)
        .map((e) => (JSON.parse(e.responseBody) as { accessToken: string }).accessToken);
    const smhTokens = tokensFrom(smhWire.exchanges, '/api/v1/token');
    const dingTokens = tokensFrom(dingWire.exchanges, '/v1.0/oauth2/accessToken');
    expect(new Set(smhTokens).size).toBeGreaterThanOrEqual(3);
    expect(new Set(dingTokens).size).toBeGreaterThanOrEqual(2);
    expect(smhWire.exchanges.some((e) => e.url.includes(`library_secret=${LIBRARY_SECRET}`))).toBe(true);
    expect(dingWire.exchanges.some((e) => e.requestBody.includes(APP_SECRET))).toBe(true);

    // The logs hold the upstream calls (with the token parameter censored) and the caller's name.
    expect(gateway.logs.some((line) => line.includes('"msg":"upstream call"'))).toBe(true);
    expect(gateway.logs.some((line) => line.includes('access_token=[REDACTED]'))).toBe(true);
    expect(gateway.logs.some((line) => line.includes('"caller":"ops"'))).toBe(true);

    const secrets = [LIBRARY_SECRET, APP_SECRET, API_KEY, ...smhTokens, ...dingTokens];
    for (const secret of secrets) {
      expect(
        gateway.logs.filter((line) => line.includes(secret)),
        secret,
      ).toEqual([]);
      expect(
        bodies.filter((body) => body.includes(secret)),
        secret,
      ).toEqual([]);
    }
  });
});
