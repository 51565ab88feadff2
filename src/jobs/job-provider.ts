import type { ProviderAdapter } from '../copy/adapter.js';
import { decodeTaskId, type TaskRefCodec } from '../copy/task-id.js';
import type { JobProvider } from './executor.js';

/**
 * A configured provider as jobs use it: its adapter's chunk shape, batch copy and task query (task ids
 * read with the provider's codec). Undefined when the adapter has no background shape.
 */
export function jobProvider(adapter: ProviderAdapter, taskRefs: TaskRefCodec): JobProvider | undefined {
  const shape = adapter.background;
  if (!shape) return undefined;
  return {
    provider: adapter.provider,
    chunkSize: shape.chunkSize,
    validate: (request) => shape.validate(request),
    describe: (request) => shape.describe(request),
    slice: (request, start, end) => shape.slice(request, start, end),
    pick: (request, indices) => shape.pick(request, indices),
    batchCopy: (request, call) => adapter.batchCopy(request, call),
    loadTask: async (id, call) => {
      const [task] = await adapter.loadTasks([decodeTaskId(id, [taskRefs])], call);
      return task ?? null;
    },
  };
}
