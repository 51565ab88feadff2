import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';

/** Options of {@link limitCallerRate}. */
export interface CallerRateLimitOptions {
  /** Requests per caller per window; 0 turns the limit off. */
  max: number;
  windowMs: number;
  /** Shares the counts between replicas; per process when unset. */
  redisUrl?: string;
}

/** Why a request without a valid API key is refused with 429 instead of 401 ({@link FailedAuthCount}). */
export interface FailedAuthLimited {
  /** The limit: requests without a valid key per client address and window. */
  max: number;
  /** Seconds until the address's count starts again (`Retry-After`). */
  retryAfterSeconds: number;
  /** For people: the limit and when to retry. */
  message: string;
}

/**
 * Counts one request (or WebSocket connection) whose API key was missing or unknown against its client
 * address; resolves to how it is refused when the address is over its limit, else undefined (and when
 * the count could not be kept: Redis down lets requests through, as for callers).
 */
export type FailedAuthCount = (request: FastifyRequest) => Promise<FailedAuthLimited | undefined>;

/**
 * A per-caller request rate limit on the routes registered after it in `app`'s scope, with
 * @fastify/rate-limit: the caller is the API key's name when callers authenticate (so the limit runs
 * after the key check, before the body is read), otherwise the client's IP address. With Redis the
 * counts are shared by every replica (keys `copy-gateway:rate-limit:<caller>`); when Redis fails the
 * request is let through rather than refused. Over the limit: 429 `RATE_LIMITED` with `Retry-After`.
 *
 * Returns the count of failed API-key checks ({@link FailedAuthCount}; undefined when the limit is
 * off): the same limit per client IP address, in a count of its own
 * (`copy-gateway:rate-limit:unauthenticated:<ip>`), so guessing keys is limited and never spends a
 * real caller's budget.
 */
export async function limitCallerRate(
  app: FastifyInstance,
  options: CallerRateLimitOptions,
): Promise<FailedAuthCount | undefined> {
  if (options.max === 0) return undefined;
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, {
        // A rate-limit count is not worth waiting for: fail fast and let the request through.
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 1000,
        commandTimeout: 500,
      })
    : undefined;
  // Errors are logged by the plugin's skipOnError path; without a listener ioredis would print them.
  redis?.on('error', () => undefined);
  if (redis) app.addHook('onClose', async () => void redis.disconnect());
  // Commands are not queued while connecting, so requests before the connection is up would go
  // uncounted: wait for it at start, at most the connect timeout (a Redis that is down does not stop
  // the gateway from starting).
  if (redis && redis.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, 1000);
      redis.once('ready', done);
    });
  }
  // Requests whose key check failed: counted apart from callers and from keyless routes.
  const unauthenticated = new WeakSet<FastifyRequest>();
  await app.register(fastifyRateLimit, {
    global: true,
    hook: 'preParsing',
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: (request: FastifyRequest) =>
      request.caller
        ? `key:${request.caller}`
        : unauthenticated.has(request)
          ? `unauthenticated:${request.ip}`
          : `ip:${request.ip}`,
    redis,
    nameSpace: 'copy-gateway:rate-limit:',
    skipOnError: true,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `Too many requests: at most ${context.max} per ${options.windowMs} ms for each caller; retry after ${context.after}.`,
    }),
  });
  // The plugin's own store and key scheme, without its route hook (this count is taken on demand).
  const count = app.createRateLimit();
  return async (request) => {
    unauthenticated.add(request);
    const verdict = await count(request);
    if (verdict.isAllowed || !verdict.isExceeded) return undefined;
    return {
      max: verdict.max,
      retryAfterSeconds: verdict.ttlInSeconds,
      message: `Too many requests without a valid API key from this address: at most ${verdict.max} per ${options.windowMs} ms; retry after ${verdict.ttlInSeconds} s.`,
    };
  };
}
