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

/**
 * A per-caller request rate limit on the routes registered after it in `app`'s scope, with
 * @fastify/rate-limit: the caller is the API key's name when callers authenticate (so the limit runs
 * after the key check, before the body is read), otherwise the client's IP address. With Redis the
 * counts are shared by every replica (keys `copy-gateway:rate-limit:<caller>`); when Redis fails the
 * request is let through rather than refused. Over the limit: 429 `RATE_LIMITED` with `Retry-After`.
 */
export async function limitCallerRate(app: FastifyInstance, options: CallerRateLimitOptions): Promise<void> {
  if (options.max === 0) return;
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
  await app.register(fastifyRateLimit, {
    global: true,
    hook: 'preParsing',
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: (request: FastifyRequest) =>
      request.caller ? `key:${request.caller}` : `ip:${request.ip}`,
    redis,
    nameSpace: 'copy-gateway:rate-limit:',
    skipOnError: true,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `Too many requests: at most ${context.max} per ${options.windowMs} ms for each caller; retry after ${context.after}.`,
    }),
  });
}
