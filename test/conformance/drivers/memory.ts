import { memoryProvider } from '../../fixtures/memory-provider.js';
import type { RigUpstream } from '../../helpers/rig.js';
import type { ConformanceDriver } from '../driver.js';

/** A token-shaped value callers send in the module's credential header; it must never come back. */
const CALLER_TOKEN = 'memory-caller-token-0123456789';
const NO_UPSTREAM = 'calls no upstream, so there is nothing to fault, throttle or record';
const unsupported = (): never => {
  throw new Error(`the in-memory provider ${NO_UPSTREAM}`);
};

/** The test-only in-memory provider (test/fixtures/memory-provider.ts): no upstream, no emulator. */
export const memoryDriver: ConformanceDriver = {
  module: memoryProvider,
  start: async (): Promise<RigUpstream> => ({
    env: () => ({ MEMORY_URL: 'http://memory.invalid' }),
    headers: { [memoryProvider.credentialHeader]: CALLER_TOKEN },
    secrets: [CALLER_TOKEN],
    close: async () => undefined,
  }),
  unsupported: {
    C02: 'its input has no conflict strategy (names are copied to "<name> (copy)")',
    C05: `it ${NO_UPSTREAM}`,
    C06: `it ${NO_UPSTREAM}`,
    C07: `it ${NO_UPSTREAM}`,
    C08: `it ${NO_UPSTREAM}`,
    C09: 'it has no managed mode (no secrets, no tokens)',
  },
  chunkEnv: {},
  chunkedBatchSize: 5,
  taskIdsPerQuery: Number.POSITIVE_INFINITY,
  batch(_upstream, count, options = {}) {
    // Names ending in `~` copy as a task.
    const sources = Array.from({ length: count }, (_, i) => `name-${i}${options.async ? '~' : ''}`);
    return { input: { memory: { items: sources } }, sources };
  },
  conflicting: unsupported,
  strategies: {
    FAIL: 'UNSUPPORTED',
    RENAME: 'UNSUPPORTED',
    OVERWRITE: 'UNSUPPORTED',
    KEEP_EXISTING: 'UNSUPPORTED',
  },
  reportsRename: false,
  finishTasks: () => undefined,
  fault: unsupported,
  rejectToken: unsupported,
  kind: () => undefined,
  secretsIn: () => [],
};
