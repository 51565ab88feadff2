import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  ManualClock,
  startSmhEmulator,
  type SmhEmulator,
  DEMO_LIBRARY_ID,
  DEMO_LIBRARY_SECRET,
} from '../../src/emulators/smh/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const MUTATION = `mutation($key: String, $to: NonEmptyString!, $from: NonEmptyString!) {
  batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", idempotencyKey: $key, items: [{ from: $from, to: $to }] } }) {
    __typename ... on CopyOutcome { items { status result } } ... on CopyAccepted { task { id checkedAt } }
    ... on CopyRejected { error { code retryable } }
  } }`;

interface Answer {
  batchCopy?: {
    __typename: string;
    items: { status: string; result: string | null }[];
    task?: { id: string };
    error?: { code: string; retryable: boolean };
  };
}

function managedEnv(smh: SmhEmulator, extra: Record<string, string> = {}) {
  return {
    SMH_BASE_URL: smh.url,
    SMH_LIBRARY_ID: DEMO_LIBRARY_ID,
    SMH_LIBRARY_SECRET: DEMO_LIBRARY_SECRET,
    // Replays of UNKNOWN answers are the point here: the items are not looked at.
    UNKNOWN_RESOLUTION: 'off',
    ...extra,
  };
}

describe.each([
  ['in memory', false],
  ['in Redis', true],
])('idempotency keys (%s)', (_name, useRedis) => {
  let smh: SmhEmulator;
  let gateway: TestGateway;
  const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true, clock: new ManualClock() });
    gateway = await startGateway(managedEnv(smh, useRedis ? { REDIS_URL } : {}));
  });
  afterAll(async () => {
    await gateway.close();
    await smh.close();
  });
  beforeEach(() => smh.stats.reset());

  it('runs a request once and replays its answer for the same key', async () => {
    const variables = { key: `k1-${run}`, from: 'foo/1.jpg', to: `foo/idem-${run}-1.jpg` };
    const first = await gateway.graphql<Answer>(MUTATION, variables);
    const second = await gateway.graphql<Answer>(MUTATION, variables);
    expect(first.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    expect(second.body).toEqual(first.body);
    expect(smh.stats.executedItems).toBe(1);
    expect(smh.stats.batches).toHaveLength(1);
  });

  it('refuses the same key for a different request, and sends nothing', async () => {
    const key = `k2-${run}`;
    await gateway.graphql<Answer>(MUTATION, { key, from: 'foo/1.jpg', to: `foo/idem-${run}-2.jpg` });
    const other = await gateway.graphql<Answer>(MUTATION, {
      key,
      from: 'foo/2.jpg',
      to: `foo/idem-${run}-2b.jpg`,
    });
    // A refusal of a well-formed request is data: CopyRejected, not a GraphQL error.
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data?.batchCopy).toMatchObject({
      __typename: 'CopyRejected',
      error: { code: 'IDEMPOTENCY_CONFLICT', retryable: false },
    });
    expect(smh.stats.batches).toHaveLength(1);
  });

  it('lets concurrent duplicates through exactly once', async () => {
    const variables = { key: `k3-${run}`, from: 'foo/1.jpg', to: `foo/idem-${run}-3.jpg` };
    smh.faults.add({ kind: 'latency', ms: 300, pathIncludes: '/api/v1/batch/', times: 1 });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => gateway.graphql<Answer>(MUTATION, variables)),
    );
    for (const answer of answers) expect(answer.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    expect(smh.stats.executedItems).toBe(1);
  });

  it('releases the key when the request was refused before anything ran', async () => {
    const key = `k4-${run}`;
    const bad = await gateway.graphql<Answer>(MUTATION, {
      key,
      from: '//abs.jpg',
      to: `foo/idem-${run}-4.jpg`,
    });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const good = await gateway.graphql<Answer>(MUTATION, {
      key,
      from: 'foo/1.jpg',
      to: `foo/idem-${run}-4.jpg`,
    });
    expect(good.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
  });

  it('releases the key when the upstream rejected the whole request (nothing ran)', async () => {
    const variables = { key: `k6-${run}`, from: 'foo/1.jpg', to: `foo/idem-${run}-6.jpg` };
    smh.faults.add({
      kind: 'status',
      status: 429,
      code: 'RateLimitExceeded',
      times: 4,
      pathIncludes: '/api/v1/batch/',
    });
    const throttled = await gateway.graphql<Answer>(MUTATION, variables);
    expect(throttled.body.data?.batchCopy?.__typename).toBe('CopyRejected');
    const later = await gateway.graphql<Answer>(MUTATION, variables);
    expect(later.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    expect(smh.stats.executedItems).toBe(1);
  });

  it('keeps replaying an outcome that may have run (UNKNOWN), never re-sending it', async () => {
    const variables = { key: `k5-${run}`, from: 'foo/1.jpg', to: `foo/idem-${run}-5.jpg` };
    smh.faults.add({
      kind: 'status',
      status: 500,
      code: 'InternalServerError',
      after: true,
      times: 1,
      pathIncludes: '/api/v1/batch/',
    });
    const first = await gateway.graphql<Answer>(MUTATION, variables);
    expect(first.body.data?.batchCopy?.items[0]?.status).toBe('UNKNOWN');
    const again = await gateway.graphql<Answer>(MUTATION, variables);
    expect(again.body).toEqual(first.body);
    expect(smh.stats.batches).toHaveLength(1);
  });
});

describe('idempotency keys without API keys (pass-through)', () => {
  let smh: SmhEmulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true, clock: new ManualClock() });
    gateway = await startGateway({ SMH_BASE_URL: smh.url });
  });
  afterAll(async () => {
    await gateway.close();
    await smh.close();
  });

  it("scopes a key to the caller's upstream token: another caller never gets its answer", async () => {
    const alice = smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'], userId: 'alice' });
    const mallory = smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['preview'], userId: 'mallory' });
    const variables = { key: 'shared-key', from: 'foo/1.jpg', to: 'foo/alice-only.jpg' };
    const first = await gateway.graphql<Answer>(MUTATION, variables, { 'x-smh-access-token': alice });
    expect(first.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    const other = await gateway.graphql<Answer>(MUTATION, variables, { 'x-smh-access-token': mallory });
    // Mallory's request ran on its own (and her token may not copy): not Alice's stored success.
    expect(other.body.data?.batchCopy?.__typename).toBe('CopyRejected');
    const again = await gateway.graphql<Answer>(MUTATION, variables, { 'x-smh-access-token': alice });
    expect(again.body).toEqual(first.body);
    expect(smh.stats.executedItems).toBe(1);
  });
});

describe('idempotency across gateway instances sharing Redis', () => {
  let smh: SmhEmulator;
  let a: TestGateway;
  let b: TestGateway;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    expect(await redis.ping()).toBe('PONG');
    smh = await startSmhEmulator({ seed: true, clock: new ManualClock(), asyncThreshold: 'always' });
    [a, b] = await Promise.all([
      startGateway(managedEnv(smh, { REDIS_URL })),
      startGateway(managedEnv(smh, { REDIS_URL })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await smh.close();
    await redis.quit();
  });

  it('answers a retry sent to another instance from the first run', async () => {
    const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const variables = { key: `shared-${run}`, from: 'foo/1.jpg', to: `foo/shared-${run}.jpg` };
    const first = await a.graphql<Answer>(MUTATION, variables);
    const retry = await b.graphql<Answer>(MUTATION, variables);
    expect(first.body.data?.batchCopy?.__typename).toBe('CopyAccepted');
    expect(retry.body).toEqual(first.body);
    expect(smh.stats.batches).toHaveLength(1);
    // The record lives in Redis, under a hashed key (the caller's key is not stored in clear).
    const keys = await redis.keys('copy-gateway:idem:*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => k.includes(run))).toBe(false);
  });
});
