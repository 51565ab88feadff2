/**
 * Pure translation between the domain and DingTalk storage's wire format, both directions. No I/O:
 * the DingTalk unit tests live against this module.
 */
import {
  answerExecution,
  failedItemStatus,
  InputError,
  unknownOutcome,
  upstreamError,
  type Execution,
  redirectCode,
} from '../../copy/errors.js';
import { combineTaskStates, summarize } from '../../copy/summary.js';
import { firstDuplicate, idProblem } from '../../copy/validate.js';
import type {
  ConflictStrategy,
  CopyErrorCode,
  CopyErrorInfo,
  CopyItemResult,
  CopyTask,
  CopyTaskState,
  UpstreamEntryCounts,
} from '../../copy/types.js';
import type { DingTalkBatchCopyRequest, DingTalkTaskPart, DingTalkTaskRef } from './types.js';
import { answerEvidence } from '../../copy/evidence.js';
import type { DingTalkWireResultItem, DingTalkWireStrategy, DingTalkWireTask } from './wire.js';

const STRATEGY: Record<ConflictStrategy, DingTalkWireStrategy> = {
  FAIL: 'RETURN_ERROR_IF_EXISTS',
  RENAME: 'AUTO_RENAME',
  OVERWRITE: 'OVERWRITE',
  KEEP_EXISTING: 'RETURN_DENTRY_IF_EXISTS',
};

/** Never lose or silently rename data unless asked: DingTalk's own default is AUTO_RENAME. */
export const DEFAULT_STRATEGY: ConflictStrategy = 'FAIL';

/** The unified conflict strategy as DingTalk's `option.conflictStrategy` (FAIL when unset). */
export function toWireStrategy(strategy: ConflictStrategy | null | undefined): DingTalkWireStrategy {
  return STRATEGY[strategy ?? DEFAULT_STRATEGY];
}

function checkId(value: string, field: string, index?: number): void {
  const problem = idProblem(value);
  if (!problem) return;
  const where = index === undefined ? field : `${field}[${index}]`;
  throw new InputError(
    `${where} ${problem}.`,
    index === undefined ? { field } : { field: `${field}.${index}`, index },
  );
}

/** Checks a request before anything is sent; throws InputError naming the first bad field or item. */
export function validateDingTalkRequest(request: DingTalkBatchCopyRequest, maxItems: number): void {
  for (const field of ['spaceId', 'unionId', 'targetSpaceId', 'targetFolderId'] as const)
    checkId(request[field], field);
  if (request.dentryIds.length === 0)
    throw new InputError('dentryIds must not be empty.', { field: 'dentryIds' });
  if (request.dentryIds.length > maxItems) {
    throw new InputError(
      `dentryIds has ${request.dentryIds.length} entries; the gateway accepts at most ${maxItems}.`,
      {
        field: 'dentryIds',
      },
    );
  }
  request.dentryIds.forEach((id, index) => checkId(id, 'dentryIds', index));
  // The same dentry twice would be copied twice (OVERWRITE, RENAME) and its two outcomes could not be
  // told apart. Ids are compared exactly: they are opaque strings.
  const duplicate = firstDuplicate(request.dentryIds);
  if (duplicate) {
    const [earlier, index] = duplicate;
    throw new InputError(`dentryIds[${index}] is the same as dentryIds[${earlier}].`, {
      field: `dentryIds.${index}`,
      index,
    });
  }
}

const QPS_LIMIT = /^Forbidden\.AccessDenied\.Qps/;

/** A DingTalk error code (with its HTTP status) → the unified code, and whether the work can have run. */
export function classifyDingTalkError(
  status: number,
  code: string | undefined,
): { code: CopyErrorCode; execution: Execution } {
  const unified = redirectCode(status) ?? dingTalkCode(status, code ?? '');
  return { code: unified, execution: answerExecution(unified) };
}

