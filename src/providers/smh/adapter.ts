import type { ProviderAdapter } from '../../copy/adapter.js';
import type { CallContext } from '../../copy/call.js';
import { chunk, mapBounded } from '../../copy/concurrency.js';
import { GatewayError, UpstreamFailure } from '../../copy/errors.js';
import { isSafeToRetryRead, isSafeToRetryWrite, withRetry, type RetryPolicy } from '../../copy/retry.js';
import { outcomeFromItems, summarize } from '../../copy/summary.js';
import { encodeTaskId, type SmhTaskPart, type SmhTaskRef } from '../../copy/task-id.js';
import type {
  CopyItemResult,
  CopyOutcome,
  CopySummary,
  CopyTask,
  CopyTaskState,
  SmhBatchCopyRequest,
} from '../../copy/types.js';
import type { TokenSource } from '../../credentials/token-source.js';
import type { SmhBatchAnswer, SmhClient, SmhScope } from './client.js';
import {
  fromTaskResults,
  fromWireResults,
  taskState,
  toWireItems,
  validateSmhRequest,
  wireTaskId,
} from './translate.js';
import type { SmhWireCopyItem, SmhWireTask } from './wire.js';

export interface SmhLimits {
  chunkSize: number;
  maxItems: number;
  concurrency: number;
  retry: RetryPolicy;
}

/** The task query takes a comma list in the path; no limit is documented, so stay well below any URL limit. */
const MAX_TASK_IDS_PER_QUERY = 100;

type ChunkAnswer = { answer: SmhBatchAnswer } | { failure: UpstreamFailure };

export class SmhAdapter implements ProviderAdapter<SmhBatchCopyRequest, SmhTaskRef> {
  readonly provider = 'SMH' as const;

  constructor(
    private readonly client: SmhClient,
    private readonly tokens: TokenSource,
    private readonly limits: SmhLimits,
  ) {}

  async batchCopy(request: SmhBatchCopyRequest, call: CallContext): Promise<CopyOutcome> {
    validateSmhRequest(request, this.limits.maxItems);
    const wireItems = toWireItems(request);
    const chunks = chunk(wireItems, this.limits.chunkSize);
    call.budget.reserve(chunks.length);
    const spaceId = request.spaceId ?? '-';
    const scope = { libraryId: request.libraryId, spaceId, userId: request.userId ?? undefined };

    const answers = await mapBounded(chunks, this.limits.concurrency, (items) =>
      this.#sendChunk(scope, items, call),
    );

    const items: CopyItemResult[] = [];
    const parts: SmhTaskPart[] = [];
    const failures: UpstreamFailure[] = [];
    let offset = 0;
    for (const [i, answer] of answers.entries()) {
      const requested = request.items.slice(offset, offset + (chunks[i]?.length ?? 0));
      if ('failure' in answer) {
        failures.push(answer.failure);
        const status = answer.failure.execution === 'unknown' ? 'UNKNOWN' : 'FAILED';
        requested.forEach((item, k) =>
          items.push({
            index: offset + k,
            status,
            source: item.from,
            target: item.to,
            renamed: false,
            error: answer.failure.error,
          }),
        );
      } else if (answer.answer.kind === 'async') {
        parts.push({ taskId: answer.answer.taskId, offset, count: requested.length });
        requested.forEach((item, k) =>
          items.push({
            index: offset + k,
            status: 'PENDING',
            source: item.from,
            target: item.to,
            renamed: false,
          }),
        );
      } else {
        items.push(...fromWireResults(answer.answer.results, requested, offset));
      }
      offset += requested.length;
    }

    // A credential problem is the caller's, not an item's: it ends the operation.
    const auth = failures.find((f) => f.code === 'UNAUTHENTICATED');
    if (auth) throw new GatewayError(auth.error.message, 'UNAUTHENTICATED', { provider: 'SMH' });
    if (failures.length === answers.length && failures.every((f) => f.execution === 'not-executed')) {
      return { kind: 'rejected', provider: 'SMH', items, error: (failures[0] as UpstreamFailure).error };
    }
    if (parts.length === 0) return outcomeFromItems('SMH', items);
    const ref: SmhTaskRef = { provider: 'SMH', ...scope, parts };
    const pending = items.filter((item) => item.status === 'PENDING');
    const task: CopyTask = {
      id: encodeTaskId(ref),
      provider: 'SMH',
      state: 'RUNNING',
      done: false,
      items: pending,
      summary: summarize(pending),
      upstreamTaskIds: parts.map((p) => p.taskId),
      checkedAt: new Date(),
    };
    return outcomeFromItems('SMH', items, task);
  }

  /** Sends one chunk, retrying only what provably did not run, and refreshing a rejected managed token once. */
  async #sendChunk(
    scope: Omit<SmhScope, 'token'>,
    items: SmhWireCopyItem[],
    call: CallContext,
  ): Promise<ChunkAnswer> {
    try {
      const answer = await this.#withToken(scope.libraryId, call, (token) =>
        withRetry(
          () => this.client.batchCopy({ ...scope, token, signal: call.signal }, items),
          isSafeToRetryWrite,
          this.limits.retry,
          call.signal,
        ),
      );
      return { answer };
    } catch (error) {
      if (error instanceof UpstreamFailure) return { failure: error };
      throw error;
    }
  }

  /** Runs `fn` with a token; a managed token the upstream rejects is replaced and `fn` runs once more. */
  async #withToken<T>(libraryId: string, call: CallContext, fn: (token: string) => Promise<T>): Promise<T> {
    const token = call.callerTokens.smh ?? (await this.tokens.token(libraryId, call));
    try {
      return await fn(token);
    } catch (error) {
      const rejected = error instanceof UpstreamFailure && error.code === 'UNAUTHENTICATED';
      if (!rejected || call.callerTokens.smh || !this.tokens.refreshable) throw error;
      // Safe: a call refused for its token did not run.
      this.tokens.invalidate(libraryId, token);
      return fn(await this.tokens.token(libraryId, call));
    }
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
            () => this.client.queryTasks({ ...group.scope, token, signal: call.signal }, ids),
            isSafeToRetryRead,
            this.limits.retry,
            call.signal,
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
    const partItems = fromTaskResults(task.result, part.offset);
    items.push(...partItems);
    const counted = summarize(partItems);
    // A task that failed as a whole (500) may report no items: count the rest by the task's status.
    const unreported = Math.max(0, part.count - partItems.length);
    summary.succeeded += counted.succeeded + (task.status === 200 ? unreported : 0);
    summary.failed += counted.failed + (task.status === 200 ? 0 : unreported);
    summary.unknown += counted.unknown;
    states.push(taskState(task.status, partItems));
  });
  const state: CopyTaskState = states.includes('RUNNING')
    ? 'RUNNING'
    : states.every((s) => s === 'SUCCEEDED')
      ? 'SUCCEEDED'
      : states.every((s) => s === 'FAILED')
        ? 'FAILED'
        : 'PARTIALLY_FAILED';
  return {
    id: encodeTaskId(ref),
    provider: 'SMH',
    state,
    done: state !== 'RUNNING',
    items,
    summary,
    upstreamTaskIds: ref.parts.map((p) => p.taskId),
    checkedAt,
  };
}
