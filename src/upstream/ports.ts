/**
 * What the upstream layer is told and reports: which upstream it talks to, and the metrics port that
 * metrics.ts implements (declared here, where it is consumed).
 */
import type { Provider } from '../copy/types.js';

/** Which upstream a client or an answer belongs to, for errors and messages. */
export interface UpstreamIdentity {
  readonly provider: Provider;
  /** The provider as people write it, e.g. `DingTalk`. */
  readonly displayName: string;
}

/**
 * What an upstream call is for, as metrics label it: `target_lookup` reads a target after a copy's
 * answer was lost, `target_snapshot` records targets before sending (UNKNOWN_RESOLUTION=snapshot).
 */
export type UpstreamOperation = 'batch_copy' | 'task_query' | 'token' | 'target_lookup' | 'target_snapshot';

/** An origin's circuit breaker state. */
export type CircuitState = 'closed' | 'halfOpen' | 'open';

/** What UpstreamHttpClient reports: one call per request it was asked to send. */
export interface UpstreamMetrics {
  /**
   * `outcome` is the HTTP status class (`2xx`…), a failure code (`UPSTREAM_TIMEOUT`…) or
   * `circuit_open` or `rate_limited` (not sent: see {@link rateLimitWait}); `seconds` is undefined when nothing was sent.
   */
  upstreamCall(operation: UpstreamOperation | 'other', outcome: string, seconds: number | undefined): void;
  /** A paced call waited `seconds` for its rate-limit slot (0 when one was free), slot or not. */
  rateLimitWait(operation: UpstreamOperation | 'other', seconds: number): void;
  /** The origin's circuit breaker changed state. */
  circuit(state: CircuitState): void;
}
