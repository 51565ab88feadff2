import type { BackgroundShape } from '../../copy/background.js';
import { validateDingTalkRequest } from './translate.js';
import type { DingTalkBatchCopyRequest } from './types.js';

/**
 * DingTalk's batch as background work: the items are `dentryIds`, all copied into the one target
 * folder; a chunk is the request with consecutive ids, `chunkSize` of them (the upstream takes at
 * most 3 per call: https://open.dingtalk.com/document/development/copy-files-or-folders-in-bulk).
 */
export function dingTalkJobShape(limits: {
  chunkSize: number;
  maxItems: number;
}): BackgroundShape<DingTalkBatchCopyRequest> {
  return {
    chunkSize: limits.chunkSize,
    validate: (request) => validateDingTalkRequest(request, limits.maxItems),
    describe: (request) =>
      (request.dentryIds ?? []).map((id) => ({ source: id, target: request.targetFolderId })),
    slice: (request, start, end) => ({ ...request, dentryIds: request.dentryIds.slice(start, end) }),
    pick: (request, indices) => ({
      ...request,
      dentryIds: indices.map((i) => request.dentryIds[i] as string),
    }),
  };
}
