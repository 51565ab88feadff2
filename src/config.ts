/**
 * Environment → a typed, validated Config, read per concern (server, GraphQL limits, idempotency,
 * upstream calls, each provider through its module). Every bad variable is collected; one ConfigError
 * names them all with what each expects, so an operator can fix them from one log line.
 */
import { readFileSync } from 'node:fs';
import { EnvReader, type Env } from './env.js';
import type { ProviderModule, ProviderSettings } from './providers/module.js';
import { providers as registry } from './providers/registry.js';
import type { ResolutionMode } from './copy/lookups.js';
import { readTracing, type TracingSettings } from './tracing/settings.js';

export { ConfigError, type ConfigProblem, type Env } from './env.js';

/** pino's levels, and `silent`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A caller's API key (GATEWAY_API_KEYS). */
export interface ApiKey {
  /** A name for logs; never the key itself. */
  name: string;
  key: string;
}

/** The validated configuration. */
export interface Config {
  port: number;
  host: string;
  production: boolean;
  /** No upstream configured (or DEMO=1 without base URLs): run the emulators in-process. */
  demo: boolean;
  logLevel: LogLevel;
  /**
   * The key task ids are signed with (HMAC-SHA256) and jobs' caller tokens sealed with in Redis
   * (AES-256-GCM), the same on every replica; always set with REDIS_URL. Unset: ids are unsigned
   * (pass-through only) or, in demo mode, signed with a key made for the process.
   */
  taskIdSecret?: string;
  /** Shared idempotency records for several instances; in memory when unset. */
  redisUrl?: string;
  /** How long an idempotencyKey's answer is replayed. */
  idempotencyTtlSeconds: number;
  /**
   * How items whose answer was lost (UNKNOWN) are settled: `off`, `lookup` (look at their targets
   * afterwards) or `snapshot` (also record the targets before sending); the grace period before the
   * first look, and how long the looks go on.
   */
  unknownResolution: { mode: ResolutionMode; graceMs: number; windowMs: number };
  /** How long a keyed run's claim outlives its last heartbeat: a crashed gateway is noticed after it. */
  idempotencyLeaseMs: number;
  /** Longest one Redis command may take before the request fails closed (below the operation deadline). */
  redisCommandTimeoutMs: number;
  upstreamTimeoutMs: number;
  /**
   * Prefix of the Redis keys that count upstream calls per second (UPSTREAM_RATE_KEY_PREFIX): replicas
   * with the same prefix share their providers' `*_MAX_CALLS_PER_SECOND` budgets.
   */
  upstreamRateKeyPrefix: string;
  /** Deadline for a whole GraphQL operation, including every upstream call it makes. */
  operationTimeoutMs: number;
  introspection: boolean;
  /** Serve GET /metrics (Prometheus text) and collect the metrics behind it. */
  metrics: boolean;
  bodyLimitBytes: number;
  /**
   * Web origins whose pages may call the gateway from a browser (CORS, and WebSocket handshakes that
   * carry an `Origin`), normalized as browsers send them; unset: none, except the gateway's own
   * loopback origins in demo mode.
   */
  corsOrigins?: readonly string[];
  /**
   * Host names (lower case, no port) a gateway without API keys answers to besides IP addresses and
   * `localhost` (ALLOWED_HOSTS): other `Host` headers are refused, against DNS rebinding.
   */
  allowedHosts: readonly string[];
  /**
   * After SIGTERM, how long `/readyz` answers 503 while requests are still served, so that load
   * balancers stop sending before the server closes (milliseconds).
   */
  shutdownDelayMs: number;
  /** Limits on connections and callers, so slow or flooding clients cannot exhaust the server. */
  server: {
    /** Time for a request head to arrive (Node's `headersTimeout`). */
    headersTimeoutMs: number;
    /** Time for a whole request, head and body, to arrive (Node's `requestTimeout`). */
    requestTimeoutMs: number;
    /** How long an idle keep-alive connection stays open. */
    keepAliveTimeoutMs: number;
    /** Open connections at most (below the file-descriptor limit). */
    maxConnections: number;
    /** Requests per caller (API key name, or client IP without keys) per window; 0: no limit. */
    rateLimitMax: number;
    rateLimitWindowMs: number;
  };
  apiKeys: ApiKey[];
  /** Callers need no API key even though the gateway spends managed credentials (see {@link decideAccess}). */
  allowAnonymous: boolean;
  /** Some upstream credential is configured: the gateway spends secrets on its callers' behalf. */
  managed: boolean;
  /** Each provider's settings by provider id, as its module read them. */
  providers: Readonly<Record<string, ProviderSettings>>;
  /** Upstream calls one GraphQL request may make at most. */
  maxUpstreamCallsPerRequest: number;
  /**
   * How subscriptions follow a task (poll interval, longest watch) and how many may be live at once,
   * per caller and in the whole process.
   */
  subscriptions: { pollMs: number; maxMs: number; perCaller: number; total: number };
  /** Circuit breaker per upstream origin. */
  breaker: { errorThresholdPercent: number; minRequests: number; resetTimeoutMs: number };
  /** Background jobs (batches above the inline limit, or asked for with `execution: BACKGROUND`). */
  jobs: JobSettings;
  /**
   * How many times one document runs before it is compiled (graphql-jit) for its later runs; until
   * then, and always with 0, graphql-js executes it. Compiling costs a few times validating, so a
   * document that is sent once is not compiled.
   */
  compileAfter: number;
  /** Limits on a GraphQL document. */
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    maxCost: number;
    /** Fragment definitions per document. */
    maxFragments: number;
    /** Selections (fields, fragment spreads, inline fragments) written in a document. */
    maxSelections: number;
  };
  /** OpenTelemetry tracing from the standard `OTEL_*` variables: off unless asked for. */
  tracing: TracingSettings;
}

