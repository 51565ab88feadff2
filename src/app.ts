import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { ProviderAdapter } from './copy/adapter.js';
import { CopyService } from './copy/service.js';
import { idEnvelope, processKey } from './copy/id-envelope.js';
import { TaskIdSeal } from './copy/task-id-seal.js';
import { UnknownResolver } from './copy/resolution.js';
import { MemoryResolutionStore, resolutionRefs, type ResolutionStore } from './copy/resolution-records.js';
import { RedisResolutionStore } from './resolution/redis-store.js';
import { RedisProducedRegistry } from './resolution/redis-produced.js';
import { MemoryProducedRegistry, type ProducedRegistry } from './copy/produced.js';
import { recordingResults } from './copy/recording-adapter.js';
import type { Provider } from './copy/types.js';
import { decodeTaskId } from './copy/task-id.js';
import { ManagedTokens } from './credentials/managed.js';
import { passThroughOnly } from './credentials/pass-through.js';
import { loadTypeDefs } from './graphql/schema.js';
import { Readiness } from './health/readiness.js';
import { RedisPing } from './health/redis-ping.js';
import { reportDependencies } from './health/startup-report.js';
import type { ExampleTab } from './http/graphiql.js';
import { IdempotencyGuard } from './idempotency/guard.js';
import { RedisIdempotencyStore } from './idempotency/redis-store.js';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency/store.js';
import type { Logger } from './log.js';
import { GatewayMetrics } from './metrics.js';
import type { AdapterDeps, ProviderModule, ProviderSettings } from './providers/module.js';
import { providers as registry } from './providers/registry.js';
import { createServer } from './server.js';
import { CallRate } from './upstream/call-rate.js';
import type { JobProvider } from './jobs/executor.js';
import { jobProvider } from './jobs/job-provider.js';
import { startJobs } from './jobs/start.js';
import { UpstreamHttpClient } from './upstream/http.js';

/** Redis when configured (and says at start if it does not persist), else this process's memory. */
function idempotencyStore(config: Config, logger: Logger): IdempotencyStore {
  if (!config.redisUrl) {
    logger.info(
      'idempotency keys are kept in this process only: they do not survive a restart and are not shared with other instances (set REDIS_URL)',
    );
    return new MemoryIdempotencyStore();
  }
  const store = new RedisIdempotencyStore(config.redisUrl, {
    commandTimeoutMs: config.redisCommandTimeoutMs,
  });
  void store.persists().then((persists) => {
    if (persists === false) {
      logger.warn(
        'Redis persists nothing (no AOF, no RDB snapshots): after a Redis restart, idempotency keys are forgotten and a retry runs its request again',
      );
    }
  });
  return store;
}

/** Where items still being looked at after their request answered are kept: Redis when configured. */
/**
 * How long the gateway keeps its own results for its looks: the looks' window, and a minute more for the
 * request that ran before the looks began.
 */
const PRODUCED_EXTRA_MS = 60_000;

/** The gateway's own recent results: in Redis (shared by replicas) when there is one, else in memory. */
function producedRegistry(
  config: Config,
  logger: Logger,
  upstreams: ReadonlyMap<Provider, string>,
): ProducedRegistry {
  const ttlMs = config.unknownResolution.windowMs + PRODUCED_EXTRA_MS;
  return config.redisUrl
    ? new RedisProducedRegistry(config.redisUrl, {
        ttlMs,
        commandTimeoutMs: Math.min(config.redisCommandTimeoutMs, 500),
        prefix: `${config.jobs.keyPrefix}produced:`,
        upstreams,
        onError: (error) =>
          logger.warn({ err: error }, 'recording a result failed; looks may keep such an item UNKNOWN'),
      })
    : new MemoryProducedRegistry(ttlMs);
}

function resolutionStore(config: Config): ResolutionStore {
  return config.redisUrl
    ? new RedisResolutionStore(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs })
    : new MemoryResolutionStore();
}

/**
 * Task ids signed with TASK_ID_SECRET, or in demo mode with a key of this process; unsigned (and the
 * log says so) only without managed credentials, where the caller's own token reads an upstream task
 * and a background task reads only for the caller that created it. Background task ids are not signed
 * with a key of the process there: they would stop verifying on restart and on other replicas.
 */
function taskIdSeal(config: Config, logger: Logger, modules: readonly ProviderModule[]): TaskIdSeal {
  const key = config.taskIdSecret ? Buffer.from(config.taskIdSecret) : config.demo ? processKey() : undefined;
  if (!key) {
    logger.info(
      'TASK_ID_SECRET is not set: task ids are unsigned, background task ids (cj1_, 26 characters) included; callers read upstream tasks with their own upstream tokens, and a background task is read only by the caller that created it (same API key or upstream token)',
    );
  }
  return new TaskIdSeal(idEnvelope(key), {
    acceptV1: !config.managed,
    check: (reference) => decodeTaskId(reference, [...modules.map((m) => m.taskRefs), resolutionRefs]),
  });
}

/** What {@link buildGateway} may be given besides the configuration. */
export interface GatewayOptions {
  /** Operations GraphiQL opens with. */
  examples?: ExampleTab[];
  /** The clock managed tokens expire on (tests move it). */
  now?: () => number;
  /**
   * The provider modules the gateway serves (default: the registry's). Their SDL joins the schema and
   * their settings are read from `config.providers` (load it with the same modules).
   */
  providers?: readonly ProviderModule[];
  /** Makes spans for GraphQL operations and upstream calls (tracing/start.ts); none when unset. */
  tracer?: Tracer;
}

