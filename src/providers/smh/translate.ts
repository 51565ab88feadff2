/**
 * Pure translation between the domain and SMH's wire format, both directions. No I/O here: the
 * bulk of the SMH unit tests live against this module.
 */
import {
  answerExecution,
  failedItemStatus,
  GatewayError,
  InputError,
  unknownOutcome,
  upstreamError,
  type Execution,
  redirectCode,
} from '../../copy/errors.js';
import { answerEvidence } from '../../copy/evidence.js';
import { characterProblem, firstDuplicate, idProblem } from '../../copy/validate.js';
import type {
  ConflictStrategy,
  CopyErrorCode,
  CopyErrorInfo,
  CopyItemResult,
  CopyTaskState,
} from '../../copy/types.js';
import type { SmhBatchCopyRequest } from './types.js';
import type {
  SmhWireCopyItem,
  SmhWireError,
  SmhWireResultItem,
  SmhWireStrategy,
  SmhWireTask,
} from './wire.js';

const STRATEGY: Record<Exclude<ConflictStrategy, 'KEEP_EXISTING'>, SmhWireStrategy> = {
  FAIL: 'ask',
  RENAME: 'rename',
  OVERWRITE: 'overwrite',
};

/** The strategy when neither the item nor the request sets one: never lose or rename data silently. */
export const DEFAULT_STRATEGY: ConflictStrategy = 'FAIL';

/**
 * The unified conflict strategy as SMH's `conflictResolutionStrategy`.
 * @throws GatewayError UNSUPPORTED for KEEP_EXISTING, which SMH lacks.
 */
export function toWireStrategy(strategy: ConflictStrategy, index?: number): SmhWireStrategy {
  if (strategy === 'KEEP_EXISTING') {
    throw new GatewayError(
      `SMH has no KEEP_EXISTING conflict strategy${index === undefined ? '' : ` (item ${index})`}; use FAIL, RENAME or OVERWRITE.`,
      'UNSUPPORTED',
      index === undefined ? { field: 'conflictStrategy' } : { field: 'conflictStrategy', index },
    );
  }
  return STRATEGY[strategy];
}

const MAX_NAME_LENGTH = 255;
/**
 * The longest path the gateway forwards, in characters: far above real media paths, and it bounds the
 * body sent upstream (at most 1,000 items a call, two paths each).
 */
export const MAX_PATH_LENGTH = 4096;

/**
 * A path as SMH takes it: relative to the space root. One leading slash (`/foo/1.jpg`, as the SMH SDKs'
 * own docs write paths) names the same path and is dropped.
 */
