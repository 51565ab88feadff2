import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../config.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Checks `Authorization: Bearer <key>` against the configured keys in constant time (comparing
 * fixed-length digests, so neither content nor length leaks). Returns the key's name, or undefined.
 */
export function createCallerAuth(
  keys: readonly ApiKey[],
): (authorization: string | undefined) => string | undefined {
  const known = keys.map((k) => ({ name: k.name, digest: digest(k.key) }));
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const presented = digest(match?.[1] ?? '');
    let name: string | undefined;
    // Compare with every key, so timing does not reveal which one matched.
    for (const key of known) if (timingSafeEqual(key.digest, presented) && match) name ??= key.name;
    return name;
  };
}
