/**
 * Local emulator of DingTalk storage: internal-app access tokens, batch copy, task query and the read
 * APIs (dentry query, batch query, folder listing), with fault injection for gateway tests. Behaviour
 * follows the public pages cited in each module. The only module of the emulator other code may import.
 */
import {
  EmulatorError,
  FaultInjector,
  kitAdminRoutes,
  queryObject,
  startEmulatorServer,
  systemClock,
  type Clock,
} from '../kit/index.js';
import { dingTalkAdminRoutes } from './admin-routes.js';
import { apiRoutes } from './api-routes.js';
import { DINGTALK_ADMIN_CODES, dingTalkDialect } from './dialect.js';
import { DINGTALK_FAULT_PRESETS } from './fault-presets.js';
import { readRoutes } from './read-routes.js';
import { seedDemo } from './seed.js';
import { DingTalkState } from './state.js';
import { DingTalkStats, type RouteName } from './stats.js';

/** How to start a DingTalk emulator. */
export interface DingTalkEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  clock?: Clock;
  /** Create the demo app, user, spaces and tree (see DINGTALK_SEED). */
  seed?: boolean;
  /** Most `dentryIds` per batch copy. Default 3 (the limit the gateway is built for). */
  maxDentryIds?: number;
  /** Creation to end of an async copy task, on the emulator clock. Default 3000. */
  taskDurationMs?: number;
  /** Default 7200. */
  tokenTtlSeconds?: number;
  /** Used for tokens and fault rates. Default Math.random. */
  random?: () => number;
  /** Answer 400 operationConcurrentControl to copies into a folder a running task is filling. Default false. */
  concurrencyControl?: boolean;
}

/** A running DingTalk emulator and its test-facing state. */
export interface DingTalkEmulator {
  url: string;
  port: number;
  clock: Clock;
  faults: FaultInjector;
  /** Counters and the records of what ran (`copies`, `copiesOf`, `copyTo`, `copyRequests`). */
  stats: DingTalkStats;
  state: DingTalkState;
  /** A valid token for `appKey` (default: the seeded demo app), without a token request. */
  issueToken(appKey?: string): string;
  close(): Promise<void>;
}

/** Starts a DingTalk emulator and resolves once it listens. */
export async function startDingTalkEmulator(opts: DingTalkEmulatorOptions = {}): Promise<DingTalkEmulator> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const faults = new FaultInjector(random);
  const stats = new DingTalkStats(faults);
  const state = new DingTalkState({
    clock,
    taskDurationMs: opts.taskDurationMs ?? 3000,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 7200,
    random,
  });
  if (opts.seed) seedDemo(state);

  const handlers = {
    state,
    stats,
    maxDentryIds: opts.maxDentryIds ?? 3,
    concurrencyControl: opts.concurrencyControl ?? false,
  };
  const server = await startEmulatorServer<RouteName>({
    host: opts.host,
    port: opts.port,
    clock,
    routes: [
      ...apiRoutes(handlers),
      ...readRoutes(state),
      ...kitAdminRoutes({
        faults,
        faultPresets: DINGTALK_FAULT_PRESETS,
        clock,
        afterClockAdvance: () => state.sync(),
        codes: DINGTALK_ADMIN_CODES,
      }),
      ...dingTalkAdminRoutes({ state, stats }),
    ],
    fallback: {
      name: 'notFound',
      method: '*',
      path: '*',
      handle: () => {
        throw new EmulatorError(
          404,
          'InvalidAction.NotFound',
          'Specified api is not found, please check your url and method.',
        );
      },
    },
    dialect: dingTalkDialect(),
    faults,
    faultPresets: DINGTALK_FAULT_PRESETS,
    onRoute: async (route, ctx) => {
      stats.countRequest(route.name);
      if (route.admin) return;
      // The request as sent, so wire formats can be compared (the contract test records the SDK's).
      stats.lastRequests[route.name] = {
        method: ctx.method,
        path: (ctx.req.url ?? '/').split('?')[0] ?? '/',
        query: queryObject(ctx.url),
        headers: { ...ctx.headers },
        rawBody: await ctx.body(),
        requestId: ctx.requestId,
      };
    },
    onFault: (_fault, fromHeader) => {
      if (fromHeader) stats.countHeaderFault();
    },
  });

  return {
    url: server.url,
    port: server.port,
    clock,
    faults,
    stats,
    state,
    issueToken: (appKey = 'dingdemo') => state.issueToken(appKey).accessToken,
    close: server.close,
  };
}

export {
  FAULT_HEADER,
  ManualClock,
  systemClock,
  type Clock,
  type FaultRule,
  type FiredFault,
} from '../kit/index.js';
export { DINGTALK_SEED } from './seed.js';
export { dingTalkFaults, DINGTALK_FAULT_PRESETS, type DingTalkFaultPreset } from './fault-presets.js';
export { DingTalkState } from './state.js';
export {
  DingTalkStats,
  type CopyRequestStat,
  type DingTalkCopyRecord,
  type DingTalkStatsSnapshot,
  type RouteName,
} from './stats.js';
export { compareWire, toWire, type RecordedRequest, type WireRequest } from './wire.js';
export {
  DINGTALK_CONFLICT_STRATEGIES,
  type DingTalkConflictStrategy,
  type RequestFailureRule,
  type ResultItem,
} from './copy.js';
export { MAX_LIST_RESULTS, MAX_QUERY_DENTRY_IDS, type DingTalkDentryView } from './read-routes.js';
export type { TaskStatus, TaskView } from './tasks.js';
export type { Dentry, DentryType, Space, TreeNode } from './store.js';
