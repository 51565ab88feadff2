/**
 * DingTalk documents dentryAlreadyExist (400) and permissionDenied (403) at request level for batch
 * copy, without saying which of the (up to three) entries the refusal is about, or whether the others
 * ran. No entry is reported CONFLICT or PERMISSION_DENIED without evidence about that entry: in a
 * chunk of several, every entry is UNKNOWN and nothing is re-sent; in a chunk of one, the code applies
 * to that entry. The emulator answers the way DingTalk may (its request-failure rule).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DINGTALK_SEED as SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
  type RequestFailureRule,
} from '../../src/emulators/dingtalk/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const COPY = `mutation($ids: [NonEmptyString!]!) {
  batchCopy(input: { dingtalk: { spaceId: "${SEED.sourceSpaceId}", unionId: "${SEED.unionId}",
    targetSpaceId: "${SEED.targetSpaceId}", targetFolderId: "0", dentryIds: $ids } }) {
    __typename ... on CopyOutcome { items { source status error { code retryable upstream { httpStatus code requestId } } }
      summary { total succeeded failed unknown } } } }`;

interface Item {
  source: string;
  status: string;
  error: {
    code: string;
    retryable: boolean;
    upstream: { httpStatus: number; code: string; requestId: string | null } | null;
  } | null;
}
interface Answer {
  batchCopy: {
    __typename: string;
    items: Item[];
    summary: { total: number; succeeded: number; failed: number; unknown: number };
  };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function rig(env: Record<string, string> = {}): Promise<{ emu: DingTalkEmulator; gw: TestGateway }> {
  const emu = await startDingTalkEmulator({ seed: true });
  cleanup.push(() => emu.close());
  const gw = await startGateway({ DINGTALK_BASE_URL: emu.url, UNKNOWN_RESOLUTION: 'off', ...env });
  cleanup.push(() => gw.close());
  return { emu, gw };
}

async function copy(
  r: { emu: DingTalkEmulator; gw: TestGateway },
  ids: string[],
): Promise<Answer['batchCopy']> {
  const { body } = await r.gw.graphql<Answer>(
    COPY,
    { ids },
    { 'x-acs-dingtalk-access-token': r.emu.issueToken() },
  );
  expect(body.errors).toBeUndefined();
  return body.data?.batchCopy as Answer['batchCopy'];
}

describe('a request-level refusal about one entry of a chunk', () => {
  it.each<[string, RequestFailureRule, number]>([
    [
      'dentryAlreadyExist, the others copied first',
      { errorCode: 'dentryAlreadyExist', othersRun: 'all' },
      400,
    ],
    ['permissionDenied, nothing ran', { errorCode: 'permissionDenied', othersRun: 'none' }, 403],
    [
      'permissionDenied, the entries before it copied',
      { errorCode: 'permissionDenied', othersRun: 'before' },
      403,
    ],
  ])(
    '%s: every entry of the chunk is UNKNOWN, none CONFLICT or PERMISSION_DENIED, nothing re-sent',
    async (_name, rule, status) => {
      const r = await rig();
      r.emu.state.failRequestOnCopy('d-file-2', rule);
      const outcome = await copy(r, ['d-file-1', 'd-file-2', 'd-file-3']);
      expect(outcome.__typename).toBe('CopyPartiallyFailed');
      expect(outcome.items.map((i) => [i.source, i.status, i.error?.code])).toEqual([
        ['d-file-1', 'UNKNOWN', 'UPSTREAM_ERROR'],
        ['d-file-2', 'UNKNOWN', 'UPSTREAM_ERROR'],
        ['d-file-3', 'UNKNOWN', 'UPSTREAM_ERROR'],
      ]);
      for (const item of outcome.items) {
        expect(item.error).toMatchObject({
          retryable: false,
          upstream: { httpStatus: status, code: rule.errorCode, requestId: expect.any(String) },
        });
      }
      expect(outcome.summary).toEqual({ total: 3, succeeded: 0, failed: 0, unknown: 3 });
      expect(r.emu.stats.copyRequests).toHaveLength(1);
    },
  );

  it('in a chunk of one entry the code is about that entry: FAILED with it; other chunks keep their results', async () => {
    const r = await rig({ DINGTALK_CHUNK_SIZE: '1' });
    r.emu.state.failRequestOnCopy('d-file-2', { errorCode: 'permissionDenied' });
    const outcome = await copy(r, ['d-file-1', 'd-file-2', 'd-file-3']);
    expect(outcome.items.map((i) => [i.source, i.status, i.error?.code ?? null])).toEqual([
      ['d-file-1', 'SUCCEEDED', null],
      ['d-file-2', 'FAILED', 'PERMISSION_DENIED'],
      ['d-file-3', 'SUCCEEDED', null],
    ]);
  });

  it('only the chunk that holds the entry is in doubt', async () => {
    const r = await rig();
    r.emu.state.failRequestOnCopy('d-file-5', { errorCode: 'dentryAlreadyExist' });
    const outcome = await copy(r, ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4', 'd-file-5']);
    expect(outcome.items.map((i) => i.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'UNKNOWN',
      'UNKNOWN',
    ]);
  });
});