export function smhPath(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/** Why a path is unusable, or undefined when it is fine (one leading slash is fine: see {@link smhPath}). */
export function pathProblem(raw: string): string | undefined {
  const path = smhPath(raw);
  if (path.trim() === '') return 'is empty';
  if (path.startsWith('/'))
    return 'starts with "//"; paths are relative to the space root (e.g. "foo/1.jpg")';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  const characters = characterProblem(path);
  if (characters) return characters;
  const segments = path.split('/');
  if (segments.some((s) => s === '')) return 'has an empty segment ("//" or a trailing "/")';
  if (segments.some((s) => s === '..' || s === '.')) return 'contains "." or ".." segments';
  if (segments.some((s) => s.length > MAX_NAME_LENGTH))
    return `has a name over ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

/** Checks a request before anything is sent; throws InputError naming the first bad item. */
export function validateSmhRequest(request: SmhBatchCopyRequest, maxItems: number): void {
  if (request.items.length === 0) throw new InputError('items must not be empty.', { field: 'items' });
  if (request.items.length > maxItems) {
    throw new InputError(
      `items has ${request.items.length} entries; the gateway accepts at most ${maxItems}.`,
      {
        field: 'items',
      },
    );
  }
  for (const field of ['libraryId', 'spaceId'] as const) {
    const problem = idProblem(request[field] ?? '-');
    if (problem) throw new InputError(`${field} ${problem}.`, { field });
  }
  // An empty userId is legal (no temporary identity); anything else must be a usable id.
  const userProblem = request.userId ? idProblem(request.userId) : undefined;
  if (userProblem) throw new InputError(`userId ${userProblem}.`, { field: 'userId' });
  if (request.conflictStrategy) toWireStrategy(request.conflictStrategy);
  request.items.forEach((item, index) => {
    for (const field of ['from', 'to'] as const) {
      const problem = pathProblem(item[field]);
      if (problem)
        throw new InputError(`items[${index}].${field} ${problem}.`, {
          field: `items.${index}.${field}`,
          index,
        });
    }
    const spaceProblem =
      item.fromSpaceId === undefined || item.fromSpaceId === null ? undefined : idProblem(item.fromSpaceId);
    if (spaceProblem) {
      throw new InputError(`items[${index}].fromSpaceId ${spaceProblem}.`, {
        field: `items.${index}.fromSpaceId`,
        index,
      });
    }
    if (item.conflictStrategy) toWireStrategy(item.conflictStrategy, index);
  });
  // Two items onto one target would copy twice (OVERWRITE, RENAME) or fail one of them, and their
  // outcomes could not be told apart afterwards. Paths are compared as SMH takes them (one leading
  // slash dropped); nothing else is folded, since SMH documents no case or Unicode folding of names.
  const duplicate = firstDuplicate(request.items, (item) => smhPath(item.to));
  if (duplicate) {
    const [earlier, index] = duplicate;
    throw new InputError(`items[${index}].to is the same as items[${earlier}].to.`, {
      field: `items.${index}.to`,
      index,
    });
  }
}

/** The request with its paths as SMH takes them ({@link smhPath}); the answer reports these paths. */
export function normalizeSmhRequest(request: SmhBatchCopyRequest): SmhBatchCopyRequest {
  return {
    ...request,
    items: request.items.map((item) => ({ ...item, from: smhPath(item.from), to: smhPath(item.to) })),
  };
}

/** The request's items in SMH's wire format, each with an explicit strategy. */
export function toWireItems(request: SmhBatchCopyRequest): SmhWireCopyItem[] {
  const destination = request.spaceId ?? '-';
  return request.items.map((item, index) => {
    const wire: SmhWireCopyItem = {
      copyFrom: smhPath(item.from),
      to: smhPath(item.to),
      // Always explicit: the documented defaults disagree (older docs and SDKs rename files and ask for
      // folders; the newest user guide says `ask`).
      conflictResolutionStrategy: toWireStrategy(
        item.conflictStrategy ?? request.conflictStrategy ?? DEFAULT_STRATEGY,
        index,
      ),
    };
    // Only for a copy across spaces: the API page says to leave it out within one space.
    if (item.fromSpaceId && item.fromSpaceId !== destination) wire.copyFromSpaceId = item.fromSpaceId;
    return wire;
  });
}

/** Paths arrive as segment arrays, or as strings in older answers. */
export function joinPath(path: string[] | string | undefined): string | undefined {
  if (path === undefined || path === null) return undefined;
  if (typeof path === 'string') return path;
  if (Array.isArray(path) && path.every((s) => typeof s === 'string')) return path.join('/');
  return undefined;
}

/** An SMH error code (with its HTTP status) → the unified code, and whether the work can have run. */
export function classifySmhError(
  status: number,
  code: string | undefined,
): { code: CopyErrorCode; execution: Execution } {
  const unified = redirectCode(status) ?? smhCode(status, code ?? '');
  return { code: unified, execution: answerExecution(unified) };
}

/**
 * SMH's token errors: the token is invalid or expired, missing, or was issued before the library's
 * tokens were revoked (`AccessTokenVersionNotMatch`, 403). A managed token is replaced and the call
 * sent once more; a caller's own token is the caller's to renew. SMH's error codes:
 * https://www.tencentcloud.com/document/product/1283/75500
 */
const TOKEN_ERRORS = new Set(['InvalidAccessToken', 'EmptyAccessToken', 'AccessTokenVersionNotMatch']);

function smhCode(status: number, c: string): CopyErrorCode {
  if (status >= 500) return 'UPSTREAM_ERROR';
  if (status === 429 || c === 'RateLimitExceeded') return 'THROTTLED';
  if (TOKEN_ERRORS.has(c)) return 'UNAUTHENTICATED';
  if (c === 'NoPermission' || c.startsWith('AccessTokenNotMatch') || status === 451)
    return 'PERMISSION_DENIED';
  if (c.endsWith('NotFound') || status === 404) return 'NOT_FOUND';
  if (c === 'QuotaLimitReached') return 'QUOTA_EXCEEDED';
  if (status === 409 || c === 'SameNameDirectoryOrFileExists' || c === 'OverwriteFileNotAllowed')
    return 'CONFLICT';
  if (status === 403) return 'PERMISSION_DENIED';
  return 'INVALID_ARGUMENT';
}

/**
 * What an answer that is not JSON means at SMH, by its status: 429 is throttling (it did not run);
 * a 403 page (a proxy's or firewall's refusal) is a refusal, never throttling, and is not retried.
 * Other statuses have no SMH-specific meaning (undefined).
 */
export function smhPageCode(status: number): CopyErrorCode | undefined {
  if (status === 429) return 'THROTTLED';
  if (status === 403) return 'PERMISSION_DENIED';
  return undefined;
}

/** An SMH error answer as a CopyError, with whether the work can have run. */
export function smhErrorInfo(
  status: number,
  body: SmhWireError | undefined,
  fallbackMessage: string,
  requestId?: string,
): { error: CopyErrorInfo; execution: Execution } {
  const { code, execution } = classifySmhError(status, body?.code);
  const message =
    execution === 'unknown'
      ? unknownOutcome(`SMH reported an internal error (${status}${body?.code ? ` ${body.code}` : ''})`)
      : (body?.message ?? fallbackMessage);
  const retryable = code === 'THROTTLED';
  const upstream = { httpStatus: status, code: body?.code, requestId: body?.requestId ?? requestId };
  return { error: upstreamError('SMH', code, message, retryable, upstream), execution };
}

/**
 * An HTTP-like status from the wire. The API page types `status` as String while its examples send
 * numbers, so a numeric string is read as its number; anything else is unreadable.
 */
export function wireStatus(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*\d{3}\s*$/.test(value)) return Number(value);
  return undefined;
}

/** One wire result item → the domain item at `index` of the original request. */
export function fromWireItem(
  wire: SmhWireResultItem | undefined,
  index: number,
  requested?: { from: string; to: string },
  requestId?: string,
): CopyItemResult {
  // A task's results come without our request at hand: its items name their own paths.
  const to = requested?.to ?? joinPath(wire?.to);
  const base = {
    index,
    source: requested?.from ?? joinPath(wire?.copyFrom) ?? '',
    target: to,
    renamed: false,
  };
  const status = wireStatus(wire?.status);
  const unknown = (what: string): CopyItemResult => ({
    ...base,
    status: 'UNKNOWN',
    error: upstreamError('SMH', 'UPSTREAM_PROTOCOL_ERROR', unknownOutcome(what), false, { requestId }),
    evidence: 'NONE',
  });
  if (!wire || status === undefined) return unknown('SMH did not report a result for this item');
  if (requested && !echoes(wire, requested)) {
    return unknown(
      `SMH's result at this position names another item (${joinPath(wire.copyFrom) ?? '?'} → ${joinPath(wire.to) ?? '?'})`,
    );
  }
  if (status === 200 || status === 204) {
    const finalPath = joinPath(wire.path) ?? to;
    return {
      ...base,
      status: 'SUCCEEDED',
      result: finalPath,
      renamed: finalPath !== undefined && finalPath !== to,
      evidence: 'UPSTREAM_ANSWER',
    };
  }
  const { code, execution } = classifySmhError(status, wire.code);
  const what = wire.message ?? `SMH could not copy this item (${status}${wire.code ? ` ${wire.code}` : ''})`;
  const error = upstreamError(
    'SMH',
    code,
    execution === 'unknown' ? unknownOutcome(what) : what,
    code === 'THROTTLED',
    { httpStatus: status, code: wire.code, requestId },
  );
  const itemStatus = failedItemStatus(execution);
  return { ...base, status: itemStatus, error, evidence: answerEvidence(itemStatus) };
}

