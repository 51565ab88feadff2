import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LIBRARY_ID } from '../../src/emulators/smh/index.js';
import { startSmhRig, until, type SmhRig } from '../helpers/smh-rig.js';

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
  let rig: SmhRig;

  beforeAll(async () => {
    rig = await startSmhRig({ managed: true, env: { SMH_CHUNK_SIZE: '1', SMH_CONCURRENCY: '1' } });
  });
  afterAll(() => rig.close());

  it('keeps the copies already made in the answer, and a replay never runs them again', async () => {
    // The first chunk is slow; while it runs, the token starts being refused and the token endpoint fails.
    rig.emu.faults.add({ kind: 'latency', ms: 400, pathIncludes: '/api/v1/batch/', times: 1 });
    const pending = rig.gw.graphql<Answer>(COPY, { key: 'mid-batch-1' });
    // Once the first chunk reached the emulator (and took its latency fault), later calls meet the new faults.
    await until(() => rig.batchRequests() === 1);
    rig.emu.faults.add({
      kind: 'status',
      status: 403,
      code: 'InvalidAccessToken',
      pathIncludes: '/api/v1/batch/',
      times: 1,
    });
    rig.emu.faults.add({
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
    expect(rig.emu.stats.executedItems).toBe(1);

    const replay = await rig.gw.graphql<Answer>(COPY, { key: 'mid-batch-1' });
    expect(replay.body).toEqual(body);
    expect(rig.emu.stats.executedItems).toBe(1);
  });
});
