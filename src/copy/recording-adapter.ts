/** Recording what an adapter's answers make, in the registry of the gateway's own results. */
import type { ProviderAdapter } from './adapter.js';
import { madeOrMaking, producedWhere, type ProducedRegistry } from './produced.js';
import type { RunProgress } from './progress.js';
import type { TaskRef } from './task-id.js';

/**
 * `adapter` with the results of every SUCCEEDED item it answers recorded in `registry` (and the targets
 * of PENDING ones, see {@link madeOrMaking}): those of its batch copies (inline and background jobs;
 * each chunk's as its answer arrives) and of the upstream tasks it reads. The answer waits for the
 * writes (a replica that answers next then knows the results); a failed write changes nothing.
 */
export function recordingResults<Request, Ref extends TaskRef>(
  adapter: ProviderAdapter<Request, Ref>,
  registry: ProducedRegistry,
): ProviderAdapter<Request, Ref> {
  const provider = adapter.provider;
  return {
    provider,
    async batchCopy(request, call) {
      const where = producedWhere(request);
      const recorded = new Set<string>();
      const writes: Promise<void>[] = [];
      const record = (results: readonly string[]) => {
        const fresh = results.filter((result) => !recorded.has(result));
        fresh.forEach((result) => recorded.add(result));
        if (fresh.length > 0) writes.push(registry.record(provider, where, fresh));
      };
      // Each chunk's results as its answer arrives: a long batch's first copies are known at once.
      const progress = call.progress;
      const recording: RunProgress = {
        sending: (indexes) => (progress ? progress.sending(indexes) : Promise.resolve()),
        settled: (items) => {
          progress?.settled(items);
          record(madeOrMaking(items));
        },
      };
      const outcome = await adapter.batchCopy(request, { ...call, progress: recording });
      record([
        ...madeOrMaking(outcome.items),
        ...(outcome.kind === 'accepted' ? madeOrMaking(outcome.task.items) : []),
      ]);
      await Promise.all(writes);
      return outcome;
    },
    requestedItems: (request) => adapter.requestedItems(request),
    authorize: (request, call) => adapter.authorize(request, call),
    async loadTasks(refs, call) {
      const tasks = await adapter.loadTasks(refs, call);
      await Promise.all(
        tasks.map((task, i) =>
          task && !(task instanceof Error)
            ? registry.record(provider, producedWhere(refs[i]), madeOrMaking(task.items))
            : undefined,
        ),
      );
      return tasks;
    },
    ...(adapter.targetReads ? { targetReads: adapter.targetReads } : {}),
    ...(adapter.background ? { background: adapter.background } : {}),
    close: () => adapter.close(),
  };
}