/**
 * Whether a result names the item asked for at its position. Every SMH result echoes `copyFrom` and
 * `to`; an echo that names another item means the results are not in request order, and a result
 * must never be given to the wrong item. A result without an echo is taken by position.
 */
function echoes(wire: SmhWireResultItem, requested: { from: string; to: string }): boolean {
  const from = joinPath(wire.copyFrom);
  const to = joinPath(wire.to);
  return (
    (from === undefined || smhPath(from) === smhPath(requested.from)) &&
    (to === undefined || smhPath(to) === smhPath(requested.to))
  );
}

/** The items of one upstream call, in request order, whatever the upstream sent back. */
export function fromWireResults(
  results: unknown,
  requested: readonly { from: string; to: string }[],
  offset: number,
  requestId?: string,
): CopyItemResult[] {
  const list = Array.isArray(results) ? (results as SmhWireResultItem[]) : [];
  return requested.map((item, i) => fromWireItem(list[i], offset + i, item, requestId));
}

/** The items of a finished task, numbered from `offset` (where the task's chunk started in the request). */
export function fromTaskResults(results: unknown, offset: number, requestId?: string): CopyItemResult[] {
  const list = Array.isArray(results) ? (results as SmhWireResultItem[]) : [];
  return list.map((wire, i) => fromWireItem(wire, offset + i, undefined, requestId));
}

/** A task's id, which older answers call `id`. */
export function wireTaskId(task: SmhWireTask): string | undefined {
  const id = task.taskId ?? task.id;
  return id === undefined || id === null ? undefined : String(id);
}

/** Task state from an SMH task status and its items (202 running; 200 done; 207 some or all failed). */
export function taskState(status: number, items: readonly CopyItemResult[]): CopyTaskState {
  if (status === 202) return 'RUNNING';
  if (status === 200 || status === 204) return 'SUCCEEDED';
  if (items.length > 0 && items.every((i) => i.status === 'FAILED')) return 'FAILED';
  if (status === 207 && items.some((i) => i.status === 'SUCCEEDED')) return 'PARTIALLY_FAILED';
  return status === 207 && items.length === 0 ? 'PARTIALLY_FAILED' : 'FAILED';
}
