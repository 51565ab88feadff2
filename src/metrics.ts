/**
 * Prometheus metrics, one Registry per gateway (never prom-client's global one, so several gateways
 * can run in one process). Every label takes values from a small fixed set: a route pattern, an HTTP
 * method, a status, a provider, an error code. Never an id, path, URL, token, key or secret.
 *
 * The hot path only increments cached label children; label hashing and text rendering happen on a
 * scrape.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CopyMetrics } from './copy/ports.js';
import type { CopyOutcome, Provider } from './copy/types.js';
import type { TokenMetrics } from './credentials/token-source.js';
import type { CircuitState, UpstreamMetrics } from './upstream/ports.js';
import type { ResolutionMetrics } from './copy/resolution.js';
import type { CopyTaskState } from './copy/types.js';
import type { JobMetrics } from './jobs/executor.js';
import type { JobCounts } from './jobs/runner.js';

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, halfOpen: 1, open: 2 };
const OUTCOMES: CopyOutcome['kind'][] = ['succeeded', 'partiallyFailed', 'accepted', 'rejected'];
const ITEM_STATUSES = ['SUCCEEDED', 'FAILED', 'PENDING', 'UNKNOWN'] as const;
// Upstream timeouts reach 10 min and operation deadlines an hour; past 30 s the exact value matters little.
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Memoizes one label child per label combination: prom-client hashes the labels on every call. */
function children<T>(make: (...labels: string[]) => T): (...labels: string[]) => T {
  const cache = new Map<string, T>();
  return (...labels) => {
    const key = labels.join('\u0000');
    let child = cache.get(key);
    if (child === undefined) {
      child = make(...labels);
      cache.set(key, child);
    }
    return child;
  };
}

/**
 * The gateway's Prometheus metrics (HTTP answers, upstream calls, circuit state, copy outcomes and
 * items, token fetches) in a Registry of its own.
 */
export class GatewayMetrics implements CopyMetrics, ResolutionMetrics, JobMetrics {
  readonly registry = new Registry();

