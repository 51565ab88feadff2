/**
 * Local emulator of Tencent Cloud Smart Media Hosting (SMH): access tokens, batch copy (sync and as
 * background tasks) and task query, over plain `node:http`, with fault injection for gateway tests.
 */
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../shared/clock.js';
import { FaultInjector } from '../shared/faults.js';
import type { AsyncThreshold, SmhCore } from './core.js';
import { ItemFaultInjector } from './itemFaults.js';
import { seedDemo } from './seed.js';
import { createSmhServer } from './server.js';
import { SmhStats } from './stats.js';
import { SmhStore } from './store.js';
import { TaskStore } from './tasks.js';
import { TokenStore } from './tokens.js';

export { ManualClock, systemClock, type Clock } from '../shared/clock.js';
export type { FaultRule } from '../shared/faults.js';
export type { CopyItemResult } from './copy.js';
export type { AsyncThreshold } from './core.js';
export type { ItemFaultRule } from './itemFaults.js';
export {
  DEMO_EXAMPLE_SPACE_ID,
  DEMO_LIBRARY_ID,
  DEMO_LIBRARY_SECRET,
  DEMO_SECOND_SPACE_ID,
  DEMO_SPACE_ID,
} from './seed.js';
export { FAULT_HEADER } from './server.js';
export type { BatchRecord, SmhStats, SmhStatsSnapshot } from './stats.js';
export type { NodeInfo, SmhStore, TreeDump } from './store.js';
export type { TaskView } from './tasks.js';

export interface SmhEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  clock?: Clock;
  /** Create the demo library `smhdemo` (see seed.ts). */
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

export interface IssueTokenOptions {
  libraryId: string;
  /** One space id or a comma list; omitted: all spaces for admin, else only `-`. */
  spaceId?: string;
  grants?: string[];
  userId?: string;
  /** Seconds; default 86400, clamped to 300..315360000. */
  period?: number;
}

export interface SmhEmulator {
  url: string;
  port: number;
  clock: Clock;
  faults: FaultInjector;
  /** Per-item failures inside a batch (item-level 500 and the like). */
  itemFaults: ItemFaultInjector;
  stats: SmhStats;
  state: SmhStore;
  issueToken(opts: IssueTokenOptions): string;
  /** Runs background tasks that are due on the clock; HTTP requests and state reads do this too. */
  settleTasks(): number;
  close(): Promise<void>;
}

export async function startSmhEmulator(opts: SmhEmulatorOptions = {}): Promise<SmhEmulator> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const store = new SmhStore();
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

  let seq = 0;
  const newRequestId = (): string => {
    seq += 1;
    const noise = Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
    return `smh-${seq.toString(16).padStart(6, '0')}-${noise}`;
  };

  const server = createSmhServer(core, newRequestId);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // With the system clock nothing else would run a due task until the next request or read.
  const ticker = setInterval(settleTasks, 50);
  ticker.unref();

  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(ticker);
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
