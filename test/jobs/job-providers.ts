import type { ProviderAdapter } from '../../src/copy/adapter.js';
import { decodeTaskId, type TaskRef, type TaskRefCodec } from '../../src/copy/task-id.js';
import { dingTalkTaskRefs } from '../../src/providers/dingtalk/task-ref.js';
import type { DingTalkBatchCopyRequest } from '../../src/providers/dingtalk/types.js';
import { smhTaskRefs } from '../../src/providers/smh/task-ref.js';
import type { SmhBatchCopyRequest } from '../../src/providers/smh/types.js';
import type { JobProvider } from '../../src/jobs/executor.js';

type Adapter<Request> = ProviderAdapter<Request, TaskRef>;

function loader(adapter: Adapter<unknown>, codec: TaskRefCodec): JobProvider['loadTask'] {
  return async (id, call) => {
    const [task] = await adapter.loadTasks([decodeTaskId(id, [codec])], call);
    return task ?? null;
  };
}

/** SMH's batch as a job: items are `items`, one upstream call per `chunkSize` of them. */
export function smhJobProvider(adapter: Adapter<SmhBatchCopyRequest>, chunkSize: number): JobProvider {
  const of = (request: unknown) => request as SmhBatchCopyRequest;
  return {
    provider: 'SMH',
    chunkSize,
    describe: (request) => of(request).items.map((item) => ({ source: item.from, target: item.to })),
    slice: (request, start, end) => ({ ...of(request), items: of(request).items.slice(start, end) }),
    pick: (request, indices) => ({ ...of(request), items: indices.map((i) => of(request).items[i]!) }),
    batchCopy: (request, call) => adapter.batchCopy(of(request), call),
    loadTask: loader(adapter as Adapter<unknown>, smhTaskRefs as TaskRefCodec),
  };
}

/** DingTalk's batch as a job: items are `dentryIds`, one upstream call per `chunkSize` of them. */
export function dingTalkJobProvider(
  adapter: Adapter<DingTalkBatchCopyRequest>,
  chunkSize: number,
): JobProvider {
  const of = (request: unknown) => request as DingTalkBatchCopyRequest;
  return {
    provider: 'DINGTALK',
    chunkSize,
    describe: (request) =>
      of(request).dentryIds.map((id) => ({ source: id, target: of(request).targetFolderId })),
    slice: (request, start, end) => ({ ...of(request), dentryIds: of(request).dentryIds.slice(start, end) }),
    pick: (request, indices) => ({
      ...of(request),
      dentryIds: indices.map((i) => of(request).dentryIds[i]!),
    }),
    batchCopy: (request, call) => adapter.batchCopy(of(request), call),
    loadTask: loader(adapter as Adapter<unknown>, dingTalkTaskRefs as TaskRefCodec),
  };
}