/** How background jobs run (see {@link Config.jobs}). */
export interface JobSettings {
  /** AUTO runs a batch inline when it needs at most this many upstream calls (INLINE_MAX_UPSTREAM_CALLS). */
  inlineMaxUpstreamCalls: number;
  /** How long a job's records are kept after it was accepted, in seconds (TASK_RETENTION_SECONDS). */
  retentionSeconds: number;
  /** Jobs one instance runs at once (JOB_CONCURRENCY). */
  concurrency: number;
  /** Upstream calls one job has in flight at once (JOB_CHUNK_CONCURRENCY). */
  chunkConcurrency: number;
  /**
   * Longest time a job runs while other jobs wait for a place, in milliseconds, before it goes back to
   * the end of the queue (its calls in flight finish first); 0: a job runs to its end (JOB_TURN_MS).
   */
  turnMs: number;
  /**
   * How long a job stays with an instance that stopped renewing its lock before another instance
   * resumes it, in milliseconds (JOB_LOCK_MS; with Redis only).
   */
  lockMs: number;
  /**
   * How long `cancelCopyTask` waits at most for the task's calls in flight to be recorded, so that it
   * answers the final task, in milliseconds (JOB_CANCEL_WAIT_MS; never more than half of what is left
   * of the operation's deadline).
   */
  cancelWaitMs: number;
  /** Prefix of the Redis keys of jobs and their BullMQ queue (JOBS_KEY_PREFIX). */
  keyPrefix: string;
}

/** What {@link decideAccess} decides from. */
export interface AccessInput {
  /** NODE_ENV=production. */
  production: boolean;
  /** DEMO=1. */
  demoRequested: boolean;
  /** Whether the demo runs, when that is already known (demo mode asks with its emulators' settings). */
  demo?: boolean;
  /** Every provider's settings. */
  providers: readonly ProviderSettings[];
  /** How many API keys callers may use. */
  apiKeys: number;
  /** ALLOW_ANONYMOUS=1. */
  allowAnonymous: boolean;
}

/** Who the gateway runs for, and what it refuses. */
export interface Access {
  demo: boolean;
  managed: boolean;
  allowAnonymous: boolean;
  /** Why the gateway must not start: no upstream in production, or open managed credentials. */
  refusal?: 'no-upstream' | 'no-api-keys';
}

