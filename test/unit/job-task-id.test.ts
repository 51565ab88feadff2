import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/copy/errors.js';
import { idEnvelope, processKey } from '../../src/copy/id-envelope.js';
import { TaskIdSeal } from '../../src/copy/task-id-seal.js';

const REFERENCE = 'cj1_AAAAAAAAAAAAAAAAAAAAAA';

/** The code a rejected id gets: BAD_USER_INPUT (not an id) or NOT_FOUND (an id that does not verify). */
function refusal(seal: TaskIdSeal, id: string, scope: string): string {
  try {
    seal.accept(id, scope);
  } catch (error) {
    return (error as GatewayError).code;
  }
  return 'accepted';
}

describe('background task ids (cj1_)', () => {
  const signed = new TaskIdSeal(idEnvelope(processKey()), { acceptV1: false });
  const unsigned = new TaskIdSeal(idEnvelope(undefined), { acceptV1: true });

  it('open for their scope, as issued', () => {
    const id = signed.issue(REFERENCE, 'key:alice');
    expect(id).toMatch(/^cj1_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(signed.accept(id, 'key:alice')).toBe(REFERENCE);
    expect(unsigned.accept(unsigned.issue(REFERENCE, 'x'), 'x')).toBe(REFERENCE);
  });

  it('what has not the shape of one is not an id (BAD_USER_INPUT), signed or not', () => {
    const id = signed.issue(REFERENCE, 'key:alice');
    for (const seal of [signed, unsigned])
      for (const text of ['cj1_', 'cj1_xxx', `${REFERENCE}A`, `${id}.x`, `${id.slice(0, -1)}`, 'cj1_!!'])
        expect([text, refusal(seal, text, 'key:alice')]).toEqual([text, 'BAD_USER_INPUT']);
  });

  it('an id of the shape that does not verify is NOT_FOUND: another caller, no tag, altered', () => {
    const id = signed.issue(REFERENCE, 'key:alice');
    expect(refusal(signed, id, 'key:bob')).toBe('NOT_FOUND');
    expect(refusal(signed, REFERENCE, 'key:alice')).toBe('NOT_FOUND');
    expect(refusal(signed, `${id.slice(0, -2)}AA`, 'key:alice')).toBe('NOT_FOUND');
  });
});
