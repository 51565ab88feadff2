import { constants, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/copy/errors.js';
import { decodeTaskId, encodeTaskId, type TaskRef } from '../helpers/task-ids.js';
import { idProblem } from '../../src/copy/validate.js';

// Ids the gateway would accept in a request (they go back into upstream URLs).
const name = fc
  .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
  .filter((v) => idProblem(v) === undefined);
const index = fc.nat({ max: 1_000_000 });

const smhRef: fc.Arbitrary<TaskRef> = fc.record(
  {
    provider: fc.constant('SMH' as const),
    libraryId: name,
    spaceId: name,
    // Any string the API lets through, the empty one included (userId is a plain String in the schema).
    userId: fc.string({ maxLength: 20 }),
    parts: fc.array(fc.record({ taskId: fc.stringMatching(/^[0-9]{1,12}$/), offset: index, count: index }), {
      minLength: 1,
      maxLength: 12,
    }),
  },
  { requiredKeys: ['provider', 'libraryId', 'spaceId', 'parts'] },
);

const dingtalkRef: fc.Arbitrary<TaskRef> = fc.record({
  provider: fc.constant('DINGTALK' as const),
  unionId: name,
  parts: fc.array(
    fc.record(
      { taskId: name, index, source: name, result: name },
      { requiredKeys: ['taskId', 'index', 'source'] },
    ),
    { minLength: 1, maxLength: 12 },
  ),
});

/** What an id would carry if someone built one by hand. */
const forge = (wire: unknown): string => 'ct1_' + deflateRawSync(JSON.stringify(wire)).toString('base64url');

function expectMalformed(id: string): void {
  let thrown: unknown;
  try {
    decodeTaskId(id);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, id).toBeInstanceOf(GatewayError);
  expect((thrown as GatewayError).code).toBe('BAD_USER_INPUT');
  expect((thrown as GatewayError).extra).toEqual({ field: 'id' });
}

describe('task ids', () => {
  it('round-trip every SMH and DingTalk reference exactly', () => {
    fc.assert(
      fc.property(fc.oneof(smhRef, dingtalkRef), (ref) => {
        const id = encodeTaskId(ref);
        expect(id).toMatch(/^ct1_[A-Za-z0-9_-]+$/);
        expect(decodeTaskId(id)).toEqual(ref);
      }),
      { numRuns: 500 },
    );
  });

  it('encode deterministically, so the same work always has the same id', () => {
    fc.assert(
      fc.property(smhRef, (ref) => {
        expect(encodeTaskId(ref)).toBe(encodeTaskId(structuredClone(ref)));
      }),
    );
  });

  it('answer for a decoded reference with the id it was decoded from, without compressing it again', () => {
    const wire = { p: 's', l: 'library-library-library', s: 'library-library-library', t: [['16', 0, 3]] };
    // Valid, but not what encodeTaskId would write (Huffman-only compression).
    const id =
      'ct1_' +
      deflateRawSync(JSON.stringify(wire), { strategy: constants.Z_HUFFMAN_ONLY }).toString('base64url');
    const ref = decodeTaskId(id);
    expect(encodeTaskId(ref)).toBe(id);
    // A reference built anew still gets the canonical id.
    expect(encodeTaskId({ ...ref })).not.toBe(id);
    expect(decodeTaskId(encodeTaskId({ ...ref }))).toEqual(ref);
  });

  it('stay decodable for the largest task the gateway can make with default limits (10 chunks)', () => {
    const ref: TaskRef = {
      provider: 'SMH',
      libraryId: 'smhdemo',
      spaceId: 'space-with-a-long-id-0123456789',
      parts: Array.from({ length: 10 }, (_, i) => ({
        taskId: String(900_000 + i),
        offset: i * 1000,
        count: 1000,
      })),
    };
    const id = encodeTaskId(ref);
    expect(id.length).toBeLessThan(400);
    expect(decodeTaskId(id)).toEqual(ref);
  });

  it('reject garbage', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expectMalformed(text.startsWith('ct1_') ? text.slice(4) : text);
      }),
    );
    fc.assert(
      fc.property(fc.base64String({ maxLength: 200 }), (text) => {
        // A prefixed base64 string that is not deflated JSON of the right shape.
        let decoded: TaskRef | undefined;
        try {
          decoded = decodeTaskId('ct1_' + text);
        } catch (error) {
          expect((error as GatewayError).code).toBe('BAD_USER_INPUT');
        }
        expect(decoded).toBeUndefined();
      }),
    );
    for (const id of ['', 'ct1_', 'ct1_!!!', 'ct2_' + encodeTaskId(sample()).slice(4), 'x'.repeat(70_000)]) {
      expectMalformed(id);
    }
    expectMalformed('ct1_' + 'A'.repeat(70_000));
  });

  it('reject well-formed JSON that is not a task reference', () => {
    const bad: unknown[] = [
      null,
      42,
      'ct1',
      [],
      {},
      { p: 's', l: 'lib', s: '-', t: [] },
      { p: 's', l: 'lib', s: '-', t: [['1', 0]] },
      { p: 's', l: 'lib', s: '-', t: [['1', -1, 1]] },
      { p: 's', l: 'lib', s: '-', t: [['1', 0.5, 1]] },
      { p: 's', l: 'lib', s: '-', t: [[1, 0, 1]] },
      { p: 's', l: 'lib', s: '-', t: [['', 0, 1]] },
      { p: 's', l: '', s: '-', t: [['1', 0, 1]] },
      { p: 's', l: 'lib', t: [['1', 0, 1]] },
      { p: 's', l: 'lib', s: '-', u: 7, t: [['1', 0, 1]] },
      { p: 's', l: 'lib', s: '-', t: 'nope' },
      { p: 'd', t: [['t', 0, 'src']] },
      { p: 'd', u: 'union', t: [['t', 0]] },
      { p: 'd', u: 'union', t: [['t', 0, 'src', 5]] },
      { p: 'x', l: 'lib', s: '-', t: [['1', 0, 1]] },
    ];
    for (const wire of bad) expectMalformed(forge(wire));
  });

  it('reject ids of other systems that happen to look similar', () => {
    for (const foreign of [
      '16',
      'task-16',
      'Q29weVRhc2s6MTY=', // base64("CopyTask:16"), a Relay-style global id
      'ct1_' +
        Buffer.from(JSON.stringify({ p: 's', l: 'lib', s: '-', t: [['1', 0, 1]] })).toString('base64url'), // not deflated
    ]) {
      expectMalformed(foreign);
    }
  });
});

