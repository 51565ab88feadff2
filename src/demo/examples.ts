import type { ExampleTab } from '../http/graphiql.js';
import type { ProviderModule } from '../providers/module.js';
import { providers } from '../providers/registry.js';

/** Follows a task by id; GraphiQL opens it in a tab after the providers' examples. */
export const TASK_EXAMPLE = `# Paste the task id from a CopyAccepted answer.
query CopyTask($id: ID!) {
  copyTask(id: $id) {
    id provider state done upstreamTaskIds checkedAt
    summary { total succeeded failed pending unknown }
    items { index status source result error { code message } }
  }
}`;

/** Follows a task live over WebSocket. */
export const WATCH_EXAMPLE = `# Follow a task live (WebSocket): paste the task id from a CopyAccepted answer.
subscription WatchCopyTask($id: ID!) {
  copyTaskUpdated(id: $id) {
    state done checkedAt
    summary { total succeeded failed pending }
  }
}`;

/** The operations every demo ends with, after each provider's own. */
export const TASK_EXAMPLES: ExampleTab[] = [
  { query: TASK_EXAMPLE, variables: '{ "id": "" }' },
  { query: WATCH_EXAMPLE, variables: '{ "id": "" }' },
];

/** What GraphiQL opens with in demo mode: each provider's examples, then the task ones. */
export function demoExamples(modules: readonly ProviderModule[]): ExampleTab[] {
  return [...modules.flatMap((m) => m.demo?.examples ?? []), ...TASK_EXAMPLES];
}

/** The demo's examples with every provider of the registry. */
export const DEMO_EXAMPLES: ExampleTab[] = demoExamples(providers);
