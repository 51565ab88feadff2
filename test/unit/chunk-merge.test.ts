import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeChunks, sendChunks, type ChunkAnswer, type ChunkInput } from '../../src/providers/kit/batch.js';
import { chunk, mapBounded } from '../../src/providers/kit/concurrency.js';
import { GatewayError, UpstreamFailure, upstreamError, type Execution } from '../../src/copy/errors.js';
import { summarize } from '../../src/copy/summary.js';
import type { DingTalkTaskPart } from '../../src/providers/dingtalk/types.js';
import type { CopyErrorCode, CopyOutcome } from '../../src/copy/types.js';
import { fromWireResults } from '../../src/providers/dingtalk/translate.js';
import type { DingTalkWireResultItem } from '../../src/providers/dingtalk/wire.js';

function failure(code: CopyErrorCode, execution: Execution): UpstreamFailure {
  return new UpstreamFailure(
    upstreamError('DINGTALK', code, `${code} (${execution})`, code === 'THROTTLED'),
    execution,
  );
}

/** Chunks exactly as the DingTalk adapter builds them. */
function chunksOf(ids: readonly string[], size: number): ChunkInput<string[]>[] {
  return chunk(ids, size).map((payload, i) => ({
    offset: i * size,
    payload,
    requested: payload.map((id) => ({ source: id, target: 'F' })),
  }));
}

const taskIdFor = (parts: DingTalkTaskPart[]) => ({
  id: `task:${parts.map((p) => p.index).join(',')}`,
  upstreamTaskIds: [...new Set(parts.map((p) => p.taskId))],
});

/** One chunk's fate: DingTalk answered (one wire result per id), or the call failed. */
type Fate =
  | { kind: 'answered'; results: DingTalkWireResultItem[] }
  | { kind: 'failed'; code: CopyErrorCode; execution: Execution };

const wireResult = (id: string): fc.Arbitrary<DingTalkWireResultItem> =>
  fc.oneof(
    fc.record({
      dentryId: fc.constant(id),
      async: fc.constant(false),
      success: fc.constant(true),
      targetDentryId: fc.string({ minLength: 1 }),
    }),
    fc.record({
      dentryId: fc.constant(id),
      async: fc.constant(false),
      success: fc.constant(false),
      errorCode: fc.constantFrom('dentryAlreadyExist', 'dentryNotExist', 'permissionDenied'),
    }),
    fc.record({
      dentryId: fc.constant(id),
      async: fc.constant(true),
      taskId: fc.constantFrom('t1', 't2', 't3'),
      targetDentryId: fc.string({ minLength: 1 }),
    }),
  );

const failedFate: fc.Arbitrary<Fate> = fc.oneof(
  fc.record({
    kind: fc.constant('failed' as const),
    code: fc.constantFrom<CopyErrorCode>('THROTTLED', 'NOT_FOUND', 'INVALID_ARGUMENT', 'QUOTA_EXCEEDED'),
    execution: fc.constant<Execution>('not-executed'),
  }),
  fc.record({
    kind: fc.constant('failed' as const),
    code: fc.constantFrom<CopyErrorCode>('UPSTREAM_ERROR', 'UPSTREAM_TIMEOUT', 'UPSTREAM_PROTOCOL_ERROR'),
    execution: fc.constant<Execution>('unknown'),
  }),
);

/** Any id list (duplicates allowed), any chunk limit, and a fate per chunk. */
const scenario = fc
  .record({
    ids: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 }),
    size: fc.integer({ min: 1, max: 12 }),
  })
  .chain(({ ids, size }) => {
    const chunks = chunk(ids, size);
    return fc.record({
      ids: fc.constant(ids),
      size: fc.constant(size),
      fates: fc.tuple(
        ...chunks.map((payload) =>
          fc.oneof(
            {
              weight: 3,
              arbitrary: fc
                .tuple(...payload.map(wireResult))
                .map((results): Fate => ({ kind: 'answered', results })),
            },
            { weight: 2, arbitrary: failedFate },
          ),
        ),
      ),
    });
  });

