/**
 * Several batchCopy fields in one document: whatever one of them answers, the results of the copies the
 * others ran reach the caller. A refusal of a well-formed request is CopyRejected data; an error (bad
 * input, UNSUPPORTED, UNAUTHENTICATED) nulls only its own field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DINGTALK_SEED as SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { ManualClock, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';

const OUTCOME = `__typename ... on CopyOutcome { items { status source error { code } } }
  ... on CopyRejected { error { code retryable } }`;

interface Outcome {
  __typename: string;
  items: { status: string; source: string; error: { code: string } | null }[];
  error?: { code: string; retryable: boolean };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function rig(env: Record<string, string> = {}) {
  const smh: SmhEmulator = await startSmhEmulator({ seed: true, clock: new ManualClock() });
  const dingtalk: DingTalkEmulator = await startDingTalkEmulator({ seed: true });
  const gw: TestGateway = await startGateway({ ...managedDemoEnv(smh.url, dingtalk.url), ...env });
  cleanup.push(async () => {
    await gw.close();
    await Promise.all([smh.close(), dingtalk.close()]);
  });
  return { smh, dingtalk, gw };
}

const smhCopy = (alias: string, to: string, extra = '') =>
  `${alias}: batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: "${to}" }] ${extra} } }) { ${OUTCOME} }`;

describe('one document, several copies', () => {
  it('a: a valid SMH copy, b: SMH with KEEP_EXISTING → a answers (the copy ran), only b is null', async () => {
    const { smh, gw } = await rig();
    const { status, body } = await gw.graphql<{ a: Outcome | null; b: Outcome | null }>(
      `mutation { ${smhCopy('a', 'docs/alias-a.jpg')} ${smhCopy('b', 'docs/alias-b.jpg', 'conflictStrategy: KEEP_EXISTING')} }`,
    );
    expect(status).toBe(200);
    expect(body.data?.a).toEqual({
      __typename: 'CopySucceeded',
      items: [{ status: 'SUCCEEDED', source: 'foo/1.jpg', error: null }],
    });
    expect(body.data?.b).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({ path: ['b'], extensions: { code: 'UNSUPPORTED' } });
    expect(smh.stats.executedItems).toBe(1);
  });

  it('b reuses a key a used for another request → b is CopyRejected IDEMPOTENCY_CONFLICT, a answers', async () => {
    const { smh, gw } = await rig();
    const { body } = await gw.graphql<{ a: Outcome; b: Outcome }>(
      `mutation { ${smhCopy('a', 'docs/key-a.jpg', 'idempotencyKey: "alias-key"')}
        ${smhCopy('b', 'docs/key-b.jpg', 'idempotencyKey: "alias-key"')} }`,
    );
    expect(body.errors).toBeUndefined();
    const answers = [body.data?.a, body.data?.b];
    // Root mutation fields run one after the other: a first.
    expect(answers.map((o) => o?.__typename)).toEqual(['CopySucceeded', 'CopyRejected']);
    expect(body.data?.b).toMatchObject({
      error: { code: 'IDEMPOTENCY_CONFLICT', retryable: false },
      items: [{ status: 'FAILED', source: 'foo/1.jpg', error: { code: 'IDEMPOTENCY_CONFLICT' } }],
    });
    expect(smh.stats.executedItems).toBe(1);
  });

  it('the upstream-call cap runs out in b → b is CopyRejected INVALID_ARGUMENT, a answers', async () => {
    const { dingtalk, gw } = await rig({ MAX_UPSTREAM_CALLS_PER_REQUEST: '2' });
    const dt = (alias: string, ids: string[]) =>
      `${alias}: batchCopy(input: { dingtalk: { spaceId: "${SEED.sourceSpaceId}", unionId: "${SEED.unionId}",
        targetSpaceId: "${SEED.targetSpaceId}", targetFolderId: "0", conflictStrategy: RENAME,
        dentryIds: ${JSON.stringify(ids)} } }) { ${OUTCOME} }`;
    const { body } = await gw.graphql<{ a: Outcome; b: Outcome }>(
      `mutation { ${dt('a', ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4'])} ${dt('b', ['d-file-5'])} }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.a.__typename).toBe('CopySucceeded');
    expect(body.data?.b).toMatchObject({
      __typename: 'CopyRejected',
      error: { code: 'INVALID_ARGUMENT', retryable: false },
    });
    expect(dingtalk.stats.executedCopies).toBe(4);
  });

  it('bad input in a DingTalk alias nulls only that alias; the SMH copy next to it answers', async () => {
    const { smh, gw } = await rig();
    const { body } = await gw.graphql<{ a: Outcome | null; b: Outcome | null }>(
      `mutation { ${smhCopy('a', 'docs/mixed-a.jpg')}
        b: batchCopy(input: { dingtalk: { spaceId: "..", unionId: "${SEED.unionId}", targetSpaceId: "${SEED.targetSpaceId}",
          targetFolderId: "0", dentryIds: ["d-file-1"] } }) { ${OUTCOME} } }`,
    );
    expect(body.data?.a?.__typename).toBe('CopySucceeded');
    expect(body.data?.b).toBeNull();
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['b'], 'BAD_USER_INPUT']]);
    expect(smh.stats.executedItems).toBe(1);
  });
});
