/**
 * Pure translation between the domain and SMH's wire format, both directions. No I/O here: the
 * bulk of the SMH unit tests live against this module.
 */
import {
  GatewayError,
  InputError,
  unknownOutcome,
  upstreamError,
  type Execution,
} from '../../copy/errors.js';
import { CONTROL_CHARS, idProblem } from '../../copy/validate.js';
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

/** Why a path is unusable, or undefined when it is fine. */
export function pathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'is empty';
  if (path.startsWith('/')) return 'is absolute; paths are relative to the space root (e.g. "foo/1.jpg")';
  if (CONTROL_CHARS.test(path)) return 'contains a control character';
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
}

/** The request's items in SMH's wire format, each with an explicit strategy. */
export function toWireItems(request: SmhBatchCopyRequest): SmhWireCopyItem[] {
  return request.items.map((item, index) => {
    const wire: SmhWireCopyItem = {
      copyFrom: item.from,
      to: item.to,
      // Always explicit: the documented defaults disagree (older docs and SDKs rename files and ask for
      // folders; the newest user guide says `ask`).
      conflictResolutionStrategy: toWireStrategy(
        item.conflictStrategy ?? request.conflictStrategy ?? DEFAULT_STRATEGY,
        index,
      ),
    };
    if (item.fromSpaceId) wire.copyFromSpaceId = item.fromSpaceId;
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
  const c = code ?? '';
  if (status >= 500) return { code: 'UPSTREAM_ERROR', execution: 'unknown' };
  if (status === 429 || c === 'RateLimitExceeded') return { code: 'THROTTLED', execution: 'not-executed' };
  if (c === 'InvalidAccessToken' || c === 'EmptyAccessToken')
    return { code: 'UNAUTHENTICATED', execution: 'not-executed' };
  if (c === 'NoPermission' || c.startsWith('AccessTokenNotMatch') || status === 451) {
    return { code: 'PERMISSION_DENIED', execution: 'not-executed' };
  }
  if (c.endsWith('NotFound') || status === 404) return { code: 'NOT_FOUND', execution: 'not-executed' };
  if (c === 'QuotaLimitReached') return { code: 'QUOTA_EXCEEDED', execution: 'not-executed' };
  if (status === 409 || c === 'SameNameDirectoryOrFileExists' || c === 'OverwriteFileNotAllowed') {
    return { code: 'CONFLICT', execution: 'not-executed' };
  }
  if (status === 403) return { code: 'PERMISSION_DENIED', execution: 'not-executed' };
  return { code: 'INVALID_ARGUMENT', execution: 'not-executed' };
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
  if (!wire || status === undefined) {
    return {
      ...base,
      status: 'UNKNOWN',
      error: upstreamError(
        'SMH',
        'UPSTREAM_PROTOCOL_ERROR',
        unknownOutcome('SMH did not report a result for this item'),
        false,
      ),
    };
  }
  if (status === 200 || status === 204) {
    const finalPath = joinPath(wire.path) ?? to;
    return {
      ...base,
      status: 'SUCCEEDED',
      result: finalPath,
      renamed: finalPath !== undefined && finalPath !== to,
    };
  }
  // The upstream itself reports this item as not copied, whatever the status: it is a plain failure.
  const { code } = classifySmhError(status, wire.code);
  const error = upstreamError(
    'SMH',
    code,
    wire.message ?? `SMH could not copy this item (${status}).`,
    code === 'THROTTLED',
    {
      httpStatus: status,
      code: wire.code,
    },
  );
  return { ...base, status: 'FAILED', error };
}

/** The items of one upstream call, in request order, whatever the upstream sent back. */
export function fromWireResults(
  results: unknown,
  requested: readonly { from: string; to: string }[],
  offset: number,
): CopyItemResult[] {
  const list = Array.isArray(results) ? (results as SmhWireResultItem[]) : [];
  return requested.map((item, i) => fromWireItem(list[i], offset + i, item));
}

/** The items of a finished task, numbered from `offset` (where the task's chunk started in the request). */
export function fromTaskResults(results: unknown, offset: number): CopyItemResult[] {
  const list = Array.isArray(results) ? (results as SmhWireResultItem[]) : [];
  return list.map((wire, i) => fromWireItem(wire, offset + i));
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
