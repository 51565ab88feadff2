import { authenticate } from './auth.js';
import {
  batchStatus,
  countSourceNodes,
  executeBatch,
  parseBatchBody,
  type CopyContext,
  type CopyItem,
} from './copy.js';
import type { SmhCore } from './core.js';
import { EmulatorError, param, type Reply, type Route, type RouteContext } from '../kit/index.js';
import { mayCopyAnything } from './permissions.js';
import type { BatchRecord } from './stats.js';

function runsInBackground(core: SmhCore, copy: CopyContext, items: readonly CopyItem[]): boolean {
  const { asyncThreshold, asyncNodeThreshold } = core.config;
  if (asyncThreshold === 'always') return true;
  if (asyncThreshold === 'never') return false;
  if (items.length > asyncThreshold) return true;
  return asyncNodeThreshold !== undefined && countSourceNodes(copy, items) > asyncNodeThreshold;
}

async function batchCopy(core: SmhCore, ctx: RouteContext): Promise<Reply> {
  const q = ctx.url.searchParams;
  if (!q.has('copy')) {
    if (q.has('move') || q.has('delete')) {
      throw new EmulatorError(501, 'NotImplemented', 'the emulator only implements batch copy');
    }
    throw new EmulatorError(400, 'InvalidArgument', 'batch operation flag (copy) is missing');
  }
  const libraryId = param(ctx, 'libraryId');
  const spaceId = param(ctx, 'spaceId');
  const token = authenticate(core, ctx.url, libraryId, spaceId);
  const items = parseBatchBody(await ctx.body(), core.config.maxItems);
  if (!mayCopyAnything(token)) {
    throw new EmulatorError(403, 'NoPermission', 'access token has no copy grant');
  }
  const copy: CopyContext = {
    store: core.store,
    libraryId,
    spaceId,
    // A snapshot, so a background task keeps the rights the caller had when it was accepted.
    grantee: { grants: new Set(token.grants), spaceIds: token.spaceIds },
    itemFaults: core.itemFaults,
    onCopied: (copied) => core.stats.recordCopy({ requestId: ctx.requestId, ...copied }),
  };
  const background = runsInBackground(core, copy, items);
  const record: BatchRecord = {
    requestId: ctx.requestId,
    libraryId,
    spaceId,
    items: items.length,
    mode: background ? 'async' : 'sync',
  };
  core.stats.recordBatch(record);
  const run = () => {
    const outcome = executeBatch(copy, items);
    core.stats.recordExecution(record, outcome.executed, outcome.nodesCopied);
    core.stats.itemFaultsFired = core.itemFaults.firedCount;
    return { status: batchStatus(outcome.results), result: outcome.results };
  };
  if (!background) {
    const { status, result } = run();
    return { status, body: { result } };
  }
  const taskId = core.tasks.create(libraryId, spaceId, core.config.taskDurationMs, run);
  record.taskId = taskId;
  core.stats.tasksCreated += 1;
  return { status: 202, body: { taskId } };
}

function queryTasks(core: SmhCore, ctx: RouteContext): Reply {
  const libraryId = param(ctx, 'libraryId');
  const spaceId = param(ctx, 'spaceId');
  authenticate(core, ctx.url, libraryId, spaceId);
  const parts = param(ctx, 'taskIdList').split(',');
  if (!parts.every((p) => /^\d+$/.test(p))) {
    throw new EmulatorError(400, 'InvalidArgument', 'TaskIdList must be task ids separated by commas');
  }
  return { status: 200, body: core.tasks.query(libraryId, spaceId, parts.map(Number)) };
}

/** `POST /api/v1/batch/:libraryId/:spaceId?copy` and `GET /api/v1/task/:libraryId/:spaceId/:taskIdList`. */
export function batchRoutes(core: SmhCore): Route[] {
  return [
    {
      name: 'batch.copy',
      method: 'POST',
      path: '/api/v1/batch/:libraryId/:spaceId',
      handle: (ctx) => batchCopy(core, ctx),
    },
    {
      name: 'task.query',
      method: 'GET',
      path: '/api/v1/task/:libraryId/:spaceId/:taskIdList',
      handle: (ctx) => queryTasks(core, ctx),
    },
  ];
}
