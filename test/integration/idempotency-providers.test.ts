/**
 * An idempotency key names one request of one caller, whatever the provider: the same key sent for
 * the other provider is a different request and is refused with IDEMPOTENCY_CONFLICT, sending nothing.
 * Both emulators, managed credentials, one caller (in memory and in Redis).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DINGTALK_SEED as SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { ManualClock, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = 'idempotency-providers-key-0123456789';

const SMH = `mutation($key: String) { batchCopy(input: { smh: { libraryId: "smhdemo", idempotencyKey: $key,
  items: [{ from: "foo/1.jpg", to: "docs/idem-providers.jpg", conflictStrategy: RENAME }] } }) {
  __typename ... on CopyRejected { error { code } } } }`;
const DINGTALK = `mutation($key: String) { batchCopy(input: { dingtalk: { spaceId: "${SEED.sourceSpaceId}",
  unionId: "${SEED.unionId}", targetSpaceId: "${SEED.targetSpaceId}", targetFolderId: "0",
  dentryIds: ["d-file-2"], conflictStrategy: RENAME, idempotencyKey: $key } }) {
  __typename ... on CopyRejected { error { code } } } }`;

interface Answer {
  batchCopy: { __typename: string; error?: { code: string } } | null;
}

/** The code a refusal carries, as a GraphQL error or a CopyRejected member. */
function refusal(body: { data?: Answer | null; errors?: { extensions?: Record<string, unknown> }[] }) {
  return body.errors?.[0]?.extensions?.code ?? body.data?.batchCopy?.error?.code;
}

describe.each([
  ['in memory', false],
  ['in Redis', true],
])('one idempotency key across providers (%s)', (_name, useRedis) => {
  let smh: SmhEmulator;
  let dingtalk: DingTalkEmulator;
  let gw: TestGateway;
  const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const auth = { authorization: `Bearer ${API_KEY}` };

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true, clock: new ManualClock() });
    dingtalk = await startDingTalkEmulator({ seed: true });
    gw = await startGateway({
      ...managedDemoEnv(smh.url, dingtalk.url),
      GATEWAY_API_KEYS: `caller:${API_KEY}`,
      ...(useRedis ? { REDIS_URL } : {}),
    });
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all([smh.close(), dingtalk.close()]);
  });

  it('SMH first, then DingTalk with the same key: IDEMPOTENCY_CONFLICT, the DingTalk copy never sent', async () => {
    const key = `smh-first-${run}`;
    const first = await gw.graphql<Answer>(SMH, { key }, auth);
    expect(first.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    const other = await gw.graphql<Answer>(DINGTALK, { key }, auth);
    expect(refusal(other.body)).toBe('IDEMPOTENCY_CONFLICT');
    expect(dingtalk.stats.copyRequests).toHaveLength(0);
    // The first request still replays.
    const replay = await gw.graphql<Answer>(SMH, { key }, auth);
    expect(replay.body).toEqual(first.body);
  });

  it('DingTalk first, then SMH with the same key: IDEMPOTENCY_CONFLICT, the SMH copy never sent', async () => {
    const key = `dingtalk-first-${run}`;
    const before = smh.stats.executedItems;
    const first = await gw.graphql<Answer>(DINGTALK, { key }, auth);
    expect(first.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    const other = await gw.graphql<Answer>(SMH, { key }, auth);
    expect(refusal(other.body)).toBe('IDEMPOTENCY_CONFLICT');
    expect(smh.stats.executedItems).toBe(before);
  });
});