function dingTalkCode(status: number, c: string): CopyErrorCode {
  if (status === 401 || c.startsWith('InvalidAuthentication') || c.startsWith('AuthenticationFailed')) {
    return 'UNAUTHENTICATED';
  }
  // Both are refusals before any work began (throttling is checked before the call runs:
  // https://open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server),
  // so sending again later is safe.
  if (c === 'operationConcurrentControl' || QPS_LIMIT.test(c) || status === 429) return 'THROTTLED';
  // Server-fault codes also arrive without their 5xx status: as an item's errorCode or a task's failMessage.
  if (status === 503 || c === 'operationTimeout') return 'UPSTREAM_TIMEOUT';
  if (status >= 500 || c === 'systemError' || c === 'unknownError') return 'UPSTREAM_ERROR';
  if (c.endsWith('QuotaInsufficient') || c === 'Forbidden.AccessDenied.ApiCountLimitForOrg') {
    return 'QUOTA_EXCEEDED';
  }
  if (c === 'permissionDenied' || status === 403) return 'PERMISSION_DENIED';
  if (c === 'dentryNotExist' || c === 'spaceNotExist' || c === 'taskNotExist' || status === 404) {
    return 'NOT_FOUND';
  }
  if (c === 'dentryAlreadyExist') return 'CONFLICT';
  return 'INVALID_ARGUMENT';
}

/**
 * What an answer that is not JSON means at DingTalk: its IP-level limit answers 403 (or 429) with an
 * HTML page instead of a JSON error, and the request did not run.
 */
export function dingTalkPageCode(status: number): CopyErrorCode | undefined {
  return status === 403 || status === 429 ? 'THROTTLED' : undefined;
}

/** DingTalk can make a re-send safe: KEEP_EXISTING returns the copy that is already there. */
const RESEND_HINT = ', or send it again with conflictStrategy KEEP_EXISTING';

/** A DingTalk error answer as a CopyError, with whether the work can have run. */
export function dingTalkErrorInfo(
  status: number,
  body: { code?: string; message?: string; requestid?: string } | undefined,
  requestId?: string,
): { error: CopyErrorInfo; execution: Execution } {
  const { code, execution } = classifyDingTalkError(status, body?.code);
  const what = `DingTalk answered ${status}${body?.code ? ` ${body.code}` : ''}`;
  const message =
    execution === 'unknown'
      ? unknownOutcomeMessage(what)
      : code === 'THROTTLED'
        ? `${what}: the request was throttled and did not run; retry later.`
        : body?.message
          ? `${what}: ${body.message}`
          : `${what}.`;
  const upstream = { httpStatus: status, code: body?.code, requestId: body?.requestid ?? requestId };
  return { error: upstreamError('DINGTALK', code, message, code === 'THROTTLED', upstream), execution };
}

/** Message for a chunk that was sent and whose answer was lost. */
export function unknownOutcomeMessage(reason: string): string {
  return unknownOutcome(reason, RESEND_HINT);
}

/**
 * Items of one chunk's answer, in request order. Results are matched by dentryId when the upstream
 * names them (unique ids), else by position; a missing result is UNKNOWN.
 */