/** What every module's adapter is built with besides its own settings. */
interface SharedDeps {
  config: Config;
  logger: Logger;
  metrics: GatewayMetrics | undefined;
  callRate: CallRate;
  now: () => number;
  /** Makes a span for each upstream call when tracing is on. */
  tracer: Tracer | undefined;
}

/** The shared machinery one module's adapter is built with: HTTP client, token sources, clock. */
function adapterDeps(
  module: ProviderModule,
  settings: ProviderSettings,
  baseUrl: string,
  { config, logger, metrics, callRate, now, tracer }: SharedDeps,
): AdapterDeps {
  const limit = module.rateLimits?.(settings);
  return {
    http: () =>
      new UpstreamHttpClient(module.id, baseUrl, {
        displayName: module.displayName,
        secretQueryParameters: module.secretQueryParameters,
        timeoutMs: config.upstreamTimeoutMs,
        logger,
        breaker: config.breaker,
        metrics: metrics?.upstream(module.id),
        pacing: limit && { rate: callRate, limit },
        tracer,
      }),
    tokens: {
      managed: (fetch) =>
        new ManagedTokens({
          providerName: module.displayName,
          now,
          metrics: metrics?.tokens(module.id),
          fetch,
        }),
      passThrough: () => passThroughOnly(module.displayName, module.credentialHeader),
    },
    logger,
    now,
  };
}

/** The composition root: config → adapters → copy service → HTTP server. */
export async function buildGateway(
  config: Config,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<FastifyInstance> {
  const modules = options.providers ?? registry;
  const configured = modules.flatMap((module) => {
    const settings = config.providers[module.id];
    return settings?.baseUrl === undefined ? [] : [{ module, settings, baseUrl: settings.baseUrl }];
  });
  // Created before the adapters, so series for every configured provider exist from the start.
  const metrics = config.metrics
    ? new GatewayMetrics({ providers: configured.map(({ module }) => module.id) })
    : undefined;
  const idempotency = new IdempotencyGuard(idempotencyStore(config, logger), {
    ttlMs: config.idempotencyTtlSeconds * 1000,
    leaseMs: config.idempotencyLeaseMs,
    waitMs: 5_000,
    log: logger,
  });
  const now = options.now ?? Date.now;
  // Fleet-wide with Redis: every replica counts its upstream calls in the same counters.
  const callRate = new CallRate({
    redisUrl: config.redisUrl,
    keyPrefix: config.upstreamRateKeyPrefix,
    commandTimeoutMs: Math.min(config.redisCommandTimeoutMs, 500),
    logger,
  });
  const shared: SharedDeps = { config, logger, metrics, callRate, now, tracer: options.tracer };
  const produced =
    config.unknownResolution.mode === 'off'
      ? undefined
      : producedRegistry(
          config,
          logger,
          new Map(configured.map(({ module, baseUrl }) => [module.id, baseUrl])),
        );
  // Every result the adapters answer is remembered for a while, so looks tell them from new copies.
  const adapters: ProviderAdapter[] = configured.map(({ module, settings, baseUrl }) => {
    const adapter = module.createAdapter(settings, adapterDeps(module, settings, baseUrl, shared));
    return produced ? recordingResults(adapter, produced) : adapter;
  });
  const jobProviders = new Map<string, JobProvider>();
  configured.forEach(({ module }, i) => {
    const found = jobProvider(adapters[i] as ProviderAdapter, module.taskRefs);
    if (found) jobProviders.set(module.id, found);
  });
  // Jobs have their UNKNOWN items looked at by the copy service, which is built with the jobs.
  const built: { copy?: CopyService } = {};
  const background = startJobs(
    config,
    logger,
    (provider) => jobProviders.get(provider),
    metrics,
    (...args) => built.copy?.followUnknown(...args) ?? false,
  );
  metrics?.jobCounts(() => background.counts());
  const copy = new CopyService(
    { providers: modules, adapters },
    idempotency,
    metrics,
    taskIdSeal(config, logger, modules),
    new UnknownResolver(
      config.unknownResolution,
      resolutionStore(config),
      logger,
      metrics,
      Date.now,
      produced,
    ),
    { background, inlineMaxUpstreamCalls: config.jobs.inlineMaxUpstreamCalls },
  );
  built.copy = copy;
  // A probe must answer within a second or so: a Redis slower than this counts as down.
  const redis = config.redisUrl
    ? new RedisPing(config.redisUrl, { timeoutMs: Math.min(config.redisCommandTimeoutMs, 500), logger })
    : undefined;
  const readiness = new Readiness(redis ? [redis] : []);
  const app = await createServer({
    config,
    logger,
    copy,
    metrics,
    examples: options.examples,
    typeDefs: loadTypeDefs(modules),
    readiness,
    tracer: options.tracer,
  });
  app.addHook('onListen', async () => {
    const upstreams = configured.map(({ module, baseUrl }) => ({ name: module.displayName, baseUrl }));
    void reportDependencies({ logger, redis, upstreams, timeoutMs: 2_000 });
  });
  app.addHook('onClose', async () => {
    await readiness.close();
    await callRate.close();
  });
  return app;
}