  readonly #httpRequests = new Counter({
    name: 'copy_gateway_http_requests_total',
    help: 'HTTP requests answered, by matched route pattern (or "unmatched"), method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly #httpDuration = new Histogram({
    name: 'copy_gateway_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by matched route pattern (or "unmatched") and method.',
    labelNames: ['route', 'method'] as const,
    buckets: BUCKETS,
    registers: [this.registry],
  });
  readonly #upstreamRequests = new Counter({
    name: 'copy_gateway_upstream_requests_total',
    help: 'Upstream calls by provider, operation and outcome (HTTP status class, failure code, or circuit_open when not sent).',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #upstreamDuration = new Histogram({
    name: 'copy_gateway_upstream_request_duration_seconds',
    help: 'Duration of upstream calls that were sent (circuit_open fast failures are not observed).',
    labelNames: ['provider', 'operation'] as const,
    buckets: BUCKETS,
    registers: [this.registry],
  });
  readonly #rateLimitWait = new Histogram({
    name: 'copy_gateway_upstream_rate_limit_wait_seconds',
    help: "Time paced upstream calls waited for a slot of the upstream's calls-per-second limit (shared by every replica through Redis).",
    labelNames: ['provider', 'operation'] as const,
    buckets: BUCKETS,
    registers: [this.registry],
  });
  readonly #circuit = new Gauge({
    name: 'copy_gateway_circuit_state',
    help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly #copyItems = new Counter({
    name: 'copy_gateway_copy_items_total',
    help: 'Items of batch copies by status in the first answer (PENDING items finish upstream later).',
    labelNames: ['provider', 'status'] as const,
    registers: [this.registry],
  });
  readonly #copyOutcomes = new Counter({
    name: 'copy_gateway_copy_outcomes_total',
    help: 'Batch copies that ran, by outcome (idempotent replays are not counted).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #resolutions = new Counter({
    name: 'copy_gateway_unknown_resolutions_total',
    help: 'UNKNOWN items settled by looking at their targets (succeeded, failed), or still UNKNOWN when the looks ended (unresolved).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  /** Where the job gauges are read on a scrape (the runner's counts). */
  #jobCounts: (() => Promise<JobCounts>) | undefined;
  readonly #jobs = new Gauge({
    name: 'copy_gateway_jobs',
    help: 'Background copy jobs waiting to run (queued) and being run (running): fleet-wide with Redis, this instance without.',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: async () => {
      const counts = await this.#jobCounts?.().catch(() => undefined);
      if (!counts) return;
      this.#jobs.set({ state: 'queued' }, counts.queued);
      this.#jobs.set({ state: 'running' }, counts.running);
    },
  });
  readonly #jobRuns = new Counter({
    name: 'copy_gateway_job_runs_total',
    help: 'Runs of background jobs started on this instance (a job runs again after each turn it yields, and when resumed after a crash or a shutdown).',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly #jobYields = new Counter({
    name: 'copy_gateway_job_yields_total',
    help: 'Runs of background jobs that ended with their turn (JOB_TURN_MS) while other jobs waited: the job went back to the end of the queue.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly #jobsFinished = new Counter({
    name: 'copy_gateway_jobs_finished_total',
    help: 'Background jobs finished on this instance, by final task state.',
    labelNames: ['provider', 'state'] as const,
    registers: [this.registry],
  });
  readonly #jobChunks = new Counter({
    name: 'copy_gateway_job_chunks_total',
    help: 'Chunks of background jobs whose outcome this instance recorded (rate(): chunks per second).',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly #tokenFetches = new Counter({
    name: 'copy_gateway_token_fetches_total',
    help: 'Managed upstream token fetches, by outcome.',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly #http = children((route, method, status) => this.#httpRequests.labels(route!, method!, status!));
  readonly #httpTime = children((route, method) => this.#httpDuration.labels(route!, method!));
  readonly #upstream = children((provider, operation, outcome) =>
    this.#upstreamRequests.labels(provider!, operation!, outcome!),
  );
  readonly #upstreamTime = children((provider, operation) =>
    this.#upstreamDuration.labels(provider!, operation!),
  );
  readonly #waitTime = children((provider, operation) => this.#rateLimitWait.labels(provider!, operation!));
  readonly #items = children((provider, status) => this.#copyItems.labels(provider!, status!));
  readonly #outcomes = children((provider, outcome) => this.#copyOutcomes.labels(provider!, outcome!));

  constructor(options: { providers?: Provider[]; defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // Series of configured providers exist from the start at 0, so rate() and alerts see them.
    for (const provider of options.providers ?? []) {
      this.#circuit.set({ provider }, 0);
      this.#jobChunks.inc({ provider }, 0);
      for (const outcome of OUTCOMES) this.#outcomes(provider, outcome).inc(0);
      for (const status of ITEM_STATUSES) this.#items(provider, status).inc(0);
    }
  }

  httpResponse(route: string, method: string, status: number, seconds: number): void {
    this.#http(route, method, String(status)).inc();
    this.#httpTime(route, method).observe(seconds);
  }

  /** The sink one upstream client reports to. */
  upstream(provider: Provider): UpstreamMetrics {
    return {
      upstreamCall: (operation, outcome, seconds) => {
        this.#upstream(provider, operation, outcome).inc();
        if (seconds !== undefined) this.#upstreamTime(provider, operation).observe(seconds);
      },
      rateLimitWait: (operation, seconds) => this.#waitTime(provider, operation).observe(seconds),
      circuit: (state) => this.#circuit.set({ provider }, CIRCUIT_VALUE[state]),
    };
  }

  /** The sink one provider's managed tokens report to. */
  tokens(provider: Provider): TokenMetrics {
    return { tokenFetch: (outcome) => this.#tokenFetches.inc({ provider, outcome }) };
  }

  resolution(provider: Provider, outcome: 'succeeded' | 'failed' | 'unresolved'): void {
    this.#resolutions.inc({ provider, outcome });
  }

  /** Reads the job gauges from `counts` on each scrape. */
  jobCounts(counts: () => Promise<JobCounts>): void {
    this.#jobCounts = counts;
  }

  jobStarted(provider: Provider): void {
    this.#jobRuns.inc({ provider });
  }

  jobFinished(provider: Provider, state: CopyTaskState): void {
    this.#jobsFinished.inc({ provider, state });
  }

  chunkSettled(provider: Provider): void {
    this.#jobChunks.inc({ provider });
  }

  jobYielded(provider: Provider): void {
    this.#jobYields.inc({ provider });
  }

  copyOutcome(outcome: CopyOutcome): void {
    this.#outcomes(outcome.provider, outcome.kind).inc();
    const counts: Record<string, number> = { SUCCEEDED: 0, FAILED: 0, PENDING: 0, UNKNOWN: 0 };
    for (const item of outcome.items) counts[item.status]! += 1;
    for (const status of ITEM_STATUSES) {
      if (counts[status]! > 0) this.#items(outcome.provider, status).inc(counts[status]);
    }
  }
}
