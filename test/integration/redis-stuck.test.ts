import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LIBRARY_ID,
  DEMO_LIBRARY_SECRET,
  startSmhEmulator,
  type SmhEmulator,
} from '../../src/emulators/smh/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRedis, type OwnRedis } from '../helpers/redis-server.js';

/**
 * A Redis of the test's own (never the shared one) is frozen with SIGSTOP: keyed requests must fail
 * closed, with nothing sent upstream, within the operation's deadline.
 */
const OPERATION_TIMEOUT_MS = 3000;
const REDIS_COMMAND_TIMEOUT_MS = 500;

const COPY = `mutation($key: String, $items: [SmhCopyItemInput!]!) {
  batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", idempotencyKey: $key, items: $items } }) {
    __typename ... on CopyOutcome { items { status error { code message retryable } } } } }`;

interface Answer {
  batchCopy?: {
    __typename: string;
    items: { status: string; error: { code: string; message: string; retryable: boolean } | null }[];
  };
}

const item = () => ({ from: 'foo/1.jpg', to: `foo/frozen-${randomUUID()}.jpg` });

describe('a frozen Redis (SIGSTOP)', () => {
  let redis: OwnRedis;
  let smh: SmhEmulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    [redis, smh] = await Promise.all([startRedis(), startSmhEmulator({ seed: true })]);
    gateway = await startGateway({
      SMH_BASE_URL: smh.url,
      SMH_LIBRARY_ID: DEMO_LIBRARY_ID,
      SMH_LIBRARY_SECRET: DEMO_LIBRARY_SECRET,
      SMH_CHUNK_SIZE: '1',
      SMH_CONCURRENCY: '1',
      REDIS_URL: redis.url,
      OPERATION_TIMEOUT_MS: String(OPERATION_TIMEOUT_MS),
      REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS),
      IDEMPOTENCY_LEASE_MS: '1000',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await smh.close();
    await redis.stop();
  });

  it('fails keyed requests closed within the deadline, sends nothing, and recovers when it thaws', async () => {
    const warm = { key: `warm-${randomUUID()}`, items: [item()] };
    expect((await gateway.graphql<Answer>(COPY, warm)).body.data?.batchCopy?.__typename).toBe(
      'CopySucceeded',
    );
    smh.stats.reset();

    redis.child.kill('SIGSTOP');
    const frozen = { key: `frozen-${randomUUID()}`, items: [item()] };
    const began = Date.now();
    const refused = await gateway.graphql<Answer>(COPY, frozen);
    const refusedMs = Date.now() - began;
    // A refusal of a well-formed request is CopyRejected data: every item FAILED, retryable, not sent.
    expect(refused.body.errors).toBeUndefined();
    expect(refused.body.data?.batchCopy?.__typename).toBe('CopyRejected');
    expect(refused.body.data?.batchCopy?.items).toEqual([
      {
        status: 'FAILED',
        error: {
          code: 'UPSTREAM_UNAVAILABLE',
          message: expect.stringMatching(/idempotency store is unavailable; the request was not sent/),
          retryable: true,
        },
      },
    ]);
    expect(refusedMs).toBeLessThan(OPERATION_TIMEOUT_MS);
    // A replay of a finished key cannot be answered either: it is refused, never run again.
    const replay = await gateway.graphql<Answer>(COPY, warm);
    expect(replay.body.data?.batchCopy?.__typename).toBe('CopyRejected');
    expect(replay.body.data?.batchCopy?.items[0]?.error?.code).toBe('UPSTREAM_UNAVAILABLE');
    // Requests without a key do not need Redis.
    const unkeyed = await gateway.graphql<Answer>(COPY, { items: [item()] });
    expect(unkeyed.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    expect(smh.stats.batches).toHaveLength(1);

    redis.child.kill('SIGCONT');
    // The frozen claim may have landed when Redis woke; its owner never ran, so a retry takes it over.
    const thawed = await gateway.graphql<Answer>(COPY, frozen);
    expect(thawed.body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    expect(smh.stats.batches).toHaveLength(2);
    console.warn(
      `frozen Redis: keyed request refused after ${refusedMs} ms (deadline ${OPERATION_TIMEOUT_MS} ms)`,
    );
  });

  it('freezing mid-run: what went out is kept, nothing more is sent, the answer comes within the deadline', async () => {
    smh.stats.reset();
    smh.faults.add({ kind: 'latency', ms: 300, pathIncludes: '/api/v1/batch/' });
    const request = { key: `mid-${randomUUID()}`, items: Array.from({ length: 6 }, item) };
    const began = Date.now();
    const pending = gateway.graphql<Answer>(COPY, request);
    while (smh.stats.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    redis.child.kill('SIGSTOP');
    const answer = await pending;
    const elapsedMs = Date.now() - began;
    redis.child.kill('SIGCONT');
    smh.faults.clear();

    const items = answer.body.data?.batchCopy?.items ?? [];
    const sent = smh.stats.batches.length;
    expect(answer.body.data?.batchCopy?.__typename).toBe('CopyPartiallyFailed');
    // Chunks go one at a time: those sent before the freeze are known, every later one was not sent.
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThan(6);
    expect(items.slice(0, sent).map((i) => i.status)).toEqual(Array(sent).fill('SUCCEEDED'));
    for (const refused of items.slice(sent)) {
      expect(refused).toMatchObject({
        status: 'FAILED',
        error: { code: 'UPSTREAM_UNAVAILABLE', retryable: true },
      });
      expect(refused.error?.message).toMatch(/not sent/);
    }
    expect(elapsedMs).toBeLessThan(OPERATION_TIMEOUT_MS);
    console.warn(
      `frozen Redis mid-run: answered after ${elapsedMs} ms, ${smh.stats.batches.length} of 6 chunks sent`,
    );
  });
});
