import type { BackgroundShape } from '../../copy/background.js';
import { MAX_TASK_IDS_PER_QUERY, smhJobShape } from './job-shape.js';
import type { ProviderAdapter } from '../../copy/adapter.js';
import { answerEvidence } from '../../copy/evidence.js';
import { failedItemStatus, unknownOutcome, upstreamError } from '../../copy/errors.js';
import type { CallContext } from '../../copy/call.js';
import { chunk, mapBounded } from '../kit/concurrency.js';
import { callScope } from '../kit/call-scope.js';
import { isSafeToRetryRead, isSafeToRetryWrite, withRetry, type RetryPolicy } from '../kit/retry.js';
import { combineTaskStates, summarize } from '../../copy/summary.js';
import { checkCredential, mergeChunks, sendChunks, type ChunkInput } from '../kit/batch.js';
import { withToken } from '../../credentials/with-token.js';
import { encodeTaskId } from '../../copy/task-id.js';
import type { CopyItemResult, CopyOutcome, CopySummary, CopyTask, CopyTaskState } from '../../copy/types.js';
import type { RequestedItem } from '../../copy/progress.js';
import type { TokenSource } from '../../credentials/token-source.js';
import type { SmhClient, SmhScope } from './client.js';
import {
  classifySmhError,
  fromTaskResults,
  fromWireResults,
  normalizeSmhRequest,
  taskState,
  toWireItems,
  validateSmhRequest,
  wireTaskId,
} from './translate.js';
import { smhTaskRefs } from './task-ref.js';
import { SmhTargetReads } from './lookups.js';
import type { SmhBatchCopyRequest, SmhTaskPart, SmhTaskRef } from './types.js';
import type { SmhWireCopyItem, SmhWireTask } from './wire.js';

/** How the SMH adapter splits, bounds and retries a request. */
export interface SmhLimits {
  /** Items per upstream call (the documented maximum is 1000). */
  chunkSize: number;
  maxItems: number;
  concurrency: number;
  retry: RetryPolicy;
}

/** SMH's batch copy and task query for the copy service: chunks, tokens, retries, translation. */
export class SmhAdapter implements ProviderAdapter<SmhBatchCopyRequest, SmhTaskRef> {
  readonly provider = 'SMH' as const;
  /** How a request splits into chunks when it runs in the background. */
  readonly background: BackgroundShape<SmhBatchCopyRequest>;
  readonly targetReads: SmhTargetReads;

  constructor(
    private readonly client: SmhClient,
    private readonly tokens: TokenSource,
    private readonly limits: SmhLimits,
  ) {
    this.background = smhJobShape(limits);
    this.targetReads = new SmhTargetReads(client, tokens, limits);
  }

  /** What the request names at each index (pure; never throws, names what it can of a bad request). */
  requestedItems(request: SmhBatchCopyRequest): RequestedItem[] {
    return (request.items ?? []).map((item) => ({ source: item.from, target: item.to }));
  }