/**
 * The demo/managed/anonymous policy. With nothing configured the gateway runs the demo (refused in
 * production unless DEMO=1); DEMO=1 also runs it when no base URL is set. Managed credentials must not be
 * spendable by anyone who can reach the port: they need API keys, unless ALLOW_ANONYMOUS=1 or the demo
 * runs (on loopback, with the emulators' own credentials).
 */
export function decideAccess(input: AccessInput): Access {
  const nothingConfigured = input.providers.every((p) => p.baseUrl === undefined && !p.managed);
  const noBaseUrl = input.providers.every((p) => p.baseUrl === undefined);
  const demo = input.demo ?? (nothingConfigured || (input.demoRequested && noBaseUrl));
  const managed = input.providers.some((p) => p.managed);
  const allowAnonymous = input.allowAnonymous || demo;
  if (nothingConfigured && input.production && !input.demoRequested) {
    return { demo, managed, allowAnonymous, refusal: 'no-upstream' };
  }
  if (managed && input.apiKeys === 0 && !allowAnonymous) {
    return { demo, managed, allowAnonymous, refusal: 'no-api-keys' };
  }
  return { demo, managed, allowAnonymous };
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * `key` or `name:key`, comma-separated (a key itself cannot hold ':' or ','). Names and keys must be
 * unique, so a log line's name always means one key. Keys are never echoed back in errors.
 */
function readApiKeys(env: EnvReader): ApiKey[] {
  const raw = env.text('GATEWAY_API_KEYS');
  if (raw === undefined) return [];
  const keys: ApiKey[] = [];
  for (const [i, entry] of raw.split(',').entries()) {
    const part = entry.trim();
    const colon = part.indexOf(':');
    const key = colon > 0 ? part.slice(colon + 1) : part;
    if (key.length < 16 || key.includes(':')) {
      env.problem('GATEWAY_API_KEYS', `keys of at least 16 characters without ':' (entry ${i + 1} is not)`);
      return [];
    }
    keys.push({ name: colon > 0 ? part.slice(0, colon) : `key-${i + 1}`, key });
  }
  const names = new Set(keys.map((k) => k.name));
  const distinct = new Set(keys.map((k) => k.key));
  if (names.size !== keys.length || distinct.size !== keys.length) {
    env.problem('GATEWAY_API_KEYS', 'distinct names and distinct keys');
    return [];
  }
  return keys;
}

/** PORT, HOST's fallback aside, the log level and the HTTP surface. */
function readServer(env: EnvReader) {
  const port = env.integer('PORT', 4000, 0, 65_535);
  const logLevel = (env.text('LOG_LEVEL') ?? 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) env.problem('LOG_LEVEL', LOG_LEVELS.join('|'), logLevel);
  return {
    port,
    logLevel: LOG_LEVELS.includes(logLevel) ? logLevel : 'info',
    metrics: env.flag('METRICS', true),
    // 100,000 SMH items with paths of a few dozen characters fit in 32 MiB of JSON.
    bodyLimitBytes: env.integer('BODY_LIMIT_BYTES', 32 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    corsOrigins: env.origins('CORS_ORIGINS'),
    allowedHosts: readAllowedHosts(env),
    server: readConnectionLimits(env),
  };
}

/** ALLOWED_HOSTS: comma-separated host names, such as `gateway.internal,copy.example.com`. */
function readAllowedHosts(env: EnvReader): string[] {
  const entries = (env.text('ALLOWED_HOSTS') ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  const bad = entries.filter((entry) => !/^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/.test(entry));
  if (bad.length > 0)
    env.problem('ALLOWED_HOSTS', 'host names without scheme or port, comma-separated', bad.join(', '));
  return [...new Set(entries)];
}

/**
 * The open-file limit of this process (Linux: /proc/self/limits), or undefined where it cannot be
 * read. Node raises the soft limit to the hard one at start, so this is what sockets may use.
 */
function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connection and caller limits. The connection cap defaults to 10,000, or less when the open-file
 * limit is low: half of it, or all but 1,024 descriptors (for upstream sockets, Redis and files),
 * whichever is more.
 */
function readConnectionLimits(env: EnvReader): Config['server'] {
  const files = openFileLimit();
  const fallbackConnections =
    files === undefined
      ? 10_000
      : Math.max(16, Math.min(10_000, Math.max(Math.floor(files / 2), files - 1024)));
  const headersTimeoutMs = env.integer('HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = env.integer(
    'REQUEST_TIMEOUT_MS',
    Math.max(30_000, headersTimeoutMs),
    100,
    3_600_000,
  );
  if (requestTimeoutMs < headersTimeoutMs) {
    env.problem(
      'REQUEST_TIMEOUT_MS',
      `at least HEADERS_TIMEOUT_MS (${headersTimeoutMs})`,
      String(requestTimeoutMs),
    );
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs: Math.max(requestTimeoutMs, headersTimeoutMs),
    keepAliveTimeoutMs: env.integer('KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    maxConnections: env.integer('MAX_CONNECTIONS', fallbackConnections, 1, 1_000_000),
    rateLimitMax: env.integer('RATE_LIMIT_MAX', 5000, 0, 100_000_000),
    rateLimitWindowMs: env.integer('RATE_LIMIT_WINDOW_MS', 1000, 100, 3_600_000),
  };
}

/** Limits on GraphQL documents. */
function readLimits(env: EnvReader): Config['limits'] {
  return {
    maxDepth: env.integer('GRAPHQL_MAX_DEPTH', 12, 1, 1000),
    maxAliases: env.integer('GRAPHQL_MAX_ALIASES', 50, 1, 100_000),
    maxTokens: env.integer('GRAPHQL_MAX_TOKENS', 20_000, 100, 10_000_000),
    maxDirectives: env.integer('GRAPHQL_MAX_DIRECTIVES', 50, 1, 100_000),
    maxCost: env.integer('GRAPHQL_MAX_COST', 10_000, 10, 100_000_000),
    maxFragments: env.integer('GRAPHQL_MAX_FRAGMENTS', 30, 1, 100_000),
    maxSelections: env.integer('GRAPHQL_MAX_SELECTIONS', 500, 10, 1_000_000),
  };
}

/** Where idempotency records live and how long they are kept. */
function readIdempotency(env: EnvReader) {
  const redisUrl = env.text('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    env.problem('REDIS_URL', 'a redis:// or rediss:// URL');
  }
  return {
    redisUrl: redisUrl !== undefined && /^rediss?:\/\/[^\s]+$/.test(redisUrl) ? redisUrl : undefined,
    idempotencyTtlSeconds: env.integer('IDEMPOTENCY_TTL_SECONDS', 86_400, 1, 30 * 86_400),
    idempotencyLeaseMs: env.integer('IDEMPOTENCY_LEASE_MS', 5_000, 300, 600_000),
  };
}

const RESOLUTION_MODES: readonly ResolutionMode[] = ['off', 'lookup', 'snapshot'];

function readUnknownResolution(env: EnvReader): Config['unknownResolution'] {
  const mode = (env.text('UNKNOWN_RESOLUTION') ?? 'lookup').toLowerCase() as ResolutionMode;
  if (!RESOLUTION_MODES.includes(mode)) env.problem('UNKNOWN_RESOLUTION', RESOLUTION_MODES.join('|'), mode);
  return {
    mode: RESOLUTION_MODES.includes(mode) ? mode : 'lookup',
    graceMs: env.integer('UNKNOWN_GRACE_MS', 2_000, 0, 600_000),
    windowMs: env.integer('UNKNOWN_WINDOW_SECONDS', 600, 1, 7 * 86_400) * 1000,
  };
}

/**
 * The key task ids are signed with: required where the gateway's own credentials read the tasks an
 * id names (managed, outside the demo), so that ids cannot be made up; and whenever jobs run on Redis
 * (REDIS_URL, demo included), because any replica sharing the Redis may run a job the moment it is
 * accepted and needs the caller's upstream tokens, which the job keeps in Redis sealed with this key.
 */
function readTaskIdSecret(
  env: EnvReader,
  managed: boolean,
  demo: boolean,
  redisUrl: string | undefined,
): string | undefined {
  const secret = env.text('TASK_ID_SECRET');
  if (secret !== undefined && secret.length < 32) {
    env.problem('TASK_ID_SECRET', 'a secret of at least 32 characters');
    return undefined;
  }
  if (secret === undefined && managed && !demo) {
    env.problem(
      'TASK_ID_SECRET',
      'a secret of at least 32 characters, the same on every replica, when managed credentials are configured: task ids are signed with it',
    );
  } else if (secret === undefined && redisUrl !== undefined) {
    env.problem(
      'TASK_ID_SECRET',
      'a secret of at least 32 characters, the same on every replica, when REDIS_URL is set: any replica on that Redis runs background jobs, and the upstream tokens callers send with them are kept there sealed with it',
    );
  }
  return secret;
}

/** Timeouts, budgets and the circuit breaker of upstream calls, and how subscriptions poll. */
function readUpstreamCalls(env: EnvReader) {
  const upstreamTimeoutMs = env.integer('UPSTREAM_TIMEOUT_MS', 10_000, 100, 600_000);
  const operationTimeoutMs = env.integer(
    'OPERATION_TIMEOUT_MS',
    Math.max(30_000, upstreamTimeoutMs * 3),
    100,
    3_600_000,
  );
  // Every Redis command answers (or fails) well within the operation's deadline.
  const redisCommandTimeoutMs = env.integer(
    'REDIS_COMMAND_TIMEOUT_MS',
    Math.min(2_000, Math.floor(operationTimeoutMs / 4)),
    10,
    60_000,
  );
  if (redisCommandTimeoutMs >= operationTimeoutMs) {
    env.problem('REDIS_COMMAND_TIMEOUT_MS', `less than OPERATION_TIMEOUT_MS (${operationTimeoutMs})`);
  }
  return {
    upstreamTimeoutMs,
    operationTimeoutMs,
    redisCommandTimeoutMs,
    upstreamRateKeyPrefix: env.text('UPSTREAM_RATE_KEY_PREFIX') ?? 'copy-gateway:call-rate',
    maxUpstreamCallsPerRequest: env.integer('MAX_UPSTREAM_CALLS_PER_REQUEST', 5000, 1, 1_000_000),
    subscriptions: {
      pollMs: env.integer('TASK_POLL_INTERVAL_MS', 2_000, 50, 600_000),
      maxMs: env.integer('SUBSCRIPTION_MAX_SECONDS', 3_600, 1, 86_400) * 1000,
      perCaller: env.integer('SUBSCRIPTIONS_PER_CALLER', 100, 1, 100_000),
      total: env.integer('SUBSCRIPTIONS_MAX', 2_000, 1, 1_000_000),
    },
    breaker: {
      errorThresholdPercent: env.integer('CIRCUIT_ERROR_PERCENT', 50, 1, 100),
      minRequests: env.integer('CIRCUIT_MIN_REQUESTS', 20, 1, 100_000),
      resetTimeoutMs: env.integer('CIRCUIT_RESET_MS', 10_000, 100, 3_600_000),
    },
  };
}

/** Shortest JOB_TURN_MS other than 0. */
const MIN_JOB_TURN_MS = 100;

/** INLINE_MAX_UPSTREAM_CALLS, TASK_RETENTION_SECONDS, JOB_CONCURRENCY, JOB_CHUNK_CONCURRENCY, JOB_TURN_MS, JOB_LOCK_MS, JOB_CANCEL_WAIT_MS, JOBS_KEY_PREFIX. */
function readJobs(env: EnvReader): JobSettings {
  const keyPrefix = env.text('JOBS_KEY_PREFIX') ?? 'copy-gateway:';
  if (/\s/.test(keyPrefix)) env.problem('JOBS_KEY_PREFIX', 'a Redis key prefix without spaces', keyPrefix);
  const turnMs = env.integer('JOB_TURN_MS', 5_000, 0, 3_600_000);
  // A turn shorter than a few upstream calls would spend more on handing the job over than on it.
  if (turnMs > 0 && turnMs < MIN_JOB_TURN_MS) {
    env.problem('JOB_TURN_MS', `0 (off) or an integer from ${MIN_JOB_TURN_MS} to 3600000`, String(turnMs));
  }
  return {
    inlineMaxUpstreamCalls: env.integer('INLINE_MAX_UPSTREAM_CALLS', 10, 1, 1_000_000),
    retentionSeconds: env.integer('TASK_RETENTION_SECONDS', 7 * 86_400, 60, 365 * 86_400),
    concurrency: env.integer('JOB_CONCURRENCY', 4, 1, 1_000),
    chunkConcurrency: env.integer('JOB_CHUNK_CONCURRENCY', 4, 1, 256),
    turnMs,
    lockMs: env.integer('JOB_LOCK_MS', 30_000, 1_000, 600_000),
    cancelWaitMs: env.integer('JOB_CANCEL_WAIT_MS', 5_000, 0, 600_000),
    keyPrefix,
  };
}

/**
 * Outside the demo, a provider with secrets but no base URL calls its module's public origin, or is a
 * problem when the module has none.
 */
function completeOrigins(env: EnvReader, read: readonly ReadProvider[], demo: boolean): void {
  if (demo) return;
  for (const { module, settings } of read) {
    if (!settings.managed || settings.baseUrl !== undefined) continue;
    const { baseUrlVariable, defaultBaseUrl, origin } = module.settings;
    if (defaultBaseUrl !== undefined) settings.baseUrl = defaultBaseUrl;
    else env.problem(baseUrlVariable, `${origin} when ${module.displayName} credentials are configured`);
  }
}

interface ReadProvider {
  module: ProviderModule;
  settings: ProviderSettings;
}

/**
 * Reads the configuration of a gateway with `modules` (default: every provider of the registry).
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(env: Env = process.env, modules: readonly ProviderModule[] = registry): Config {
  const reader = new EnvReader(env);
  const production = reader.text('NODE_ENV') === 'production';
  const demoRequested = reader.flag('DEMO', false);
  const server = readServer(reader);
  const apiKeys = readApiKeys(reader);
  const allowAnonymous = reader.flag('ALLOW_ANONYMOUS', false);
  const read = modules.map((module) => ({ module, settings: module.settings.read(reader) }));
  const access = decideAccess({
    production,
    demoRequested,
    providers: read.map((r) => r.settings),
    apiKeys: apiKeys.length,
    allowAnonymous,
  });
  completeOrigins(reader, read, access.demo);
  const { demo, refusal } = access;
  const baseUrlVariables = modules.map((m) => m.settings.baseUrlVariable);
  if (refusal === 'no-upstream') {
    reader.problem(
      baseUrlVariables[0] ?? 'DEMO',
      `an upstream (${baseUrlVariables.join(' and/or ')}) when NODE_ENV=production; set DEMO=1 to run the local demo on purpose`,
    );
  }
  if (refusal === 'no-api-keys') {
    const managed = read.filter((r) => r.settings.managed).map((r) => r.module.displayName);
    reader.problem(
      'GATEWAY_API_KEYS',
      `API keys for callers when managed credentials (${managed.join(', ')}) are configured; set ALLOW_ANONYMOUS=1 to run without on purpose`,
    );
  }
  const idempotency = readIdempotency(reader);
  const config: Config = {
    ...server,
    host: reader.text('HOST') ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    production,
    demo,
    introspection: reader.flag('INTROSPECTION', demo || !production),
    // The demo stops at once (Ctrl-C); a replica gives its load balancer time to notice.
    shutdownDelayMs: reader.integer('SHUTDOWN_DELAY_MS', demo ? 0 : 5_000, 0, 600_000),
    ...idempotency,
    unknownResolution: readUnknownResolution(reader),
    taskIdSecret: readTaskIdSecret(reader, access.managed, demo, idempotency.redisUrl),
    ...readUpstreamCalls(reader),
    apiKeys,
    allowAnonymous: access.allowAnonymous,
    managed: access.managed,
    providers: Object.fromEntries(read.map(({ module, settings }) => [module.id, settings])),
    limits: readLimits(reader),
    tracing: readTracing(reader),
    jobs: readJobs(reader),
    compileAfter: reader.integer('GRAPHQL_COMPILE_AFTER', 2, 0, 1_000_000),
  };
  reader.assertValid();
  return config;
}
