import type { Clock, FaultInjector } from '../kit/index.js';
import type { ItemFaultInjector } from './item-faults.js';
import type { SmhStats } from './stats.js';
import type { SmhStore } from './store.js';
import type { TaskStore } from './tasks.js';
import type { TokenStore } from './tokens.js';

/** Item count above which a batch runs as a task, or `always`/`never`. */
export type AsyncThreshold = number | 'always' | 'never';

/** Limits and timings of one SMH emulator. */
export interface SmhConfig {
  /** Batches with more items than this run as background tasks. */
  asyncThreshold: AsyncThreshold;
  /** Batches whose sources hold more nodes than this (subtrees included) also run in the background. */
  asyncNodeThreshold: number | undefined;
  taskDurationMs: number;
  maxItems: number;
}

/** Everything the route handlers share. */
export interface SmhCore {
  store: SmhStore;
  tokens: TokenStore;
  tasks: TaskStore;
  stats: SmhStats;
  faults: FaultInjector;
  itemFaults: ItemFaultInjector;
  clock: Clock;
  config: SmhConfig;
}
