/**
 * Environment → a typed, validated Config. Every bad value becomes a ConfigError whose message names
 * the variable and what it expects, so an operator can fix it from one log line.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
    got?: string,
  ) {
    super(`${variable}: expected ${expected}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`);
    this.name = 'ConfigError';
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ApiKey {
  /** A name for logs; never the key itself. */
  name: string;
  key: string;
}

export interface SmhLibraryCredential {
  libraryId: string;
  librarySecret: string;
}

export interface Config {
  port: number;
  host: string;
  production: boolean;
  /** No upstream configured: run the emulators in-process. */
  demo: boolean;
  logLevel: LogLevel;
  /** Shared idempotency records for several instances; in memory when unset. */
  redisUrl?: string;
  /** How long an idempotencyKey's answer is replayed. */
  idempotencyTtlSeconds: number;
  upstreamTimeoutMs: number;
  /** Deadline for a whole GraphQL operation, including every upstream call it makes. */
  operationTimeoutMs: number;
  introspection: boolean;
  /** Serve GET /metrics (Prometheus text) and collect the metrics behind it. */
  metrics: boolean;
  bodyLimitBytes: number;
  apiKeys: ApiKey[];
  allowAnonymous: boolean;
  /** Some upstream credential is configured: the gateway spends secrets on its callers' behalf. */
  managed: boolean;
  smh: {
    baseUrl?: string;
    libraries: SmhLibraryCredential[];
    /** Items per upstream call (the documented maximum is 1000). */
    chunkSize: number;
    maxItems: number;
    concurrency: number;
  };
  dingtalk: {
    baseUrl?: string;
    appKey?: string;
    appSecret?: string;
    /** dentryIds per upstream call (the documented maximum is 3). */
    chunkSize: number;
    maxItems: number;
    concurrency: number;
    throttleRetries: number;
  };
  /** Upstream calls one GraphQL request may make at most. */
  maxUpstreamCallsPerRequest: number;
  /** How subscriptions follow a task: poll interval and longest watch. */
  subscriptions: { pollMs: number; maxMs: number };
  /** Circuit breaker per upstream origin. */
  breaker: { errorThresholdPercent: number; minRequests: number; resetTimeoutMs: number };
  /** Limits on a GraphQL document. */
  limits: { maxDepth: number; maxAliases: number; maxTokens: number; maxDirectives: number; maxCost: number };
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, '1/true/yes/on or 0/false/no/off', raw);
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'an absolute http:// or https:// URL', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, 'an absolute http:// or https:// URL', raw);
  }
  if (url.username || url.password || url.search) {
    // Credentials in a base URL would end up in logs; they belong in the dedicated variables.
    throw new ConfigError(name, 'a URL without credentials or a query string');
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * `key` or `name:key`, comma-separated (a key itself cannot hold ':' or ','). Names and keys must be
 * unique, so a log line's name always means one key. Keys are never echoed back in errors.
 */
function apiKeys(env: Env): ApiKey[] {
  const raw = text(env, 'GATEWAY_API_KEYS');
  if (raw === undefined) return [];
  const keys = raw.split(',').map((entry, i) => {
    const part = entry.trim();
    const colon = part.indexOf(':');
    const name = colon > 0 ? part.slice(0, colon) : `key-${i + 1}`;
    const key = colon > 0 ? part.slice(colon + 1) : part;
    if (key.length < 16 || key.includes(':')) {
      throw new ConfigError(
        'GATEWAY_API_KEYS',
        `keys of at least 16 characters without ':' (entry ${i + 1} is not)`,
      );
    }
    return { name, key };
  });
  const names = new Set(keys.map((k) => k.name));
  const distinct = new Set(keys.map((k) => k.key));
  if (names.size !== keys.length || distinct.size !== keys.length) {
    throw new ConfigError('GATEWAY_API_KEYS', 'distinct names and distinct keys');
  }
  return keys;
}

/**
 * One library in SMH_LIBRARY_ID + SMH_LIBRARY_SECRET, or several in
 * SMH_LIBRARIES=`libraryId:secret,libraryId:secret`.
 */
function smhLibraries(env: Env): SmhLibraryCredential[] {
  const libraries: SmhLibraryCredential[] = [];
  const id = text(env, 'SMH_LIBRARY_ID');
  const secret = text(env, 'SMH_LIBRARY_SECRET');
  if ((id === undefined) !== (secret === undefined)) {
    throw new ConfigError(
      id === undefined ? 'SMH_LIBRARY_ID' : 'SMH_LIBRARY_SECRET',
      'to be set together with its pair',
    );
  }
  if (id !== undefined && secret !== undefined) libraries.push({ libraryId: id, librarySecret: secret });
  const many = text(env, 'SMH_LIBRARIES');
  if (many !== undefined) {
    for (const [i, entry] of many.split(',').entries()) {
      const colon = entry.indexOf(':');
      if (colon <= 0 || colon === entry.length - 1) {
        throw new ConfigError(
          'SMH_LIBRARIES',
          `libraryId:secret pairs separated by commas (entry ${i + 1} is not)`,
        );
      }
      libraries.push({
        libraryId: entry.slice(0, colon).trim(),
        librarySecret: entry.slice(colon + 1).trim(),
      });
    }
  }
  return libraries;
}

export function loadConfig(env: Env = process.env): Config {
  const production = text(env, 'NODE_ENV') === 'production';
  const smhBaseUrl = httpUrl(env, 'SMH_BASE_URL');
  const dingtalkAppKey = text(env, 'DINGTALK_APP_KEY');
  const dingtalkAppSecret = text(env, 'DINGTALK_APP_SECRET');
  if ((dingtalkAppKey === undefined) !== (dingtalkAppSecret === undefined)) {
    throw new ConfigError(
      dingtalkAppKey === undefined ? 'DINGTALK_APP_KEY' : 'DINGTALK_APP_SECRET',
      'to be set together with its pair',
    );
  }
  let dingtalkBaseUrl = httpUrl(env, 'DINGTALK_BASE_URL');
  const libraries = smhLibraries(env);
  const nothingConfigured = !smhBaseUrl && !dingtalkBaseUrl && !dingtalkAppKey && libraries.length === 0;
  const demoFlag = flag(env, 'DEMO', false);
  if (nothingConfigured && production && !demoFlag) {
    throw new ConfigError(
      'SMH_BASE_URL',
      'an upstream (SMH_BASE_URL and/or DINGTALK_BASE_URL) when NODE_ENV=production; set DEMO=1 to run the local demo on purpose',
    );
  }
  const demo = nothingConfigured || (demoFlag && !smhBaseUrl && !dingtalkBaseUrl);
  if (libraries.length > 0 && !smhBaseUrl && !demo) {
    throw new ConfigError(
      'SMH_BASE_URL',
      "the media library's API origin when SMH credentials are configured",
    );
  }
  if (!dingtalkBaseUrl && dingtalkAppKey && !demo) dingtalkBaseUrl = 'https://api.dingtalk.com';

  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', LOG_LEVELS.join('|'), logLevel);
  }
  const redisUrl = text(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'a redis:// or rediss:// URL');
  }
  const upstreamTimeoutMs = integer(env, 'UPSTREAM_TIMEOUT_MS', 10_000, 100, 600_000);
  const keys = apiKeys(env);
  const allowAnonymous = flag(env, 'ALLOW_ANONYMOUS', false);
  const managed = libraries.length > 0 || dingtalkAppKey !== undefined;
  // Configured secrets must not be spendable by anyone who can reach the port.
  if (managed && !demo && keys.length === 0 && !allowAnonymous) {
    throw new ConfigError(
      'GATEWAY_API_KEYS',
      'API keys for callers when managed credentials (SMH_LIBRARY_SECRET / DINGTALK_APP_SECRET) are configured; set ALLOW_ANONYMOUS=1 to run without on purpose',
    );
  }

  return {
    port: integer(env, 'PORT', 4000, 0, 65_535),
    host: text(env, 'HOST') ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    production,
    demo,
    logLevel: logLevel as LogLevel,
    redisUrl,
    idempotencyTtlSeconds: integer(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 1, 30 * 86_400),
    upstreamTimeoutMs,
    operationTimeoutMs: integer(
      env,
      'OPERATION_TIMEOUT_MS',
      Math.max(30_000, upstreamTimeoutMs * 3),
      100,
      3_600_000,
    ),
    introspection: flag(env, 'INTROSPECTION', demo || !production),
    metrics: flag(env, 'METRICS', true),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    apiKeys: keys,
    allowAnonymous,
    managed,
    smh: {
      baseUrl: smhBaseUrl,
      libraries,
      chunkSize: integer(env, 'SMH_CHUNK_SIZE', 1000, 1, 1000),
      maxItems: integer(env, 'SMH_MAX_ITEMS', 10_000, 1, 1_000_000),
      concurrency: integer(env, 'SMH_CONCURRENCY', 4, 1, 64),
    },
    dingtalk: {
      baseUrl: dingtalkBaseUrl,
      appKey: dingtalkAppKey,
      appSecret: dingtalkAppSecret,
      chunkSize: integer(env, 'DINGTALK_CHUNK_SIZE', 3, 1, 1000),
      maxItems: integer(env, 'DINGTALK_MAX_ITEMS', 10_000, 1, 1_000_000),
      concurrency: integer(env, 'DINGTALK_CONCURRENCY', 4, 1, 64),
      throttleRetries: integer(env, 'DINGTALK_THROTTLE_RETRIES', 3, 0, 10),
    },
    maxUpstreamCallsPerRequest: integer(env, 'MAX_UPSTREAM_CALLS_PER_REQUEST', 5000, 1, 1_000_000),
    subscriptions: {
      pollMs: integer(env, 'TASK_POLL_INTERVAL_MS', 2_000, 50, 600_000),
      maxMs: integer(env, 'SUBSCRIPTION_MAX_SECONDS', 3_600, 1, 86_400) * 1000,
    },
    breaker: {
      errorThresholdPercent: integer(env, 'CIRCUIT_ERROR_PERCENT', 50, 1, 100),
      minRequests: integer(env, 'CIRCUIT_MIN_REQUESTS', 20, 1, 100_000),
      resetTimeoutMs: integer(env, 'CIRCUIT_RESET_MS', 10_000, 100, 3_600_000),
    },
    limits: {
      maxDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 12, 1, 1000),
      maxAliases: integer(env, 'GRAPHQL_MAX_ALIASES', 50, 1, 100_000),
      maxTokens: integer(env, 'GRAPHQL_MAX_TOKENS', 20_000, 100, 10_000_000),
      maxDirectives: integer(env, 'GRAPHQL_MAX_DIRECTIVES', 50, 1, 100_000),
      maxCost: integer(env, 'GRAPHQL_MAX_COST', 10_000, 10, 100_000_000),
    },
  };
}
