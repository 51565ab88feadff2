import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { GatewayError } from './copy/errors.js';
import { DEFAULT_RETRY } from './providers/kit/retry.js';
import { CopyService } from './copy/service.js';
import { ManagedTokens } from './credentials/managed.js';
import { passThroughOnly } from './credentials/pass-through.js';
import type { ExampleTab } from './http/graphiql.js';
import type { Logger } from './log.js';
import { GatewayMetrics } from './metrics.js';
import { DingTalkAdapter } from './providers/dingtalk/adapter.js';
import { DingTalkClient } from './providers/dingtalk/client.js';
import { IdempotencyGuard } from './idempotency/guard.js';
import { RedisIdempotencyStore } from './idempotency/redis-store.js';
import { MemoryIdempotencyStore } from './idempotency/store.js';
import { SmhAdapter } from './providers/smh/adapter.js';
import { SmhClient } from './providers/smh/client.js';
import { createServer } from './server.js';
import { UpstreamHttpClient } from './upstream/http.js';
import type { Provider } from './copy/types.js';

/** SMH grants the gateway asks for: `admin` is the one grant that also covers copies across spaces. */
const SMH_GRANTS = ['admin'];

/** One undici pool, breaker and metrics sink per upstream origin, with the configured timeouts. */
function upstreamHttp(
  provider: Provider,
  baseUrl: string,
  config: Config,
  logger: Logger,
  metrics: GatewayMetrics | undefined,
): UpstreamHttpClient {
  return new UpstreamHttpClient(provider, baseUrl, {
    timeoutMs: config.upstreamTimeoutMs,
    logger,
    breaker: config.breaker,
    metrics: metrics?.upstream(provider),
  });
}

function smhAdapter(
  config: Config,
  logger: Logger,
  metrics: GatewayMetrics | undefined,
  now?: () => number,
): SmhAdapter | undefined {
  const { smh } = config;
  if (!smh.baseUrl) return undefined;
  const client = new SmhClient(upstreamHttp('SMH', smh.baseUrl, config, logger, metrics));
  const secrets = new Map(smh.libraries.map((l) => [l.libraryId, l.librarySecret]));
  const tokens =
    secrets.size === 0
      ? passThroughOnly('SMH', 'x-smh-access-token')
      : new ManagedTokens({
          providerName: 'SMH',
          now,
          metrics: metrics?.tokens('SMH'),
          fetch: async (libraryId, signal) => {
            const secret = secrets.get(libraryId);
            if (!secret) {
              throw new GatewayError(
                `No SMH credential is configured for library ${libraryId}: send the access token in the x-smh-access-token header.`,
                'UNAUTHENTICATED',
                { provider: 'SMH' },
              );
            }
            const { accessToken, expiresIn } = await client.createToken(libraryId, secret, {
              grants: SMH_GRANTS,
              signal,
            });
            return { token: accessToken, expiresInSeconds: expiresIn };
          },
        });
  return new SmhAdapter(client, tokens, { ...smh, retry: DEFAULT_RETRY });
}

function dingTalkAdapter(
  config: Config,
  logger: Logger,
  metrics: GatewayMetrics | undefined,
  now?: () => number,
): DingTalkAdapter | undefined {
  const { dingtalk } = config;
  if (!dingtalk.baseUrl) return undefined;
  const client = new DingTalkClient(upstreamHttp('DINGTALK', dingtalk.baseUrl, config, logger, metrics));
  const { appKey, appSecret } = dingtalk;
  const tokens =
    appKey && appSecret
      ? new ManagedTokens({
          providerName: 'DingTalk',
          now,
          metrics: metrics?.tokens('DINGTALK'),
          fetch: async (_scope, signal) => {
            const { accessToken, expireIn } = await client.getAccessToken(appKey, appSecret, signal);
            return { token: accessToken, expiresInSeconds: expireIn };
          },
        })
      : passThroughOnly('DingTalk', 'x-acs-dingtalk-access-token');
  return new DingTalkAdapter(client, tokens, {
    ...dingtalk,
    retry: { ...DEFAULT_RETRY, retries: dingtalk.throttleRetries },
  });
}

export interface GatewayOptions {
  /** Operations GraphiQL opens with. */
  examples?: ExampleTab[];
  /** The clock managed tokens expire on (tests move it). */
  now?: () => number;
}

/** The composition root: config → adapters → copy service → HTTP server. */
export async function buildGateway(
  config: Config,
  logger: Logger,
  options: GatewayOptions = {},
): Promise<FastifyInstance> {
  // Created before the adapters, so series for every configured provider exist from the start.
  const metrics = config.metrics
    ? new GatewayMetrics({
        providers: [
          ...(config.smh.baseUrl ? (['SMH'] as const) : []),
          ...(config.dingtalk.baseUrl ? (['DINGTALK'] as const) : []),
        ],
      })
    : undefined;
  const store = config.redisUrl ? new RedisIdempotencyStore(config.redisUrl) : new MemoryIdempotencyStore();
  const idempotency = new IdempotencyGuard(store, {
    ttlMs: config.idempotencyTtlSeconds * 1000,
    runningTtlMs: config.operationTimeoutMs + 60_000,
    waitMs: 5_000,
  });
  const smh = smhAdapter(config, logger, metrics, options.now);
  const dingtalk = dingTalkAdapter(config, logger, metrics, options.now);
  const copy = new CopyService({ smh, dingtalk }, idempotency, metrics);
  return createServer({ config, logger, copy, metrics, examples: options.examples });
}
