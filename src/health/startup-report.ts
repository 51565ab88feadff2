import { connect } from 'node:net';
import type { Logger } from '../copy/ports.js';
import type { RedisPing } from './redis-ping.js';

/** A configured upstream, as the start-up report names it. */
export interface ConfiguredUpstream {
  /** The provider as people write it. */
  name: string;
  /** Its base URL (never holds credentials: the configuration refuses them). */
  baseUrl: string;
}

/** Whether a TCP connection to the URL's host and port opens within `timeoutMs`; nothing is sent. */
export function tcpReachable(
  url: string,
  timeoutMs: number,
): Promise<{ reachable: true; connectMs: number } | { reachable: false; error: string }> {
  const { protocol, hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({
      host: hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(port || (protocol === 'https:' ? 443 : 80)),
      timeout: timeoutMs,
    });
    const end = (result: Awaited<ReturnType<typeof tcpReachable>>) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () =>
      end({ reachable: true, connectMs: Math.round(performance.now() - started) }),
    );
    socket.once('timeout', () => end({ reachable: false, error: `no connection within ${timeoutMs} ms` }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      end({ reachable: false, error: error.code ?? error.message }),
    );
  });
}

/** What {@link reportDependencies} checks. */
export interface DependencyReportInput {
  logger: Logger;
  /** The Redis check, when REDIS_URL is set. */
  redis?: RedisPing;
  upstreams: readonly ConfiguredUpstream[];
  /** How long each check may take (milliseconds). */
  timeoutMs: number;
}

/**
 * Says once, at start, whether each dependency answers: Redis (PING, waiting for the first connection
 * at most `timeoutMs`) and, for each configured upstream, whether its origin accepts a TCP connection.
 * Upstreams are never called: a health check sends no credential and spends no request quota. What
 * fails is a warning; the gateway serves anyway (`/readyz` reports Redis).
 */
export async function reportDependencies(input: DependencyReportInput): Promise<void> {
  const { logger, redis, timeoutMs } = input;
  await Promise.all([
    redis?.first(timeoutMs).then((up) => {
      if (up === undefined) return;
      if (up) logger.info({ dependency: 'redis' }, 'Redis answers');
      else
        logger.warn(
          { dependency: 'redis' },
          'Redis does not answer at start: /readyz reports not ready and keyed requests fail until it does',
        );
    }),
    ...input.upstreams.map(async ({ name, baseUrl }) => {
      const origin = new URL(baseUrl).origin;
      const reach = await tcpReachable(baseUrl, timeoutMs);
      if (reach.reachable) {
        logger.info(
          { upstream: name, origin, connectMs: reach.connectMs },
          `${name} upstream configured; its origin accepts TCP connections (not called: health checks send no credentials)`,
        );
      } else {
        logger.warn(
          { upstream: name, origin, error: reach.error },
          `${name} upstream configured, but its origin does not accept TCP connections: calls to it will fail`,
        );
      }
    }),
  ]);
}
