import { DINGTALK_SEED, startDingTalkEmulator } from '../../emulators/dingtalk/index.js';
import { OUTCOME_SELECTION } from '../kit/examples.js';
import type { ProviderDemo } from '../module.js';
import type { DingTalkSettings } from './types.js';

/** A batch copy against the demo storage the DingTalk emulator is seeded with. */
export const DINGTALK_EXAMPLE = `# Copy three files and a non-empty folder in demo DingTalk storage. The folder runs asynchronously:
# follow it with the copyTask query below (the gateway sends the ids in chunks of 3).
mutation DingTalkBatchCopy {
  batchCopy(input: { dingtalk: {
    spaceId: "space-src"
    unionId: "union-demo"
    targetSpaceId: "space-dst"
    targetFolderId: "f-target"
    dentryIds: ["d-file-1", "d-file-2", "d-file-3", "d-folder-1"]
    conflictStrategy: RENAME
  } }) {
${OUTCOME_SELECTION}
  }
}`;

/** Starts the seeded DingTalk emulator on loopback; the gateway manages the demo app's tokens. */
export async function startDingTalkDemo(settings: DingTalkSettings): Promise<ProviderDemo<DingTalkSettings>> {
  const emulator = await startDingTalkEmulator({ seed: true });
  return {
    url: emulator.url,
    settings: {
      ...settings,
      baseUrl: emulator.url,
      managed: true,
      appKey: DINGTALK_SEED.appKey,
      appSecret: DINGTALK_SEED.appSecret,
    },
    close: () => emulator.close(),
  };
}
