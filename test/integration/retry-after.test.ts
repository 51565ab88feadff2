/**
 * Retry-After is honoured in full: the gateway never re-sends before it, and when the wait would
 * outlast the operation's deadline it answers THROTTLED at once, handing the wait on as
 * `retryAfterSeconds`. Real HTTP to the emulators.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DINGTALK_SEED as SEED, startDingTalkEmulator } from '../../src/emulators/dingtalk/index.js';
import { startGateway } from '../helpers/gateway.js';
import { LIB, startSmhRig } from '../helpers/smh-rig.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

const ERROR = 'error { code retryable retryAfterSeconds upstream { httpStatus code } }';
const SMH_COPY = `mutation($items: [SmhCopyItemInput!]!) {
  batchCopy(input: { smh: { libraryId: "${LIB}", items: $items } }) {
    __typename ... on CopyRejected { ${ERROR} } ... on CopyOutcome { items { status ${ERROR} } } } }`;
const DINGTALK_COPY = `mutation($ids: [NonEmptyString!]!) {
  batchCopy(input: { dingtalk: { spaceId: "${SEED.sourceSpaceId}", unionId: "${SEED.unionId}",
    targetSpaceId: "${SEED.targetSpaceId}", targetFolderId: "0", dentryIds: $ids } }) {
    __typename ... on CopyRejected { ${ERROR} } ... on CopyOutcome { items { status ${ERROR} } } } }`;

interface ErrorOut {
  code: string;
  retryable: boolean;
  retryAfterSeconds: number | null;
  upstream: { httpStatus: number | null; code: string | null } | null;
}
interface Answer {
  batchCopy: { __typename: string; error?: ErrorOut; items: { status: string; error: ErrorOut | null }[] };
}

describe('Retry-After longer than the time left', () => {
  it('SMH 429 Retry-After: 120 on every call → THROTTLED at once with retryAfterSeconds, sent once', async () => {
    const r = await startSmhRig({ env: { OPERATION_TIMEOUT_MS: '30000' } });
    cleanup.push(() => r.close());
    r.emu.faults.add({
      kind: 'status',
      status: 429,
      code: 'RateLimitExceeded',
      headers: { 'retry-after': '120' },
      pathIncludes: '/api/v1/batch/',
    });
    const started = Date.now();
    const { body } = await r.gw.graphql<Answer>(
      SMH_COPY,
      { items: [{ from: 'foo/1.jpg', to: 'docs/ra.jpg' }] },
      r.headers,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    const expected = {
      code: 'THROTTLED',
      retryable: true,
      retryAfterSeconds: 120,
      upstream: { httpStatus: 429, code: 'RateLimitExceeded' },
    };
    expect(body.data?.batchCopy.__typename).toBe('CopyRejected');
    expect(body.data?.batchCopy.error).toEqual(expected);
    expect(body.data?.batchCopy.items).toEqual([{ status: 'FAILED', error: expected }]);
    expect(r.batchRequests()).toBe(1);
    expect(r.emu.stats.executedItems).toBe(0);
  });

  it('DingTalk QPS limit with an HTTP-date Retry-After past the deadline → THROTTLED at once', async () => {
    const emu = await startDingTalkEmulator({ seed: true });
    cleanup.push(() => emu.close());
    const gw = await startGateway({ DINGTALK_BASE_URL: emu.url, OPERATION_TIMEOUT_MS: '30000' });
    cleanup.push(() => gw.close());
    const at = new Date(Date.now() + 300_000).toUTCString();
    emu.faults.add({
      kind: 'status',
      status: 403,
      code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
      headers: { 'retry-after': at },
      pathIncludes: '/batchCopy',
    });
    const started = Date.now();
    const { body } = await gw.graphql<Answer>(
      DINGTALK_COPY,
      { ids: ['d-file-2'] },
      { 'x-acs-dingtalk-access-token': emu.issueToken() },
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(body.data?.batchCopy.__typename).toBe('CopyRejected');
    expect(body.data?.batchCopy.error).toMatchObject({ code: 'THROTTLED', retryable: true });
    // An HTTP date is read against the clock: within a few seconds of five minutes.
    expect(body.data?.batchCopy.error?.retryAfterSeconds).toBeGreaterThanOrEqual(295);
    expect(body.data?.batchCopy.error?.retryAfterSeconds).toBeLessThanOrEqual(300);
    expect(emu.stats.executedCopies).toBe(0);
  });

  it('a Retry-After within the deadline is waited in full before the one re-send', async () => {
    const r = await startSmhRig({ env: { OPERATION_TIMEOUT_MS: '30000' } });
    cleanup.push(() => r.close());
    r.emu.faults.add({
      kind: 'status',
      status: 429,
      code: 'RateLimitExceeded',
      headers: { 'retry-after': '2' },
      pathIncludes: '/api/v1/batch/',
      times: 1,
    });
    const started = Date.now();
    const { body } = await r.gw.graphql<Answer>(
      SMH_COPY,
      { items: [{ from: 'foo/1.jpg', to: 'docs/rb.jpg' }] },
      r.headers,
    );
    expect(body.data?.batchCopy.__typename).toBe('CopySucceeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_950);
    expect(r.batchRequests()).toBe(2);
  });
});
