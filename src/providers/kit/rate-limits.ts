import type { EnvReader } from '../../env.js';

/** The most a `*_MAX_CALLS_PER_SECOND` variable may say: far above any upstream's documented limit. */
const MAX_CALLS_PER_SECOND = 100_000;

/**
 * A provider's `<PROVIDER>_MAX_CALLS_PER_SECOND`: upstream calls a second at most, counted across every
 * replica that shares the Redis (each replica on its own without one); 0 turns pacing off. A bad
 * value is a problem of `env`, and `fallback` stands.
 */
export function readMaxCallsPerSecond(env: EnvReader, variable: string, fallback: number): number {
  return env.integer(variable, fallback, 0, MAX_CALLS_PER_SECOND);
}
