import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { DEMO_LIBRARY_ID, DEMO_LIBRARY_SECRET } from '../../src/emulators/smh/seed.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const COPY = `mutation($key: String) { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", idempotencyKey: $key,
  items: [{ from: "foo/1.jpg", to: "foo/mid-0.jpg" }, { from: "foo/2.jpg", to: "foo/mid-1.jpg" }] } }) {
  __typename ... on CopyOutcome { items { status error { code retryable } } } } }`;

interface Answer {
  batchCopy: {
    __typename: string;
    items: { status: string; error: { code: string; retryable: boolean } | null }[];
  };
}

describe('a credential lost in the middle of a chunked batch', () => {
  let smh: SmhEmulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true });
    gateway = await startGateway({
      SMH_BASE_URL: smh.url,
      SMH_LIBRARY_ID: DEMO_LIBRARY_ID,
      SMH_LIBRARY_SECRET: DEMO_LIBRARY_SECRET,
      SMH_CHUNK_SIZE: '1',
      SMH_CONCURRENCY: '1',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await smh.close();
  });

  it('keeps the copies already made in the answer, and a replay never runs them again', async () => {
    // The first chunk is slow; while it runs, the token starts being refused and the token endpoint fails.
    smh.faults.add({ kind: 'latency', ms: 400, pathIncludes: '/api/v1/batch/', times: 1 });
    const pending = gateway.graphql<Answer>(COPY, { key: 'mid-batch-1' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    smh.faults.add({
      kind: 'status',
      status: 403,
      code: 'InvalidAccessToken',
      pathIncludes: '/api/v1/batch/',
      times: 1,
    });
    smh.faults.add({
      kind: 'status',
      status: 500,
      code: 'InternalServerError',
      pathIncludes: '/api/v1/token',
      times: 5,
    });

    const { body } = await pending;
    expect(body.errors).toBeUndefined();
    expect(body.data?.batchCopy.__typename).toBe('CopyPartiallyFailed');
    expect(body.data?.batchCopy.items.map((i) => i.status)).toEqual(['SUCCEEDED', 'FAILED']);
    expect(body.data?.batchCopy.items[1]?.error).toEqual({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(smh.stats.executedItems).toBe(1);

    const replay = await gateway.graphql<Answer>(COPY, { key: 'mid-batch-1' });
    expect(replay.body).toEqual(body);
    expect(smh.stats.executedItems).toBe(1);
  });
});
