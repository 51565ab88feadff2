import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idEnvelope, processKey } from '../../src/copy/id-envelope.js';

const signed = idEnvelope(processKey());
const unsigned = idEnvelope(undefined);
const MAX = 64 * 1024;

describe('id envelope', () => {
  it('opens what it sealed, for the same prefix and scope, whatever the payload', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), (bytes, scope) => {
        const id = signed.seal('ct2_', bytes, scope);
        expect(signed.open('ct2_', id, scope, MAX)).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('refuses an id issued to another scope, under another prefix, by another key, or altered', () => {
    const payload = Buffer.from('{"p":"d","u":"union-1"}');
    const id = signed.seal('ct2_', payload, 'key:alice');
    expect(signed.open('ct2_', id, 'key:mallory', MAX)).toBe('forged');
    expect(signed.open('job_', id.replace('ct2_', 'job_'), 'key:alice', MAX)).toBe('forged');
    expect(idEnvelope(processKey()).open('ct2_', id, 'key:alice', MAX)).toBe('forged');
    const [body, tag] = id.split('.') as [string, string];
    const altered = `ct2_${Buffer.from('{"p":"d","u":"union-2"}').toString('base64url')}.${tag}`;
    expect(signed.open('ct2_', altered, 'key:alice', MAX)).toBe('forged');
    expect(signed.open('ct2_', body, 'key:alice', MAX)).toBe('forged'); // the tag left off
    expect(signed.open('ct2_', `${id}x`, 'key:alice', MAX)).toBe('forged');
  });

  it('opens a signed id only as seal writes it, so an id that opens is the id seal gives again', () => {
    const payload = Buffer.from([1, 2, 3, 4]); // 6 base64url characters: the last has 4 spare bits
    const id = signed.seal('ct2_', payload, 'key:alice');
    expect(signed.seal('ct2_', signed.open('ct2_', id, 'key:alice', MAX) as Buffer, 'key:alice')).toBe(id);
    const [body, tag] = id.slice('ct2_'.length).split('.') as [string, string];
    // Same bytes, other characters: the spare bits of the last character set.
    const spare = (text: string) => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return text.slice(0, -1) + alphabet[alphabet.indexOf(text.at(-1) as string) | 1];
    };
    expect(Buffer.from(spare(body), 'base64url')).toEqual(payload);
    expect(signed.open('ct2_', `ct2_${spare(body)}.${tag}`, 'key:alice', MAX)).toBe('forged');
    expect(signed.open('ct2_', `ct2_${body}.${spare(tag)}`, 'key:alice', MAX)).toBe('forged');
  });

  it('calls malformed what is not an id of this shape, and a too-long id before reading it', () => {
    expect(signed.open('ct2_', 'ct1_abc', '', MAX)).toBe('malformed');
    expect(signed.open('ct2_', 'ct2_a b', '', MAX)).toBe('malformed');
    expect(signed.open('ct2_', 'ct2_a.b.c', '', MAX)).toBe('malformed');
    expect(signed.open('ct2_', `ct2_${'A'.repeat(100)}`, '', 50)).toBe('malformed');
  });

  it('without a key: ids carry no tag and open for any scope', () => {
    const id = unsigned.seal('ct2_', Buffer.from('x'), 'key:alice');
    expect(id).toBe(`ct2_${Buffer.from('x').toString('base64url')}`);
    expect(unsigned.open('ct2_', id, 'key:bob', MAX)).toEqual(Buffer.from('x'));
    expect(signed.open('ct2_', id, 'key:alice', MAX)).toBe('forged');
  });

  it('keeps short payloads short (background job ids)', () => {
    const id = signed.seal('job_', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), 'key:alice');
    expect(id.length).toBeLessThanOrEqual(4 + 11 + 1 + 22);
  });
});
