import { DINGTALK_SEED as SEED } from '../../src/emulators/dingtalk/index.js';

/**
 * A `DingTalkBatchCopyInput` from the emulator's seeded source space to its seeded target space (root
 * folder unless `extra` names another), for `dentryIds`; `extra` adds or replaces fields.
 */
export function seededDingTalkInput(
  dentryIds: readonly string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    spaceId: SEED.sourceSpaceId,
    unionId: SEED.unionId,
    targetSpaceId: SEED.targetSpaceId,
    targetFolderId: '0',
    dentryIds,
    ...extra,
  };
}
