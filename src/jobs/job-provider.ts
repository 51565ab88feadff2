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
    ...shape,
    provider: adapter.provider,
    batchCopy: (request, call) => adapter.batchCopy(request, call),
    loadTasks: async (ids, call) => {
      const tasks = await adapter.loadTasks(
        ids.map((id) => decodeTaskId(id, [taskRefs])),
        call,
      );
      return ids.map((_, k) => tasks[k] ?? null);
    },
  };
}
