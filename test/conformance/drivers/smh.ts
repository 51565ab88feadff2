import {
  DEMO_LIBRARY_ID,
  DEMO_LIBRARY_SECRET,
  ManualClock,
  startSmhEmulator,
  type SmhEmulator,
} from '../../../src/emulators/smh/index.js';
import { smh } from '../../../src/providers/smh/index.js';
import type { RecordedExchange } from '../../helpers/recording-proxy.js';
import type { RigMode, RigUpstream } from '../../helpers/rig.js';
import type { ConformanceDriver } from '../driver.js';

const TASK_MS = 3000;
/** The longest token lifetime the emulator grants (seconds), so moving its clock keeps the token alive. */
const LONG_PERIOD = 315_360_000;
const BATCH_PATH = '/api/v1/batch/';
/** Seeded files of the demo library's default space. */
const FILES = ['foo/1.jpg', 'foo/2.jpg', 'bar/1.jpg', 'bar/2.jpg', 'docs/report.final.pdf'];

interface SmhUpstream extends RigUpstream {
  emu: SmhEmulator;
  clock: ManualClock;
  /** Makes every target of this rig a new name. */
  next(): number;
}

async function start(mode: RigMode): Promise<SmhUpstream> {
  const clock = new ManualClock();
  // Sources holding more than 5 nodes (the two seeded directories together) run as a task.
  const emu = await startSmhEmulator({
    seed: true,
    clock,
    asyncThreshold: 1000,
    asyncNodeThreshold: 5,
    taskDurationMs: TASK_MS,
  });
  const token =
    mode === 'pass-through'
      ? emu.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'], period: LONG_PERIOD })
      : undefined;
  let seq = 0;
  return {
    emu,
    clock,
    url: emu.url,
    env: (baseUrl) => ({
      SMH_BASE_URL: baseUrl,
      ...(mode === 'managed'
        ? { SMH_LIBRARY_ID: DEMO_LIBRARY_ID, SMH_LIBRARY_SECRET: DEMO_LIBRARY_SECRET }
        : {}),
    }),
    headers: token ? { [smh.credentialHeader]: token } : {},
    secrets: token ? [token, DEMO_LIBRARY_SECRET] : [DEMO_LIBRARY_SECRET],
    next: () => ++seq,
    close: () => emu.close(),
  };
}

/** SMH's token rides in the query string; a token answer carries it in its body. */
function secretsIn(exchange: RecordedExchange): string[] {
  const query = new URL(exchange.url, 'http://upstream.local').searchParams;
  const found = [query.get('access_token'), query.get('library_secret')];
  const issued = /"accessToken"\s*:\s*"([^"]+)"/.exec(exchange.responseBody);
  found.push(issued?.[1] ?? null);
  return found.filter((value): value is string => typeof value === 'string' && value.length >= 8);
}

/** Tencent Cloud SMH against its emulator. */
export const smhDriver: ConformanceDriver<SmhUpstream> = {
  module: smh,
  start,
  unsupported: {},
  chunkEnv: { SMH_CHUNK_SIZE: '2' },
  chunkedBatchSize: 5,
  taskIdsPerQuery: 100,
  batch(upstream, count, options = {}) {
    const sources = options.async ? ['foo', 'bar'] : FILES.slice(0, count);
    if (sources.length < count && !options.async) throw new Error(`SMH seeds only ${FILES.length} files`);
    const run = upstream.next();
    return {
      input: {
        smh: {
          libraryId: DEMO_LIBRARY_ID,
          conflictStrategy: 'RENAME',
          items: sources.map((from, i) => ({ from, to: `docs/run${run}-${i}` })),
        },
      },
      sources,
    };
  },
  conflicting: (_upstream, conflictStrategy) => ({
    input: {
      smh: { libraryId: DEMO_LIBRARY_ID, items: [{ from: 'foo/2.jpg', to: 'bar/2.jpg' }], conflictStrategy },
    },
    sources: ['foo/2.jpg'],
  }),
  // SMH has no "keep the existing file" strategy (its strategies are ask, rename, overwrite).
  strategies: { FAIL: 'FAILED', RENAME: 'SUCCEEDED', OVERWRITE: 'SUCCEEDED', KEEP_EXISTING: 'UNSUPPORTED' },
  reportsRename: true,
  finishTasks: (upstream) => upstream.clock.advance(TASK_MS),
  fault(upstream, fault) {
    const faults = upstream.emu.faults;
    if (fault === 'throttle-once') {
      faults.add({
        kind: 'status',
        status: 429,
        code: 'RateLimitExceeded',
        pathIncludes: BATCH_PATH,
        times: 1,
      });
    } else if (fault === '5xx-after-work') {
      faults.add({
        kind: 'status',
        status: 500,
        code: 'InternalServerError',
        pathIncludes: BATCH_PATH,
        after: true,
      });
    } else {
      faults.add({ kind: 'reset', pathIncludes: BATCH_PATH, after: true });
    }
  },
  rejectToken: (upstream) =>
    upstream.emu.faults.add({
      kind: 'status',
      status: 403,
      code: 'InvalidAccessToken',
      pathIncludes: BATCH_PATH,
      times: 1,
    }),
  kind(exchange) {
    if (exchange.url.startsWith(BATCH_PATH)) return 'copy';
    if (exchange.url.startsWith('/api/v1/task/')) return 'task';
    if (exchange.url.startsWith('/api/v1/token')) return 'token';
    return undefined;
  },
  secretsIn,
};