function sample(): TaskRef {
  return {
    provider: 'SMH',
    libraryId: 'smhdemo',
    spaceId: '-',
    parts: [{ taskId: '16', offset: 0, count: 3 }],
  };
}

describe('decodeTaskId bounds', () => {
  it('refuses an id that would inflate past its bound (a decompression bomb)', () => {
    const bomb = forge({ p: 'd', u: 'x'.repeat(2 * 1024 * 1024), t: [['1', 0, 'd']] });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expectMalformed(bomb);
  });

  it('refuses ids that could not be sent upstream ("..", "/", control characters)', () => {
    for (const bad of ['..', 'a/b', 'x\u0000']) {
      expectMalformed(forge({ p: 'd', u: 'union', t: [[bad, 0, 'd']] }));
      expectMalformed(forge({ p: 's', l: bad, s: '-', t: [['1', 0, 1]] }));
    }
  });
});

/** Ids minted by the gateway before providers became modules: clients may hold them, so they still decode. */
describe('task ids already handed out', () => {
  it.each([
    [
      'ct1_HcdNCoAgGAbhu8z6DT4JCryKuOhHaJEkmKvo7mGreeah4KmIszcfe8oXovYry5aGFdHwtMEhbnwIuAmZnJlFBdzMb40xvh8',
      {
        provider: 'SMH',
        libraryId: 'smhdemo',
        spaceId: 'space-b',
        userId: 'u-1',
        parts: [
          { taskId: '16', offset: 0, count: 1000 },
          { taskId: '17', offset: 1000, count: 3 },
        ],
      },
    ],
    [
      'ct1_TcoxCoAwEADBv2x9V6jY5CshhXARRE1EEyzEv4tgYTkwFxsOQ6g4appyUotrRig47ynDMWuDdILpmBeL-0tMUzy1Ich3WqT_nZYQ7gc',
      {
        provider: 'DINGTALK',
        unionId: 'union-demo',
        parts: [
          { taskId: 'task-1', index: 3, source: 'd-folder-1', result: 'd-new-1' },
          { taskId: 'task-2', index: 5, source: 'd-folder-2', result: undefined },
        ],
      },
    ],
  ])('%s decodes to the reference it was minted from, and encodes back to itself', (id, ref) => {
    expect(decodeTaskId(id)).toStrictEqual(ref);
    expect(encodeTaskId(ref as TaskRef)).toBe(id);
  });
});
