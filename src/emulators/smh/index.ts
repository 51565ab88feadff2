/**
 * Local emulator of Tencent Cloud Smart Media Hosting (SMH): access tokens, batch copy (sync and as
 * background tasks), task query and the read APIs (HEAD, `?info`, listings), over plain `node:http`,
 * with fault injection for gateway tests. The only module of the emulator other code may import.
 */
import { FaultInjector, kitAdminRoutes, startEmulatorServer, systemClock, type Clock } from '../kit/index.js';
import { smhAdminRoutes } from './admin-routes.js';
import { batchRoutes } from './batch-routes.js';
import type { AsyncThreshold, SmhCore } from './core.js';
import { SMH_ADMIN_CODES, smhDialect } from './dialect.js';
import { ItemFaultInjector } from './item-faults.js';
import { readRoutes } from './read-routes.js';
import { seedDemo } from './seed.js';
import { SmhStats } from './stats.js';
import { SmhStore } from './store.js';
import { TaskStore } from './tasks.js';
import { TokenStore } from './tokens.js';
import { tokenRoutes } from './token-routes.js';

export {
  FAULT_HEADER,
  ManualClock,
  systemClock,
  type Clock,
  type FaultRule,
  type FiredFault,
} from '../kit/index.js';
export type { SmhItemResult } from './copy.js';
export { crc64 } from './crc64.js';
export type { AsyncThreshold } from './core.js';
export type { ItemFaultRule } from './item-faults.js';
export type { SmhEntry, SmhEntryType } from './read-routes.js';
export {
  DEMO_EXAMPLE_SPACE_ID,
  DEMO_LIBRARY_ID,
  DEMO_LIBRARY_SECRET,
  DEMO_SECOND_SPACE_ID,
  DEMO_SPACE_ID,
} from './seed.js';
export type { BatchRecord, SmhCopyRecord, SmhStats, SmhStatsSnapshot } from './stats.js';
export type { NodeInfo, PutFileOptions, SmhStore, TreeDump } from './store.js';
export type { TaskView } from './tasks.js';

/** How to start an SMH emulator. */
export interface SmhEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  clock?: Clock;
  /** Create the demo library `smhdemo` (its layout is described on `seedDemo`). */
  seed?: boolean;
  /** Batches with more items than this run as tasks; 'always'/'never' force a mode. Default 100. */
  asyncThreshold?: AsyncThreshold;
  /** Also run as a task when the sources hold more nodes than this (subtrees counted). Default: off. */
  asyncNodeThreshold?: number;
  /** How long a task runs, on the emulator clock. Default 3000. */
  taskDurationMs?: number;
  /** Items allowed per batch. Default 1000. */
  maxItems?: number;
  /** Used for fault `rate` and request ids. */
  random?: () => number;
  /** Id of the first task. Default 1. */
  firstTaskId?: number;
}

/** A token issued directly, without a token request. */
export interface IssueTokenOptions {
  libraryId: string;
  /** One space id or a comma list; omitted: all spaces for admin, else only `-`. */
  spaceId?: string;
  grants?: string[];
  userId?: string;
  /** Seconds; default 86400, clamped to 300..315360000. */
  period?: number;
}

/** A running SMH emulator and its test-facing state. */
export interface SmhEmulator {
  url: string;
  port: number;
  clock: Clock;
  faults: FaultInjector;
  /** Per-item failures inside a batch (item-level 500 and the like). */
  itemFaults: ItemFaultInjector;
  /** Counters and the records of what ran (`copies`, `copiesTo`, `batches`). */
  stats: SmhStats;
  state: SmhStore;
  issueToken(opts: IssueTokenOptions): string;
  /** Runs background tasks that are due on the clock; HTTP requests and state reads do this too. */
  settleTasks(): number;
  close(): Promise<void>;
}

/** Starts an SMH emulator and resolves once it listens. */
export async function startSmhEmulator(opts: SmhEmulatorOptions = {}): Promise<SmhEmulator> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const store = new SmhStore(clock);
  const core: SmhCore = {
    store,
    tokens: new TokenStore(clock),
    tasks: new TaskStore(clock, { firstId: opts.firstTaskId }),
    stats: new SmhStats(),
    faults: new FaultInjector(random),
    itemFaults: new ItemFaultInjector(),
    clock,
    config: {
      asyncThreshold: opts.asyncThreshold ?? 100,
      asyncNodeThreshold: opts.asyncNodeThreshold,
      taskDurationMs: opts.taskDurationMs ?? 3000,
      maxItems: opts.maxItems ?? 1000,
    },
  };
  if (opts.seed) seedDemo(store);

  let settling = false;
  const settleTasks = (): number => {
    // A read made from inside task work must not start the same task again.
    if (settling) return 0;
    settling = true;
    try {
      return core.tasks.settle();
    } finally {
      settling = false;
    }
  };
  store.beforeRead = settleTasks;

  // With the system clock nothing else would run a due task until the next request or read.
  const ticker = setInterval(settleTasks, 50);
  ticker.unref();
  const server = await startEmulatorServer({
    host: opts.host,
    port: opts.port,
    clock,
    routes: [
      ...tokenRoutes(core),
      ...batchRoutes(core),
      ...readRoutes(core),
      ...kitAdminRoutes({
        faults: core.faults,
        clock,
        afterClockAdvance: settleTasks,
        codes: SMH_ADMIN_CODES,
      }),
      ...smhAdminRoutes(core),
    ],
    dialect: smhDialect(random),
    faults: core.faults,
    beforeRequest: settleTasks,
    onRoute: (route) => {
      if (!route.admin) core.stats.countRequest(route.name);
    },
    onFault: (fault) => core.stats.countFault(fault.fault.kind),
    onClose: () => clearInterval(ticker),
  }).catch((err: unknown) => {
    clearInterval(ticker);
    throw err;
  });

  return {
    url: server.url,
    port: server.port,
    clock,
    faults: core.faults,
    itemFaults: core.itemFaults,
    stats: core.stats,
    state: store,
    issueToken: (o) =>
      core.tokens.issue({
        libraryId: o.libraryId,
        spaceIds: o.spaceId?.split(',').filter((s) => s.length > 0),
        grants: o.grants,
        userId: o.userId,
        period: o.period,
      }).token,
    settleTasks,
    close: server.close,
  };
}
