import { providers } from '../../../src/providers/registry.js';
import type { ConformanceDriver } from '../driver.js';
import { dingTalkDriver } from './dingtalk.js';
import { memoryDriver } from './memory.js';
import { smhDriver } from './smh.js';

const shipped: Record<string, ConformanceDriver> = {
  [smhDriver.module.id]: smhDriver as unknown as ConformanceDriver,
  [dingTalkDriver.module.id]: dingTalkDriver as unknown as ConformanceDriver,
};

/**
 * A driver for every provider in the registry (a provider without one fails the suite), plus the
 * test-only in-memory provider.
 */
export function conformanceDrivers(): ConformanceDriver[] {
  const missing = providers.filter((p) => !shipped[p.id]).map((p) => p.id);
  if (missing.length > 0) throw new Error(`no conformance driver for ${missing.join(', ')}`);
  return [...providers.map((p) => shipped[p.id] as ConformanceDriver), memoryDriver];
}
