import { DEMO_LIBRARY_ID, DEMO_LIBRARY_SECRET, startSmhEmulator } from '../../emulators/smh/index.js';
import { OUTCOME_SELECTION } from '../kit/examples.js';
import type { ProviderDemo } from '../module.js';
import type { SmhSettings } from './types.js';

/** A batch copy against the demo library the SMH emulator is seeded with. */
export const SMH_EXAMPLE = `# Copy two files in the demo SMH library: bar/1.jpg exists, so RENAME gives "bar/1 (1).jpg".
mutation SmhBatchCopy {
  batchCopy(input: { smh: {
    libraryId: "smhdemo"
    conflictStrategy: RENAME
    items: [
      { from: "foo/1.jpg", to: "bar/1.jpg" }
      { from: "foo/2.jpg", to: "bar/2.jpg", conflictStrategy: OVERWRITE }
    ]
  } }) {
${OUTCOME_SELECTION}
  }
}`;

/** Starts the seeded SMH emulator on loopback; the gateway manages the demo library's tokens. */
export async function startSmhDemo(settings: SmhSettings): Promise<ProviderDemo<SmhSettings>> {
  const emulator = await startSmhEmulator({ seed: true });
  return {
    url: emulator.url,
    settings: {
      ...settings,
      baseUrl: emulator.url,
      managed: true,
      libraries: [{ libraryId: DEMO_LIBRARY_ID, librarySecret: DEMO_LIBRARY_SECRET }],
    },
    close: () => emulator.close(),
  };
}
