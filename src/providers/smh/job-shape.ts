import type { BackgroundShape } from '../../copy/background.js';
import { validateSmhRequest } from './translate.js';
import type { SmhBatchCopyRequest, SmhCopyItemRequest } from './types.js';

/**
 * Task ids one SMH task query takes: the query takes a comma list in the path
 * (https://www.tencentcloud.com/document/product/1283/75479); no limit is documented, so stay well
 * below any URL limit.
 */
export const MAX_TASK_IDS_PER_QUERY = 100;

/**
 * SMH's batch as background work: the items are `items` (each its own source and target); a chunk is
 * the request with consecutive items, `chunkSize` of them (the batch API takes at most 1,000 per call:
 * https://www.tencentcloud.com/document/product/1283/75493).
 */
export function smhJobShape(limits: {
  chunkSize: number;
  maxItems: number;
}): BackgroundShape<SmhBatchCopyRequest> {
  return {
    chunkSize: limits.chunkSize,
    // A job's chunk runs as one upstream task at most (a chunk is one batch call).
    tasksPerRead: MAX_TASK_IDS_PER_QUERY,
    validate: (request) => validateSmhRequest(request, limits.maxItems),
    describe: (request) => (request.items ?? []).map((item) => ({ source: item.from, target: item.to })),
    slice: (request, start, end) => ({ ...request, items: request.items.slice(start, end) }),
    pick: (request, indices) => ({
      ...request,
      items: indices.map((i) => request.items[i] as SmhCopyItemRequest),
    }),
  };
}
