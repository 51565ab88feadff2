import {
  DINGTALK_SEED as SEED,
  ManualClock,
  dingTalkFaults,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../../src/emulators/dingtalk/index.js';
import { dingtalk } from '../../../src/providers/dingtalk/index.js';
import type { RecordedExchange } from '../../helpers/recording-proxy.js';
import type { RigMode, RigUpstream } from '../../helpers/rig.js';
import type { ConformanceDriver } from '../driver.js';

const TASK_MS = 3000;
const COPY_PATH = '/batchCopy';
/** Seeded files of the source space (two of them inside a folder). */
const FILES = ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4', 'd-file-5'];

interface DingTalkUpstream extends RigUpstream {
  emu: DingTalkEmulator;
  clock: ManualClock;
}

async function start(mode: RigMode): Promise<DingTalkUpstream> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 8, 0, 0));
  const emu = await startDingTalkEmulator({ seed: true, clock, taskDurationMs: TASK_MS });
  const token = mode === 'pass-through' ? emu.issueToken() : undefined;
  return {
    emu,
    clock,
    url: emu.url,
    env: (baseUrl) => ({
      DINGTALK_BASE_URL: baseUrl,
      ...(mode === 'managed' ? { DINGTALK_APP_KEY: SEED.appKey, DINGTALK_APP_SECRET: SEED.appSecret } : {}),
    }),
    headers: token ? { [dingtalk.credentialHeader]: token } : {},
    secrets: token ? [token, SEED.appSecret] : [SEED.appSecret],
    close: () => emu.close(),
  };
}

function secretsIn(exchange: RecordedExchange): string[] {
  const header = exchange.headers[dingtalk.credentialHeader];
  const issued = /"accessToken"\s*:\s*"([^"]+)"/.exec(exchange.responseBody);
  return [typeof header === 'string' ? header : null, issued?.[1] ?? null].filter(
    (value): value is string => typeof value === 'string' && value.length >= 8,
  );
}

const into = (
  dentryIds: string[],
  conflictStrategy: 'FAIL' | 'RENAME' | 'OVERWRITE' | 'KEEP_EXISTING',
  folder = '0',
) => ({
  dingtalk: {
    spaceId: SEED.sourceSpaceId,
    unionId: SEED.unionId,
    targetSpaceId: SEED.targetSpaceId,
    targetFolderId: folder,
    dentryIds,
    conflictStrategy,
  },
});

/** DingTalk storage against its emulator. */
export const dingTalkDriver: ConformanceDriver<DingTalkUpstream> = {
  module: dingtalk,
  start,
  unsupported: {},
  chunkEnv: { DINGTALK_CHUNK_SIZE: '2' },
  chunkedBatchSize: 5,
  // GET /v1.0/storage/tasks/{taskId} takes one task.
  taskIdsPerQuery: 1,
  batch(_upstream, count, options = {}) {
    // A non-empty folder copies as a task.
    const sources = options.async ? [SEED.folderId] : FILES.slice(0, count);
    return { input: into(sources, 'RENAME'), sources };
  },
  conflicting: (_upstream, strategy) => ({
    input: into([SEED.conflictingFileId], strategy, SEED.targetFolderId),
    sources: [SEED.conflictingFileId],
  }),
  strategies: { FAIL: 'FAILED', RENAME: 'SUCCEEDED', OVERWRITE: 'SUCCEEDED', KEEP_EXISTING: 'SUCCEEDED' },
  // The copy answer names the new dentry by id, not by name: whether it was renamed is not known.
  reportsRename: false,
  finishTasks: (upstream) => upstream.clock.advance(TASK_MS),
  fault(upstream, fault) {
    const faults = upstream.emu.faults;
    if (fault === 'throttle-once')
      faults.add({ ...dingTalkFaults.qpsLimit(), pathIncludes: COPY_PATH, times: 1 });
    else if (fault === '5xx-after-work')
      faults.add({ ...dingTalkFaults.systemError(), pathIncludes: COPY_PATH, after: true });
    else faults.add({ ...dingTalkFaults.reset(), pathIncludes: COPY_PATH, after: true });
  },
  rejectToken(upstream, exchanges) {
    const used = exchanges.filter((e) => e.url.includes(COPY_PATH)).at(-1)?.headers[
      dingtalk.credentialHeader
    ];
    if (typeof used !== 'string') throw new Error('no copy call carried a token yet');
    upstream.emu.state.tokens.revoke(used);
  },
  kind(exchange) {
    if (exchange.url.includes(COPY_PATH)) return 'copy';
    if (exchange.url.startsWith('/v1.0/storage/tasks/')) return 'task';
    if (exchange.url.startsWith('/v1.0/oauth2/accessToken')) return 'token';
    return undefined;
  },
  secretsIn,
};
