import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { InputError } from './errors.js';
import { idProblem } from './validate.js';

/**
 * Task ids are opaque to callers but self-describing to any gateway instance: they carry the provider,
 * the upstream scope and the upstream task ids, so no server-side state is needed to answer for them.
 * Format: `ct1_` + base64url(deflate(JSON)). The prefix carries the version.
 */

/** One upstream task and where its items sit in the original request. */
export interface SmhTaskPart {
  taskId: string;
  /** Index of the task's first item in the original request (a request over 1000 items is chunked). */
  offset: number;
  /** How many items the task covers. */
  count: number;
}

export interface SmhTaskRef {
  provider: 'SMH';
  libraryId: string;
  spaceId: string;
  userId?: string;
  parts: SmhTaskPart[];
}

/** One async item: DingTalk gives each its own task. */
export interface DingTalkTaskPart {
  taskId: string;
  index: number;
  source: string;
  result?: string;
}

export interface DingTalkTaskRef {
  provider: 'DINGTALK';
  unionId: string;
  parts: DingTalkTaskPart[];
}

export type TaskRef = SmhTaskRef | DingTalkTaskRef;

const PREFIX = 'ct1_';
/** Far above any id the gateway hands out (a 10,000-item DingTalk batch of folders stays below it). */
const MAX_DECODED_BYTES = 1024 * 1024;

type Wire =
  | { p: 's'; l: string; s: string; u?: string; t: [string, number, number][] }
  | { p: 'd'; u: string; t: [string, number, string, string?][] };

export function encodeTaskId(ref: TaskRef): string {
  const wire: Wire =
    ref.provider === 'SMH'
      ? {
          p: 's',
          l: ref.libraryId,
          s: ref.spaceId,
          u: ref.userId,
          t: ref.parts.map((p) => [p.taskId, p.offset, p.count]),
        }
      : {
          p: 'd',
          u: ref.unionId,
          t: ref.parts.map((p) =>
            p.result === undefined ? [p.taskId, p.index, p.source] : [p.taskId, p.index, p.source, p.result],
          ),
        };
  return PREFIX + deflateRawSync(JSON.stringify(wire)).toString('base64url');
}

function malformed(): InputError {
  return new InputError('Malformed task id: pass the id from a CopyAccepted answer unchanged.', {
    field: 'id',
  });
}

/** Ids go back into upstream URLs, so they must be usable ids (no '/', '.', '..', control characters). */
const isString = (v: unknown): v is string => typeof v === 'string' && idProblem(v) === undefined;
const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Decodes a task id, or throws InputError for anything that is not one of ours. */
export function decodeTaskId(id: string): TaskRef {
  if (!id.startsWith(PREFIX) || id.length > 64 * 1024) throw malformed();
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
  if (typeof wire !== 'object' || wire === null) throw malformed();
  const w = wire as Record<string, unknown>;
  if (!Array.isArray(w.t) || w.t.length === 0) throw malformed();
  // userId is a plain String in the API, so an empty one is legal and must survive the round trip.
  if (w.p === 's' && isString(w.l) && isString(w.s) && (w.u === undefined || typeof w.u === 'string')) {
    const parts = w.t.map((entry: unknown) => {
      if (!Array.isArray(entry) || !isString(entry[0]) || !isIndex(entry[1]) || !isIndex(entry[2]))
        throw malformed();
      return { taskId: entry[0], offset: entry[1], count: entry[2] };
    });
    return { provider: 'SMH', libraryId: w.l, spaceId: w.s, userId: w.u, parts };
  }
  if (w.p === 'd' && isString(w.u)) {
    const parts = w.t.map((entry: unknown) => {
      if (!Array.isArray(entry) || !isString(entry[0]) || !isIndex(entry[1]) || !isString(entry[2]))
        throw malformed();
      if (entry[3] !== undefined && !isString(entry[3])) throw malformed();
      return { taskId: entry[0], index: entry[1], source: entry[2], result: entry[3] as string | undefined };
    });
    return { provider: 'DINGTALK', unionId: w.u, parts };
  }
  throw malformed();
}
