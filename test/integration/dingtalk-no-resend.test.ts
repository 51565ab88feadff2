/**
 * Property over real HTTP: for any batch and any mix of per-chunk upstream behaviour (answered,
 * throttled then answered, throttled for good, refused, failed before or after doing the work, reset),
 * the gateway sends exactly the calls the plan allows — a chunk that may have run is never sent twice —
 * and answers every id once, in order, with the status its chunk earned.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ManualClock,
  type FiredFault,
  DINGTALK_SEED as SEED,
  dingTalkFaults,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { seededDingTalkInput } from '../helpers/dingtalk-input.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const CHUNK = 3;
const RETRIES = 1;

type Behaviour =
  'answered' | 'throttledOnce' | 'throttledOut' | 'refused' | 'failedBefore' | 'lostAfter' | 'resetAfter';

/** What the emulator does on each attempt of a chunk with this behaviour (undefined: answer normally). */
const ATTEMPTS: Record<Behaviour, (FiredFault | undefined)[]> = {
  answered: [undefined],
  throttledOnce: [{ fault: dingTalkFaults.qpsLimit(), after: false }, undefined],
  throttledOut: Array.from({ length: RETRIES + 1 }, () => ({
    fault: dingTalkFaults.concurrentControl(),
    after: false,
  })),
  refused: [{ fault: dingTalkFaults.spaceQuotaInsufficient(), after: false }],
  failedBefore: [{ fault: dingTalkFaults.systemError(), after: false }],
  lostAfter: [{ fault: dingTalkFaults.operationTimeout(), after: true }],
  resetAfter: [{ fault: dingTalkFaults.reset(), after: true }],
};

/** The item status each behaviour must produce (for ids that exist), and whether the copy ran. */
const EXPECTED: Record<Behaviour, { status: string; code?: string; retryable?: boolean; ran: boolean }> = {
  answered: { status: 'SUCCEEDED', ran: true },
  throttledOnce: { status: 'SUCCEEDED', ran: true },
  throttledOut: { status: 'FAILED', code: 'THROTTLED', retryable: true, ran: false },
  refused: { status: 'FAILED', code: 'QUOTA_EXCEEDED', retryable: false, ran: false },
  failedBefore: { status: 'UNKNOWN', code: 'UPSTREAM_ERROR', retryable: false, ran: false },
  lostAfter: { status: 'UNKNOWN', code: 'UPSTREAM_TIMEOUT', retryable: false, ran: true },
  resetAfter: { status: 'UNKNOWN', code: 'UPSTREAM_ERROR', retryable: false, ran: true },
};

const COPY = /* GraphQL */ `
  mutation Copy($input: DingTalkBatchCopyInput!) {
    batchCopy(input: { dingtalk: $input }) {
      __typename
      ... on CopyOutcome {
        items {
          index
          status
          source
          result
          error {
            code
            retryable
          }
        }
      }
    }
  }
`;

interface ItemOut {
  index: number;
  status: string;
  source: string;
  result: string | null;
  error: { code: string; retryable: boolean } | null;
}

let emu: DingTalkEmulator;
let gw: TestGateway;
let plan: (FiredFault | undefined)[] = [];
let nextFile = 0;

beforeAll(async () => {
  emu = await startDingTalkEmulator({ seed: true, clock: new ManualClock() });
  // Concurrency 1: chunks reach the emulator in request order, so the plan can be followed call by call.
  gw = await startGateway({
    DINGTALK_BASE_URL: emu.url,
    UNKNOWN_RESOLUTION: 'off',
    DINGTALK_CONCURRENCY: '1',
    DINGTALK_CHUNK_SIZE: String(CHUNK),
    DINGTALK_THROTTLE_RETRIES: String(RETRIES),
    // Many runs share this gateway and a third of the planned behaviours are upstream failures: keep the
    // circuit breaker out of it, or it would (rightly) stop calling and the plan would no longer apply.
    CIRCUIT_MIN_REQUESTS: '100000',
  });
  const pick = emu.faults.pick.bind(emu.faults);
  emu.faults.pick = (method, path) => {
    // Calls beyond the plan are answered normally; the call count below catches them.
    if (method === 'POST' && path.endsWith('/batchCopy')) return plan.shift();
    return pick(method, path);
  };
});

afterAll(async () => {
  await gw?.close();
  await emu?.close();
});

describe('chunks that may have run are never re-sent (loopback property)', () => {
  it('sends exactly the planned calls and answers each id once, in order', async () => {
    const token = emu.issueToken();
    const batch = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }).chain((exists) =>
      fc.record({
        exists: fc.constant(exists),
        behaviours: fc.array(fc.constantFrom(...(Object.keys(ATTEMPTS) as Behaviour[])), {
          minLength: Math.ceil(exists.length / CHUNK),
          maxLength: Math.ceil(exists.length / CHUNK),
        }),
      }),
    );

    await fc.assert(
      fc.asyncProperty(batch, async ({ exists, behaviours }) => {
        emu.stats.reset();
        // Fresh, uniquely named sources each run, so every copy is new and FAIL never conflicts.
        const ids = exists.map((real) => {
          nextFile += 1;
          return real ? emu.state.createFile(SEED.sourceSpaceId, `p${nextFile}.txt`).id : `gone-${nextFile}`;
        });
        plan = behaviours.flatMap((b) => ATTEMPTS[b]);
        const planned = plan.length;

        const res = await gw.graphql<{ batchCopy: { __typename: string; items: ItemOut[] } }>(
          COPY,
          {
            input: seededDingTalkInput(ids),
          },
          { 'x-acs-dingtalk-access-token': token },
        );
        expect(res.body.errors).toBeUndefined();
        const outcome = res.body.data?.batchCopy;

        // Exactly the planned attempts reached the upstream: no re-send of anything that may have run.
        expect(emu.stats.requestsByRoute.batchCopy ?? 0).toBe(planned);
        expect(plan).toEqual([]);
        const executed = emu.stats.copyRequests.flatMap((c) => c.dentryIds);
        expect(new Set(executed).size).toBe(executed.length);

        expect(outcome?.items.map((i) => [i.index, i.source])).toEqual(ids.map((id, i) => [i, id]));
        let ran = 0;
        outcome?.items.forEach((item, i) => {
          const expected = EXPECTED[behaviours[Math.floor(i / CHUNK)] as Behaviour];
          if (expected.ran && exists[i]) ran += 1;
          if (expected.status === 'SUCCEEDED' && !exists[i]) {
            expect(item).toMatchObject({ status: 'FAILED', error: { code: 'NOT_FOUND' } });
            return;
          }
          expect(item.status).toBe(expected.status);
          if (expected.code)
            expect(item.error).toEqual({ code: expected.code, retryable: expected.retryable });
          if (item.status === 'SUCCEEDED') expect(emu.state.getDentry(item.result ?? '')).toBeDefined();
        });
        expect(emu.stats.executedCopies).toBe(ran);

        const refusedWhole = behaviours.every((b) => b === 'throttledOut' || b === 'refused');
        const allOk = outcome?.items.every((i) => i.status === 'SUCCEEDED');
        expect(outcome?.__typename).toBe(
          refusedWhole ? 'CopyRejected' : allOk ? 'CopySucceeded' : 'CopyPartiallyFailed',
        );
      }),
      { numRuns: 25 },
    );
  });
});
