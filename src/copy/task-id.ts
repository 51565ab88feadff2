import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { InputError } from './errors.js';
import type { Provider } from './types.js';
import { idProblem } from './validate.js';

/**
 * Task ids are opaque to callers but self-describing to any gateway instance: they carry the provider,
 * the upstream scope and the upstream task ids, so no server-side state is needed to answer for them.
 * Format: `ct1_` + base64url(raw deflate(JSON)). The prefix carries the version; the JSON object's `p`
 * is the provider's tag, and its other fields are what the provider's {@link TaskRefCodec} writes.
 */

/** What a task id stands for: the provider, plus whatever the provider needs to ask its upstream again. */
export interface TaskRef {
  readonly provider: Provider;
}

/**
 * Writes and reads one provider's part of a task id. Ids already handed out must keep decoding, so a
 * codec only ever adds optional fields, and its tag never changes.
 */
export interface TaskRefCodec<Ref extends TaskRef = TaskRef> {
  /** The provider's tag in the id (`p`), unique among the providers of a gateway, e.g. `s`. */
  readonly tag: string;
  /** The reference as JSON fields (short names keep ids short); `p` is reserved. */
  encode(ref: Ref): Record<string, unknown>;
  /**
   * The reference from the fields `encode` wrote, or undefined when they are not a valid reference.
   * Ids come from callers: check every field (see {@link isTaskIdString}, {@link isTaskIdIndex}).
   */
  decode(fields: Readonly<Record<string, unknown>>): Ref | undefined;
}

const PREFIX = 'ct1_';
/** Far above any id the gateway hands out (a 10,000-item DingTalk batch of folders stays below it). */
const MAX_DECODED_BYTES = 1024 * 1024;
const MAX_ID_LENGTH = 64 * 1024;

/**
 * The id each decoded ref came from, so that answering for a ref that was just decoded (a copyTask
 * lookup) gives back the caller's id without compressing it again. Weak: it lives as long as the ref.
 */
const decodedFrom = new WeakMap<TaskRef, string>();

/** The task id of `ref`, written by its provider's codec (or the id `ref` was decoded from). */
export function encodeTaskId<Ref extends TaskRef>(codec: TaskRefCodec<Ref>, ref: Ref): string {
  const known = decodedFrom.get(ref);
  if (known !== undefined) return known;
  const wire = { p: codec.tag, ...codec.encode(ref) };
  return PREFIX + deflateRawSync(JSON.stringify(wire)).toString('base64url');
}

function malformed(): InputError {
  return new InputError('Malformed task id: pass the id from a CopyAccepted answer unchanged.', {
    field: 'id',
  });
}

/**
 * Decodes a task id with the codec its tag names, or throws InputError (BAD_USER_INPUT, field `id`) for
 * anything that is not one of ours: a wrong prefix, a broken encoding, an unknown tag, a bad field.
 */
export function decodeTaskId(id: string, codecs: Iterable<TaskRefCodec>): TaskRef {
  if (!id.startsWith(PREFIX) || id.length > MAX_ID_LENGTH) throw malformed();
  let wire: unknown;
  try {
    // Bounded: a crafted id must not inflate into megabytes.
    const json = inflateRawSync(Buffer.from(id.slice(PREFIX.length), 'base64url'), {
      maxOutputLength: MAX_DECODED_BYTES,
    });
    wire = JSON.parse(json.toString('utf8'));
  } catch {
    throw malformed();
  }
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw malformed();
  const { p: tag, ...fields } = wire as Record<string, unknown>;
  for (const codec of codecs) {
    if (codec.tag !== tag) continue;
    const ref = codec.decode(fields);
    if (ref) {
      decodedFrom.set(ref, id);
      return ref;
    }
    break;
  }
  throw malformed();
}

/** Ids go back into upstream URLs, so they must be usable ids (no '/', '.', '..', control characters). */
export const isTaskIdString = (v: unknown): v is string =>
  typeof v === 'string' && idProblem(v) === undefined;

/** A position or count: a non-negative safe integer. */
export const isTaskIdIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * A non-empty list of entries, each an array read by `entry`; undefined when the list or any entry is
 * not valid (`entry` returns undefined).
 */
export function decodeTaskIdEntries<T>(
  list: unknown,
  entry: (fields: readonly unknown[]) => T | undefined,
): T[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const entries: T[] = [];
  for (const item of list) {
    const decoded = Array.isArray(item) ? entry(item) : undefined;
    if (decoded === undefined) return undefined;
    entries.push(decoded);
  }
  return entries;
}
