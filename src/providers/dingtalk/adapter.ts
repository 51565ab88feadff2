import type { BackgroundShape } from '../../copy/background.js';
import { dingTalkJobShape } from './job-shape.js';
import type { ProviderAdapter } from '../../copy/adapter.js';
import { checkCredential, mergeChunks, sendChunks, type ChunkInput } from '../kit/batch.js';
import type { CallContext } from '../../copy/call.js';
import { UpstreamFailure } from '../../copy/errors.js';
import type { RequestedItem } from '../../copy/progress.js';
import { chunk, mapBounded } from '../kit/concurrency.js';
import { callScope } from '../kit/call-scope.js';
import { isSafeToRetryRead, isSafeToRetryWrite, withRetry, type RetryPolicy } from '../kit/retry.js';
import { encodeTaskId } from '../../copy/task-id.js';
import type { CopyOutcome, CopyTask } from '../../copy/types.js';
import type { TokenSource } from '../../credentials/token-source.js';
import { withToken } from '../../credentials/with-token.js';
import type { DingTalkClient } from './client.js';
import {
  assembleTask,
  fromWireResults,
  toWireStrategy,
  unattributedRefusal,
  validateDingTalkRequest,
} from './translate.js';
import { dingTalkTaskRefs } from './task-ref.js';
import { DingTalkTargetReads } from './lookups.js';
import type { DingTalkBatchCopyRequest, DingTalkTaskPart, DingTalkTaskRef } from './types.js';
import type { DingTalkWireTask } from './wire.js';

/** How the DingTalk adapter splits, bounds and retries a request. */
export interface DingTalkLimits {
  /** dentryIds per upstream call (documented maximum: 3). */
  chunkSize: number;
  /** dentryIds one request may hold. */
  maxItems: number;
  /** Upstream calls of one request in flight at once. */
  concurrency: number;
  /** Policy for chunks refused by throttling (they did not run, so re-sending is safe). */
  retry: RetryPolicy;
}

/** Managed DingTalk tokens belong to the app, not to a library: one scope. */
const APP_SCOPE = 'app';

/** DingTalk's batch copy and task query for the copy service: chunks, tokens, retries, translation. */
export class DingTalkAdapter implements ProviderAdapter<DingTalkBatchCopyRequest, DingTalkTaskRef> {
  readonly provider = 'DINGTALK' as const;
  /** How a request splits into chunks when it runs in the background. */
  readonly background: BackgroundShape<DingTalkBatchCopyRequest>;
  readonly targetReads: DingTalkTargetReads;

  constructor(
    private readonly client: DingTalkClient,
    private readonly tokens: TokenSource,
    private readonly limits: DingTalkLimits,
  ) {
    this.background = dingTalkJobShape(limits);
    this.targetReads = new DingTalkTargetReads(client, tokens, limits);
  }

  /** What the request names at each index (pure; never throws, names what it can of a bad request). */
  requestedItems(request: DingTalkBatchCopyRequest): RequestedItem[] {
    return (request.dentryIds ?? []).map((id) => ({ source: id, target: request.targetFolderId }));
  }

  async batchCopy(request: DingTalkBatchCopyRequest, call: CallContext): Promise<CopyOutcome> {
    validateDingTalkRequest(request, this.limits.maxItems);
    const conflictStrategy = toWireStrategy(request.conflictStrategy);
    const requestedItems = this.requestedItems(request);
    const chunks: ChunkInput<string[]>[] = chunk(request.dentryIds, this.limits.chunkSize).map(
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
        const body = {
          targetSpaceId: request.targetSpaceId,
          targetFolderId: request.targetFolderId,
          dentryIds: payload,
          option: { conflictStrategy },
        };
        let answer: Awaited<ReturnType<DingTalkClient['batchCopy']>>;
        try {
          answer = await this.#withToken(call, (token) =>
            withRetry(
              (retry) =>
                this.client.batchCopy(
                  request.spaceId,
                  { unionId: request.unionId, token, ...callScope(call), retry },
                  body,
                ),
              isSafeToRetryWrite,
              this.limits.retry,
              call,
            ),
          );
        } catch (error) {
          const items =
            error instanceof UpstreamFailure
              ? unattributedRefusal(error.error, payload, offset, request.targetFolderId)
              : undefined;
          if (items) return { items, parts: [] };
          throw error;
        }
        return fromWireResults(answer.items, payload, offset, request.targetFolderId, answer.requestId);
      },
      call.progress,
    );
    return mergeChunks('DINGTALK', chunks, answers, (parts: DingTalkTaskPart[]) => ({
      id: encodeTaskId(dingTalkTaskRefs, { provider: 'DINGTALK', unionId: request.unionId, parts }),
      upstreamTaskIds: [...new Set(parts.map((p) => p.taskId))],
    }));
  }

  authorize(_request: DingTalkBatchCopyRequest, call: CallContext): Promise<void> {
    return checkCredential(this.provider, this.tokens, APP_SCOPE, call);
  }

  #withToken<T>(call: CallContext, fn: (token: string) => Promise<T>): Promise<T> {
    return withToken(this.tokens, APP_SCOPE, call.callerTokens[this.provider], call, fn);
  }

  /** One GET per distinct upstream task (DingTalk has no list query), de-duplicated across refs. */
  async loadTasks(
    refs: readonly DingTalkTaskRef[],
    call: CallContext,
  ): Promise<Array<CopyTask | null | Error>> {
    const wanted = new Map<string, { taskId: string; unionId: string }>();
    for (const ref of refs) {
      for (const part of ref.parts)
        wanted.set(JSON.stringify([ref.unionId, part.taskId]), { taskId: part.taskId, unionId: ref.unionId });
    }
    call.budget.reserve(wanted.size);
    const found = new Map<string, DingTalkWireTask | null | Error>();
    await mapBounded([...wanted.entries()], this.limits.concurrency, async ([key, { taskId, unionId }]) => {
      try {
        const task = await this.#withToken(call, (token) =>
          withRetry(
            (retry) => this.client.getTask(taskId, { unionId, token, ...callScope(call), retry }),
            isSafeToRetryRead,
            this.limits.retry,
            call,
          ),
        );
        found.set(key, task);
      } catch (error) {
        found.set(key, error instanceof Error ? error : new Error(String(error)));
      }
    });
    const checkedAt = new Date();
    return refs.map((ref) => {
      const tasks = new Map<string, DingTalkWireTask>();
      for (const part of ref.parts) {
        const task = found.get(JSON.stringify([ref.unionId, part.taskId]));
        if (task instanceof Error) return task;
        // A task DingTalk no longer knows makes the whole CopyTask unknown.
        if (!task) return null;
        tasks.set(part.taskId, task);
      }
      return assembleTask(ref, encodeTaskId(dingTalkTaskRefs, ref), tasks, checkedAt);
    });
  }

  close(): Promise<void> {
    return this.client.http.close();
  }
}