/** Runs the scenario through sendChunks (as the adapter does) and mergeChunks. */
async function run(ids: string[], size: number, fates: Fate[]): Promise<CopyOutcome> {
  const chunks = chunksOf(ids, size);
  const answers = await sendChunks(chunks, 3, async (c) => {
    const fate = fates[c.offset / size] as Fate;
    if (fate.kind === 'failed') throw failure(fate.code, fate.execution);
    return fromWireResults(fate.results, c.payload, c.offset, 'F');
  });
  return mergeChunks('DINGTALK', chunks, answers, taskIdFor);
}

describe('mergeChunks (property)', () => {
  it('gives every input id exactly once, in order, with its index and its chunk’s fate', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ ids, size, fates }) => {
        const outcome = await run(ids, size, fates);

        expect(outcome.provider).toBe('DINGTALK');
        expect(outcome.items.map((i) => [i.index, i.source, i.target])).toEqual(
          ids.map((id, i) => [i, id, 'F']),
        );

        outcome.items.forEach((item, i) => {
          const fate = fates[Math.floor(i / size)] as Fate;
          if (fate.kind === 'failed') {
            expect(item.status).toBe(fate.execution === 'unknown' ? 'UNKNOWN' : 'FAILED');
            expect(item.error?.code).toBe(fate.code);
            expect(item.result).toBeUndefined();
          } else {
            const wire = fate.results[i % size] as DingTalkWireResultItem;
            const expected = wire.async ? 'PENDING' : wire.success ? 'SUCCEEDED' : 'FAILED';
            expect(item.status).toBe(expected);
            if (expected !== 'FAILED') expect(item.result).toBe(wire.targetDentryId);
          }
        });

        // The union member follows from the items (and from whether anything ran at all).
        const failedChunks = fates.filter((f): f is Extract<Fate, { kind: 'failed' }> => f.kind === 'failed');
        const pending = outcome.items.filter((i) => i.status === 'PENDING');
        if (
          failedChunks.length === fates.length &&
          failedChunks.every((f) => f.execution === 'not-executed')
        ) {
          expect(outcome.kind).toBe('rejected');
          if (outcome.kind === 'rejected') expect(outcome.error.code).toBe(failedChunks[0]?.code);
        } else if (pending.length > 0) {
          expect(outcome.kind).toBe('accepted');
          if (outcome.kind !== 'accepted') return;
          // The task covers exactly the PENDING items, and names each upstream task once.
          expect(outcome.task.items).toEqual(pending);
          expect(outcome.task.summary).toEqual(summarize(pending));
          expect(outcome.task.id).toBe(`task:${pending.map((p) => p.index).join(',')}`);
          const upstream = fates.flatMap((f) =>
            f.kind === 'answered' ? f.results.flatMap((r) => (r.async ? [String(r.taskId)] : [])) : [],
          );
          expect(outcome.task.upstreamTaskIds).toEqual([...new Set(upstream)]);
          expect(outcome.task).toMatchObject({ provider: 'DINGTALK', state: 'RUNNING', done: false });
        } else if (outcome.items.every((i) => i.status === 'SUCCEEDED')) {
          expect(outcome.kind).toBe('succeeded');
        } else {
          expect(outcome.kind).toBe('partiallyFailed');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('sends each chunk exactly once through sendChunks, with at most `concurrency` in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.integer({ min: 1, max: 5 }),
        async ({ ids, size, fates }, concurrency) => {
          const chunks = chunksOf(ids, size);
          const sent: number[] = [];
          let inFlight = 0;
          let peak = 0;
          await sendChunks(chunks, concurrency, async (c) => {
            sent.push(c.offset);
            inFlight += 1;
            peak = Math.max(peak, inFlight);
            await new Promise((resolve) => setImmediate(resolve));
            inFlight -= 1;
            const fate = fates[c.offset / size] as Fate;
            if (fate.kind === 'failed') throw failure(fate.code, fate.execution);
            return { items: [], parts: [] };
          });
          expect([...sent].sort((a, b) => a - b)).toEqual(chunks.map((c) => c.offset));
          expect(peak).toBeLessThanOrEqual(concurrency);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('mergeChunks (examples)', () => {
  const chunks = chunksOf(['a', 'b', 'c', 'd'], 2);
  const ok = (offset: number): ChunkAnswer<DingTalkTaskPart> =>
    fromWireResults(
      [
        { dentryId: ['a', 'b', 'c', 'd'][offset], async: false, success: true, targetDentryId: 'x' },
        { dentryId: ['a', 'b', 'c', 'd'][offset + 1], async: false, success: true, targetDentryId: 'y' },
      ],
      ['a', 'b', 'c', 'd'].slice(offset, offset + 2),
      offset,
      'F',
    );

  it('ends the operation when a refused credential stopped every chunk', () => {
    const auth = failure('UNAUTHENTICATED', 'not-executed');
    auth.error.upstream = { provider: 'DINGTALK', httpStatus: 400, code: 'InvalidAuthentication' };
    let thrown: unknown;
    try {
      mergeChunks('DINGTALK', chunks, [{ failure: auth }, { failure: auth }], taskIdFor);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(thrown).toMatchObject({
      code: 'UNAUTHENTICATED',
      extra: { provider: 'DINGTALK', upstream: { code: 'InvalidAuthentication' } },
    });
  });

  it('keeps the results of chunks that ran when a later chunk’s credential was refused', () => {
    const auth = failure('UNAUTHENTICATED', 'not-executed');
    const outcome = mergeChunks('DINGTALK', chunks, [ok(0), { failure: auth }], taskIdFor);
    expect(outcome.kind).toBe('partiallyFailed');
    expect(outcome.items.map((i) => [i.status, i.error?.code])).toEqual([
      ['SUCCEEDED', undefined],
      ['SUCCEEDED', undefined],
      ['FAILED', 'UNAUTHENTICATED'],
      ['FAILED', 'UNAUTHENTICATED'],
    ]);
  });

  it('is a partial failure, not a rejection, when one chunk ran and one was refused', () => {
    const outcome = mergeChunks(
      'DINGTALK',
      chunks,
      [ok(0), { failure: failure('THROTTLED', 'not-executed') }],
      taskIdFor,
    );
    expect(outcome.kind).toBe('partiallyFailed');
    expect(outcome.items.map((i) => [i.status, i.error?.retryable])).toEqual([
      ['SUCCEEDED', undefined],
      ['SUCCEEDED', undefined],
      ['FAILED', true],
      ['FAILED', true],
    ]);
  });

  it('is not a rejection when every chunk failed but one may have run', () => {
    const outcome = mergeChunks(
      'DINGTALK',
      chunks,
      [
        { failure: failure('THROTTLED', 'not-executed') },
        { failure: failure('UPSTREAM_TIMEOUT', 'unknown') },
      ],
      taskIdFor,
    );
    expect(outcome.kind).toBe('partiallyFailed');
    expect(outcome.items.map((i) => i.status)).toEqual(['FAILED', 'FAILED', 'UNKNOWN', 'UNKNOWN']);
  });

  it('with no chunks at all, gives an empty success rather than a rejection without an error', () => {
    const outcome = mergeChunks('DINGTALK', [], [], taskIdFor);
    expect(outcome).toEqual({ kind: 'succeeded', provider: 'DINGTALK', items: [] });
  });
});

describe('sendChunks', () => {
  it('makes an UpstreamFailure that chunk’s answer and lets other errors end the call', async () => {
    const chunks = chunksOf(['a', 'b', 'c'], 1);
    const lost = failure('UPSTREAM_ERROR', 'unknown');
    const answers = await sendChunks(chunks, 2, async (c) => {
      if (c.offset === 1) throw lost;
      return { items: [], parts: [] };
    });
    expect(answers).toEqual([{ items: [], parts: [] }, { failure: lost }, { items: [], parts: [] }]);

    const boom = new GatewayError('no credential', 'UNAUTHENTICATED');
    await expect(
      sendChunks(chunks, 2, async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('chunk and mapBounded', () => {
  it('chunk keeps order and never exceeds the size', () => {
    fc.assert(
      fc.property(fc.array(fc.nat()), fc.integer({ min: 1, max: 20 }), (list, size) => {
        const parts = chunk(list, size);
        expect(parts.flat()).toEqual(list);
        expect(parts.every((p) => p.length >= 1 && p.length <= size)).toBe(true);
        expect(parts.length).toBe(Math.ceil(list.length / size));
      }),
    );
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });

  it('mapBounded keeps input order whatever order the calls finish in', async () => {
    const out = await mapBounded([30, 0, 20, 10], 4, async (ms, i) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return i;
    });
    expect(out).toEqual([0, 1, 2, 3]);
  });
});