export function fromWireResults(
  results: unknown,
  dentryIds: readonly string[],
  offset: number,
  targetFolderId: string,
  requestId?: string,
): { items: CopyItemResult[]; parts: DingTalkTaskPart[] } {
  const list = (Array.isArray(results) ? results : []).filter(
    (r): r is DingTalkWireResultItem => typeof r === 'object' && r !== null,
  );
  const unique = new Set(dentryIds).size === dentryIds.length;
  const byId = new Map(
    list.filter((r) => typeof r.dentryId === 'string').map((r) => [r.dentryId as string, r]),
  );
  const useIds = unique && byId.size === list.length && list.length > 0;
  const parts: DingTalkTaskPart[] = [];
  const items = dentryIds.map((dentryId, i): CopyItemResult => {
    const index = offset + i;
    const base = { index, source: dentryId, target: targetFolderId, renamed: false };
    const wire = useIds ? byId.get(dentryId) : list[i];
    const unreadable = (what: string): CopyItemResult => ({
      ...base,
      status: 'UNKNOWN',
      error: upstreamError('DINGTALK', 'UPSTREAM_PROTOCOL_ERROR', unknownOutcomeMessage(what), false, {
        requestId,
      }),
      evidence: 'NONE',
    });
    if (!wire) return unreadable('DingTalk reported no result for this item');
    const result = typeof wire.targetDentryId === 'string' ? wire.targetDentryId : undefined;
    if (
      wire.async === true &&
      wire.taskId !== undefined &&
      wire.taskId !== null &&
      String(wire.taskId) !== ''
    ) {
      parts.push({ taskId: String(wire.taskId), index, source: dentryId, result });
      return { ...base, status: 'PENDING', result, evidence: 'UPSTREAM_ANSWER' };
    }
    if (wire.success === true) return { ...base, status: 'SUCCEEDED', result, evidence: 'UPSTREAM_ANSWER' };
    if (wire.success === false) {
      // A server-fault code on an item (systemError, operationTimeout) leaves its outcome in doubt.
      const { code, execution } = classifyDingTalkError(400, wire.errorCode);
      const what = `DingTalk could not copy this item (${wire.errorCode ?? 'no error code'})`;
      const message = execution === 'unknown' ? unknownOutcomeMessage(what) : `${what}.`;
      const error = upstreamError('DINGTALK', code, message, code === 'THROTTLED', {
        code: wire.errorCode,
        requestId,
      });
      const status = failedItemStatus(execution);
      return { ...base, status, error, evidence: answerEvidence(status) };
    }
    return unreadable('DingTalk reported this item in an unknown shape');
  });
  return { items, parts };
}

/**
 * Request-level codes that are about one entry of the request (DingTalk documents both at request level
 * for batch copy: "name clash", "the operator may not copy the item") without saying which one.
 */
const ENTRY_CODES: ReadonlySet<string> = new Set(['dentryAlreadyExist', 'permissionDenied']);

/**
 * The items of a chunk DingTalk refused as a whole with a code about one entry, when the chunk holds
 * several: no entry is reported CONFLICT or PERMISSION_DENIED without evidence about that entry, and
 * DingTalk does not say whether the chunk's other entries ran before the refusal, so each is UNKNOWN
 * (with the upstream's code and request id kept). Re-sending them one at a time to find out is not
 * safe: an entry that did run would be copied again under RENAME or OVERWRITE, and under FAIL its
 * CONFLICT could not be told from a name taken before. Undefined when the code is not such a code or
 * the chunk holds one entry (the code then applies to that entry, as it is).
 */
export function unattributedRefusal(
  error: CopyErrorInfo,
  dentryIds: readonly string[],
  offset: number,
  targetFolderId: string,
): CopyItemResult[] | undefined {
  const upstreamCode = error.upstream?.code;
  if (dentryIds.length < 2 || upstreamCode === undefined || !ENTRY_CODES.has(upstreamCode)) return undefined;
  const what = `DingTalk refused the ${dentryIds.length} entries sent together with ${upstreamCode} (${error.upstream?.httpStatus ?? 'no status'}) without saying which entry it was about`;
  const itemError = upstreamError('DINGTALK', 'UPSTREAM_ERROR', unknownOutcomeMessage(what), false, {
    ...error.upstream,
  });
  return dentryIds.map((dentryId, i) => ({
    index: offset + i,
    status: 'UNKNOWN',
    source: dentryId,
    target: targetFolderId,
    renamed: false,
    error: itemError,
    evidence: 'NONE' as const,
  }));
}

function count(value: number | string | undefined): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

/**
 * One DingTalk task's state. The task API documents `failCount` beside the status, and a task can end
 * `SUCCESS` with some entries failed: that counts as partial.
 */
export function wireTaskState(task: DingTalkWireTask): CopyTaskState {
  const failed = count(task.failCount);
  const succeeded = count(task.successCount);
  if (task.status === 'SUCCESS') return failed === 0 ? 'SUCCEEDED' : 'PARTIALLY_FAILED';
  if (task.status === 'FAIL') return succeeded > 0 ? 'PARTIALLY_FAILED' : 'FAILED';
  return 'RUNNING';
}

