import type { CopyItemResult, CopyOutcome, CopySummary, CopyTask, CopyTaskState, Provider } from './types.js';

/** Counts items by status. */
export function summarize(items: readonly CopyItemResult[]): CopySummary {
  const summary: CopySummary = { total: items.length, succeeded: 0, failed: 0, pending: 0, unknown: 0 };
  for (const item of items) {
    if (item.status === 'SUCCEEDED') summary.succeeded += 1;
    else if (item.status === 'FAILED') summary.failed += 1;
    else if (item.status === 'PENDING') summary.pending += 1;
    else summary.unknown += 1;
  }
  return summary;
}

/**
 * Picks the union member from finished item results: any PENDING item makes it accepted (the task
 * must be given), otherwise all SUCCEEDED is success and anything else a partial failure. `finished`
 * is the task a finished batch ran as, which its answer names (none: the batch finished inline).
 */
export function outcomeFromItems(
  provider: Provider,
  items: CopyItemResult[],
  task?: CopyTask,
  finished?: CopyTask,
): CopyOutcome {
  if (items.some((item) => item.status === 'PENDING')) {
    if (!task) throw new Error('an outcome with PENDING items needs a task');
    return { kind: 'accepted', provider, items, task };
  }
  const ranAs = finished ? { task: finished } : {};
  if (items.every((item) => item.status === 'SUCCEEDED'))
    return { kind: 'succeeded', provider, items, ...ranAs };
  return { kind: 'partiallyFailed', provider, items, ...ranAs };
}

/** The state of a task made of several upstream tasks. */
export function combineTaskStates(states: readonly CopyTaskState[]): CopyTaskState {
  if (states.includes('RUNNING')) return 'RUNNING';
  if (states.every((s) => s === 'SUCCEEDED')) return 'SUCCEEDED';
  if (states.every((s) => s === 'FAILED')) return 'FAILED';
  return 'PARTIALLY_FAILED';
}
