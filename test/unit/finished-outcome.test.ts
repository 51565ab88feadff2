import { describe, expect, it } from 'vitest';
import { finishedOutcome } from '../../src/copy/service.js';
import { waitEnd } from '../../src/copy/wait.js';
import type { CopyItemResult, CopyOutcome, CopyTask } from '../../src/copy/types.js';

const pending = (index: number, source: string, target: string): CopyItemResult => ({
  index,
  status: 'PENDING',
  source,
  target,
  renamed: false,
  evidence: 'UPSTREAM_ANSWER',
});

function task(items: CopyItemResult[]): CopyTask {
  return {
    id: 'ct1_x',
    provider: 'SMH',
    state: 'SUCCEEDED',
    done: true,
    items,
    summary: { total: items.length, succeeded: items.length, failed: 0, pending: 0, unknown: 0 },
    upstreamTaskIds: ['1'],
    checkedAt: new Date(0),
  };
}

describe('finishedOutcome: task results folded into the batch answer', () => {
  const accepted = (items: CopyItemResult[]): CopyOutcome => ({
    kind: 'accepted',
    provider: 'SMH',
    items,
    task: task([]),
  });

  it('gives each item the task result that names it', () => {
    const outcome = finishedOutcome(
      accepted([pending(0, 'a/1.jpg', 'c/1.jpg')]),
      task([
        {
          index: 0,
          status: 'SUCCEEDED',
          source: 'a/1.jpg',
          target: 'c/1.jpg',
          result: 'c/1.jpg',
          renamed: false,
          evidence: 'UPSTREAM_ANSWER',
        },
      ]),
    );
    expect(outcome.kind).toBe('succeeded');
    expect(outcome.items[0]).toMatchObject({ status: 'SUCCEEDED', result: 'c/1.jpg' });
    // The finished answer names the task it ran as, so that it can be read again.
    expect(outcome.kind === 'succeeded' && outcome.task?.id).toBe('ct1_x');
  });

  it('never gives an item a task result that names another item: it is UNKNOWN', () => {
    const outcome = finishedOutcome(
      accepted([pending(0, 'a/1.jpg', 'c/1.jpg'), pending(1, 'a/2.jpg', 'c/2.jpg')]),
      task([
        {
          index: 0,
          status: 'SUCCEEDED',
          source: 'a/2.jpg',
          target: 'c/2.jpg',
          result: 'c/2.jpg',
          renamed: false,
          evidence: 'UPSTREAM_ANSWER',
        },
        {
          index: 1,
          status: 'FAILED',
          source: 'a/2.jpg',
          target: 'c/9.jpg',
          renamed: false,
          evidence: 'UPSTREAM_ANSWER',
        },
      ]),
    );
    expect(outcome.kind).toBe('partiallyFailed');
    expect(outcome.items.map((i) => [i.source, i.status, i.error?.code])).toEqual([
      ['a/1.jpg', 'UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR'],
      ['a/2.jpg', 'UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR'],
    ]);
  });
});

describe('waitEnd: a wait (waitSeconds) ends before the operation deadline', () => {
  const now = 1_000_000;

  it('ends when asked when the deadline is far enough', () => {
    expect(waitEnd(5, { deadline: now + 30_000 }, now)).toBe(now + 5_000);
    expect(waitEnd(0, { deadline: now + 30_000 }, now)).toBe(now);
    expect(waitEnd(10, {}, now)).toBe(now + 10_000);
  });

  it('ends a second before the deadline when the deadline comes first (a quarter of what is left when less)', () => {
    expect(waitEnd(60, { deadline: now + 30_000 }, now)).toBe(now + 29_000);
    expect(waitEnd(29, { deadline: now + 30_000 }, now)).toBe(now + 29_000);
    expect(waitEnd(60, { deadline: now + 2_000 }, now)).toBe(now + 1_500);
    expect(waitEnd(60, { deadline: now - 10 }, now)).toBe(now - 10);
  });
});