/**
 * The item a finished DingTalk task leaves for one asynchronously copied entry. Work that ran in part
 * is never reported as not run: when some sub-entries were copied, or DingTalk named the copy's root
 * when it accepted the request (the root then exists before the task runs), the item is FAILED with
 * PARTIALLY_COPIED and its `result`, not retryable (sending it again would copy the folder twice).
 * Otherwise the task's `failMessage` decides, under the one rule for server faults (UNKNOWN).
 */
export function finishedTaskItem(part: DingTalkTaskPart, task: DingTalkWireTask): CopyItemResult {
  const base = { index: part.index, source: part.source, result: part.result, renamed: false };
  const state = wireTaskState(task);
  if (state === 'RUNNING') return { ...base, status: 'PENDING', evidence: 'UPSTREAM_ANSWER' };
  if (state === 'SUCCEEDED') return { ...base, status: 'SUCCEEDED', evidence: 'UPSTREAM_ANSWER' };
  const succeeded = count(task.successCount);
  const upstream = { code: task.failMessage };
  const counts = `${succeeded} of ${count(task.totalCount)} entries copied, ${count(task.failCount)} failed`;
  const why = task.failMessage ? ` (${task.failMessage})` : '';
  if (succeeded > 0 || part.result !== undefined) {
    const where = part.result === undefined ? '' : ` under the new entry ${part.result}`;
    const message = `DingTalk's copy task ${part.taskId} ended ${task.status} with ${counts}${why}: the copy exists in part${where}. Check the target before sending it again.`;
    return {
      ...base,
      status: 'FAILED',
      error: upstreamError('DINGTALK', 'PARTIALLY_COPIED', message, false, upstream),
      evidence: 'UPSTREAM_ANSWER',
    };
  }
  const { code, execution } = classifyDingTalkError(400, task.failMessage);
  const what = `DingTalk's copy task ${part.taskId} ended ${task.status} with ${counts}${why}`;
  const message = execution === 'unknown' ? unknownOutcomeMessage(what) : `${what}.`;
  const status = failedItemStatus(execution);
  return {
    ...base,
    status,
    error: upstreamError('DINGTALK', code, message, false, upstream),
    evidence: answerEvidence(status),
  };
}

/** The state an item gives its task: a partial copy is a partial failure, whatever the task says. */
function itemState(item: CopyItemResult): CopyTaskState {
  if (item.status === 'PENDING') return 'RUNNING';
  if (item.status === 'SUCCEEDED') return 'SUCCEEDED';
  return item.error?.code === 'PARTIALLY_COPIED' ? 'PARTIALLY_FAILED' : 'FAILED';
}

/**
 * One CopyTask from the DingTalk tasks its async items run in (one per distinct task id). `summary`
 * counts the task's items; DingTalk's sub-task counts (every entry below the copied folders) are kept
 * apart in `entries`.
 */
export function assembleTask(
  ref: DingTalkTaskRef,
  id: string,
  tasks: ReadonlyMap<string, DingTalkWireTask>,
  checkedAt: Date,
): CopyTask {
  const entries: UpstreamEntryCounts = { total: 0, succeeded: 0, failed: 0 };
  for (const taskId of new Set(ref.parts.map((p) => p.taskId))) {
    const task = tasks.get(taskId) as DingTalkWireTask;
    const succeeded = count(task.successCount);
    const failed = count(task.failCount);
    entries.total += Math.max(count(task.totalCount), succeeded + failed);
    entries.succeeded += succeeded;
    entries.failed += failed;
  }
  const items = ref.parts.map((part) => finishedTaskItem(part, tasks.get(part.taskId) as DingTalkWireTask));
  const state = combineTaskStates(items.map(itemState));
  return {
    id,
    provider: 'DINGTALK',
    state,
    done: state !== 'RUNNING',
    items,
    summary: summarize(items),
    entries,
    upstreamTaskIds: [...new Set(ref.parts.map((p) => p.taskId))],
    checkedAt,
  };
}
