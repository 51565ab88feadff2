import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The envelope of every id the gateway hands out and gets back (task ids, background job ids): the
 * payload's bytes in base64url, then, when the gateway has a key, an authentication tag over the
 * id's prefix, the scope it was issued to and the payload:
 *
 * `<prefix><base64url(payload)>.<base64url(tag)>`, tag = the first 16 bytes of
 * HMAC-SHA256(key, prefix ‖ 0x00 ‖ scope ‖ 0x00 ‖ payload) (RFC 2104; 128-bit tags as RFC 4868 allows).
 *
 * The scope (who the id was issued to, e.g. an API key's name) is not written in the id: the
 * verifier supplies its caller's scope, so an id shown to another caller does not verify. Without a
 * key the envelope is unsigned (`<prefix><base64url(payload)>`) and anyone can write one: only for
 * gateways whose callers bring their own upstream credentials. Payload-agnostic: what the bytes mean
 * is the caller's business.
 */
export interface IdEnvelope {
  /** True when ids carry a tag, and ids without a valid one are refused. */
  readonly signed: boolean;
  /** The id of `payload` for `scope`, under `prefix` (e.g. `ct2_`). */
  seal(prefix: string, payload: Uint8Array, scope: string): string;
  /**
   * The payload of `id`, or why not: `malformed` (not an id of this shape: wrong prefix, bad
   * encoding, too long) or `forged` (its tag does not verify for this prefix and scope: altered,
   * made up, or issued to someone else; or it is not written as seal() writes it). Only the id's
   * length is examined before the tag is checked. A signed id that opens is the string seal() gives
   * for its payload, prefix and scope.
   */
  open(prefix: string, id: string, scope: string, maxLength: number): Buffer | 'malformed' | 'forged';
}

const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The envelope with `key` (signed), or without one (unsigned). */
export function idEnvelope(key: Uint8Array | undefined): IdEnvelope {
  const tag = (prefix: string, payload: Uint8Array, scope: string) =>
    createHmac('sha256', key as Uint8Array)
      .update(`${prefix}\u0000${scope}\u0000`)
      .update(payload)
      .digest()
      .subarray(0, TAG_BYTES);
  return {
    signed: key !== undefined,
    seal(prefix, payload, scope) {
      const body = prefix + Buffer.from(payload).toString('base64url');
      return key === undefined ? body : `${body}.${tag(prefix, payload, scope).toString('base64url')}`;
    },
    open(prefix, id, scope, maxLength) {
      if (!id.startsWith(prefix) || id.length > maxLength) return 'malformed';
      const [body = '', sent, extra] = id.slice(prefix.length).split('.');
      if (extra !== undefined || !BASE64URL.test(body) || (sent !== undefined && !BASE64URL.test(sent)))
        return 'malformed';
      const payload = Buffer.from(body, 'base64url');
      if (key === undefined) return payload;
      if (sent === undefined) return 'forged';
      const given = Buffer.from(sent, 'base64url');
      const expected = tag(prefix, payload, scope);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
      // Only in the encoding seal() writes (base64url has others for the same bytes): a signed id that
      // opens is then the very string seal() would give for its payload and scope.
      return payload.toString('base64url') === body && given.toString('base64url') === sent
        ? payload
        : 'forged';
    },
  };
}

/** A key for one process (demo mode): ids it hands out stop verifying when it restarts. */
export function processKey(): Buffer {
  return randomBytes(32);
}
