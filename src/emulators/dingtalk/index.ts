/**
 * Local emulator of DingTalk storage batch copy, task query and internal-app access tokens.
 * Behaviour follows /work/shared/upstreams/dingtalk.md, with §11's readings where the docs are silent.
 */
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../shared/clock.js';
import { FaultInjector } from '../shared/faults.js';
import { seedDemo } from './seed.js';
import { createDingTalkServer } from './server.js';
import { DingTalkState } from './state.js';
import { DingTalkStats } from './stats.js';

export interface DingTalkEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  clock?: Clock;
  /** Create the demo app, user, spaces and tree (see DINGTALK_SEED). */
  seed?: boolean;
  /** Most `dentryIds` per batch copy (§11.1). Default 3. */
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

export interface DingTalkEmulator {
  url: string;
  port: number;
  clock: Clock;
  faults: FaultInjector;
  stats: DingTalkStats;
  state: DingTalkState;
  /** A valid token for `appKey` (default: the seeded demo app), without a token request. */
  issueToken(appKey?: string): string;
  close(): Promise<void>;
}

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

  const server = createDingTalkServer({
    state,
    stats,
    faults,
    clock,
    maxDentryIds: opts.maxDentryIds ?? 3,
    concurrencyControl: opts.concurrencyControl ?? false,
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    clock,
    faults,
    stats,
    state,
    issueToken: (appKey = 'dingdemo') => state.issueToken(appKey).accessToken,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export { DINGTALK_SEED } from './seed.js';
export { dingTalkFaults, parseFaultRule, type DingTalkFaultPreset } from './fault-presets.js';
export { FAULT_HEADER } from './server.js';
export { DingTalkState } from './state.js';
export { DingTalkStats, type DingTalkStatsSnapshot, type CopyRequestStat, type RouteName } from './stats.js';
export { compareWire, toWire, type RecordedRequest, type WireRequest } from './wire.js';
export { CONFLICT_STRATEGIES, type ConflictStrategy, type ResultItem } from './copy.js';
export type { TaskStatus, TaskView } from './tasks.js';
export type { Dentry, DentryType, Space, TreeNode } from './store.js';