  async batchCopy(input: SmhBatchCopyRequest, call: CallContext): Promise<CopyOutcome> {
    validateSmhRequest(input, this.limits.maxItems);
    const request = normalizeSmhRequest(input);
    const scope = {
      libraryId: request.libraryId,
      spaceId: request.spaceId ?? '-',
      userId: request.userId ?? undefined,
    };
    const wireItems = toWireItems(request);
    const requestedItems = this.requestedItems(request);
    const chunks: ChunkInput<SmhWireCopyItem[]>[] = chunk(wireItems, this.limits.chunkSize).map(
      (payload, i) => {
        const offset = i * this.limits.chunkSize;
        return { offset, payload, requested: requestedItems.slice(offset, offset + payload.length) };
      },
    );
    call.budget.reserve(chunks.length);

    const answers = await sendChunks(
      chunks,
      this.limits.concurrency,
      async ({ offset, payload }) => {
        const answer = await this.#withToken(scope.libraryId, call, (token) =>
          withRetry(
            (retry) => this.client.batchCopy({ ...scope, token, ...callScope(call), retry }, payload),
            isSafeToRetryWrite,
            this.limits.retry,
            call,
          ),
        );
        const requested = request.items.slice(offset, offset + payload.length);
        if (answer.kind === 'done')
          return { items: fromWireResults(answer.results, requested, offset, answer.requestId), parts: [] };
        const items = requested.map((item, k): CopyItemResult => ({
          index: offset + k,
          status: 'PENDING',
          source: item.from,
          target: item.to,
          renamed: false,
          evidence: 'UPSTREAM_ANSWER',
        }));
        return { items, parts: [{ taskId: answer.taskId, offset, count: payload.length }] };
      },
      call.progress,
    );
    return mergeChunks('SMH', chunks, answers, (parts: SmhTaskPart[]) => ({
      id: encodeTaskId(smhTaskRefs, { provider: 'SMH', ...scope, parts }),
      upstreamTaskIds: parts.map((p) => p.taskId),
    }));
  }

  authorize(request: SmhBatchCopyRequest, call: CallContext): Promise<void> {
    return checkCredential(this.provider, this.tokens, request.libraryId, call);
  }

  #withToken<T>(libraryId: string, call: CallContext, fn: (token: string) => Promise<T>): Promise<T> {
    return withToken(this.tokens, libraryId, call.callerTokens[this.provider], call, fn);
  }

  async loadTasks(refs: readonly SmhTaskRef[], call: CallContext): Promise<Array<CopyTask | null | Error>> {
    // One GET per library, space and user, for all their task ids (at most 100 per call).
    const groups = new Map<string, { scope: Omit<SmhScope, 'token'>; ids: Set<string> }>();
    const keyOf = (ref: SmhTaskRef) => JSON.stringify([ref.libraryId, ref.spaceId, ref.userId ?? '']);
    for (const ref of refs) {
      const key = keyOf(ref);
      const group = groups.get(key) ?? {
        scope: { libraryId: ref.libraryId, spaceId: ref.spaceId, userId: ref.userId },
        ids: new Set(),
      };
      ref.parts.forEach((p) => group.ids.add(p.taskId));
      groups.set(key, group);
    }
    const found = new Map<string, Map<string, SmhWireTask> | Error>();
    const queries = [...groups.entries()].flatMap(([key, group]) =>
      chunk([...group.ids], MAX_TASK_IDS_PER_QUERY).map((ids) => ({ key, group, ids })),
    );
    call.budget.reserve(queries.length);
    await mapBounded(queries, this.limits.concurrency, async ({ key, group, ids }) => {
      try {
        const tasks = await this.#withToken(group.scope.libraryId, call, (token) =>
          withRetry(
            (retry) => this.client.queryTasks({ ...group.scope, token, ...callScope(call), retry }, ids),
            isSafeToRetryRead,
            this.limits.retry,
            call,
          ),
        );
        const byId = found.get(key);
        const map = byId instanceof Map ? byId : new Map<string, SmhWireTask>();
        for (const task of tasks) {
          const id = wireTaskId(task);
          if (id !== undefined) map.set(id, task);
        }
        if (!(byId instanceof Error)) found.set(key, map);
      } catch (error) {
        found.set(key, error instanceof Error ? error : new Error(String(error)));
      }
    });
    const checkedAt = new Date();
    return refs.map((ref) => {
      const tasks = found.get(keyOf(ref));
      if (tasks instanceof Error) return tasks;
      const wire = ref.parts.map((p) => tasks?.get(p.taskId));
      if (wire.some((t) => t === undefined)) return null;
      return assembleTask(ref, wire as SmhWireTask[], checkedAt);
    });
  }

  close(): Promise<void> {
    return this.client.http.close();
  }
}

/** One CopyTask from the upstream tasks it covers. */
export function assembleTask(ref: SmhTaskRef, wire: readonly SmhWireTask[], checkedAt: Date): CopyTask {
  const items: CopyItemResult[] = [];
  const summary: CopySummary = { total: 0, succeeded: 0, failed: 0, pending: 0, unknown: 0 };
  const states: CopyTaskState[] = [];
  ref.parts.forEach((part, i) => {
    const task = wire[i] as SmhWireTask;
    summary.total += part.count;
    if (task.status === 202) {
      summary.pending += part.count;
      states.push('RUNNING');
      return;
    }
    // Exactly one item per index of the part: extra results would land on the next part's indices.
    const partItems = fromTaskResults(task.result, part.offset).slice(0, part.count);
    // A task that failed as a whole (500) may report no items: the rest take the task's status.
    for (let k = partItems.length; k < part.count; k++) {
      partItems.push(unreportedItem(part.offset + k, task.status));
    }
    items.push(...partItems);
    const counted = summarize(partItems);
    summary.succeeded += counted.succeeded;
    summary.failed += counted.failed;
    summary.unknown += counted.unknown;
    states.push(taskState(task.status, partItems));
  });
  const state = combineTaskStates(states);
  return {
    id: encodeTaskId(smhTaskRefs, ref),
    provider: 'SMH',
    state,
    done: state !== 'RUNNING',
    items,
    summary,
    upstreamTaskIds: ref.parts.map((p) => p.taskId),
    checkedAt,
  };
}

/**
 * An item of a finished task that SMH gave no result for; the batch answer fills in its source. The
 * task's own status decides: success, a refusal (FAILED), or a server fault (UNKNOWN: the task may
 * have copied it before it failed).
 */
function unreportedItem(index: number, taskStatus: number): CopyItemResult {
  if (taskStatus === 200 || taskStatus === 204) {
    return { index, status: 'SUCCEEDED', source: '', renamed: false, evidence: 'UPSTREAM_ANSWER' };
  }
  const { code, execution } = classifySmhError(taskStatus, undefined);
  const what = `SMH reported the task as failed (${taskStatus}) without a result for this item`;
  const status = failedItemStatus(execution);
  return {
    index,
    status,
    evidence: answerEvidence(status),
    source: '',
    renamed: false,
    error: upstreamError('SMH', code, execution === 'unknown' ? unknownOutcome(what) : `${what}.`, false, {
      httpStatus: taskStatus,
    }),
  };
}
