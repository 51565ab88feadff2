import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '../../src/providers/registry.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { freePort, startRedis, type OwnRedis } from '../helpers/redis-server.js';

/**
 * /readyz against a Redis of the test's own (never the shared one): down at start, started, killed,
 * restarted, frozen. /healthz stays 200 throughout. The start-up report names each dependency.
 */

interface Probe {
  status: number;
  body: { status: string; checks: Record<string, string> };
  ms: number;
}

async function probe(url: string, path = '/readyz'): Promise<Probe> {
  const began = performance.now();
  const response = await request(`${url}${path}`);
  const body = (await response.body.json()) as Probe['body'];
  return { status: response.statusCode, body, ms: performance.now() - began };
}

/** Probes /readyz until `wanted` answers (at most `withinMs`); the last probe and when it came. */
async function until(url: string, wanted: number, withinMs: number): Promise<Probe & { afterMs: number }> {
  const began = performance.now();
  for (;;) {
    const last = await probe(url);
    const afterMs = performance.now() - began;
    if (last.status === wanted || afterMs > withinMs) return { ...last, afterMs };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The gateway's JSON log lines. */
const logLines = (gateway: TestGateway) =>
  gateway.logs.map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string; level: number });

async function logged(gateway: TestGateway, pattern: RegExp, withinMs = 3000) {
  const began = Date.now();
  for (;;) {
    const line = logLines(gateway).find((l) => pattern.test(l.msg));
    if (line || Date.now() - began > withinMs) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const READY = { status: 'ready', checks: { server: 'up', redis: 'up' } };
const REDIS_DOWN = { status: 'not ready', checks: { server: 'up', redis: 'down' } };

describe('readiness with a Redis that comes and goes', () => {
  let redis: OwnRedis | undefined;
  let gateway: TestGateway;
  let upstream: Server;
  let upstreamRequests = 0;
  let redisPort: number;

  beforeAll(async () => {
    // A configured upstream that listens (it must never get a request) and one nothing listens on.
    upstream = createServer((_request, response) => {
      upstreamRequests++;
      response.end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const [listening, closed] = providers;
    redisPort = await freePort();
    gateway = await startGateway({
      [listening?.settings.baseUrlVariable ?? '']:
        `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      [closed?.settings.baseUrlVariable ?? '']: `http://127.0.0.1:${await freePort()}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_COMMAND_TIMEOUT_MS: '300',
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
    upstream?.close();
  });

  it('says at start which dependency answers, without calling the upstreams', async () => {
    const redisLine = await logged(gateway, /^Redis does not answer at start/);
    expect(redisLine).toMatchObject({ level: 40, dependency: 'redis' });
    const [listening, closed] = providers;
    const reachable = await logged(gateway, /upstream configured; its origin accepts TCP connections/);
    expect(reachable).toMatchObject({ level: 30, upstream: listening?.displayName });
    expect(reachable?.connectMs).toEqual(expect.any(Number));
    const unreachable = await logged(gateway, /upstream configured, but its origin does not accept/);
    expect(unreachable).toMatchObject({ level: 40, upstream: closed?.displayName, error: 'ECONNREFUSED' });
    expect(upstreamRequests).toBe(0);
    // The Redis URL is never logged.
    expect(gateway.logs.join('\n')).not.toContain(`:${redisPort}`);
  });

  it('is not ready while Redis is down, ready once it answers, not ready when it dies, ready again after a restart', async () => {
    expect(await probe(gateway.url)).toMatchObject({ status: 503, body: REDIS_DOWN });
    expect(await probe(gateway.url, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });

    redis = await startRedis(redisPort);
    const up = await until(gateway.url, 200, 5000);
    expect(up).toMatchObject({ status: 200, body: READY });

    await redis.stop();
    const down = await until(gateway.url, 503, 3000);
    expect(down).toMatchObject({ status: 503, body: REDIS_DOWN });
    expect(await logged(gateway, /^Redis does not answer: \/readyz reports not ready/)).toMatchObject({
      level: 40,
    });
    expect(await probe(gateway.url, '/healthz')).toMatchObject({ status: 200 });

    redis = await startRedis(redisPort);
    const again = await until(gateway.url, 200, 5000);
    expect(again).toMatchObject({ status: 200, body: READY });
    expect(await logged(gateway, /^Redis answers again/)).toMatchObject({ level: 30 });
    console.warn(
      `readiness: down ${Math.round(down.afterMs)} ms after Redis was killed, ready ${Math.round(again.afterMs)} ms after its restart`,
    );
  }, 30_000);

  it('is not ready, within the ping timeout, while Redis is frozen (SIGSTOP)', async () => {
    if (!redis) throw new Error('the previous test starts Redis');
    expect(await until(gateway.url, 200, 5000)).toMatchObject({ body: READY });
    redis.child.kill('SIGSTOP');
    try {
      const frozen = await probe(gateway.url);
      expect(frozen).toMatchObject({ status: 503, body: REDIS_DOWN });
      // The PING gives up after min(REDIS_COMMAND_TIMEOUT_MS, 500 ms): well within a probe's timeout.
      expect(frozen.ms).toBeGreaterThanOrEqual(250);
      expect(frozen.ms).toBeLessThan(1000);
      // Probes at the same time share one PING.
      const together = await Promise.all([probe(gateway.url), probe(gateway.url), probe(gateway.url)]);
      expect(together.map((p) => p.status)).toEqual([503, 503, 503]);
    } finally {
      redis.child.kill('SIGCONT');
    }
    expect(await until(gateway.url, 200, 5000)).toMatchObject({ body: READY });
  }, 30_000);
});

describe('readiness without Redis', () => {
  it('is ready once the server listens, with nothing else to ask', async () => {
    const gateway = await startGateway({});
    try {
      expect(await probe(gateway.url)).toMatchObject({
        status: 200,
        body: { status: 'ready', checks: { server: 'up' } },
      });
      gateway.app.readiness.beginShutdown();
      const response = await request(`${gateway.url}/readyz`);
      expect(response.statusCode).toBe(503);
      expect(response.headers.connection).toBe('close');
      expect(await response.body.json()).toEqual({
        status: 'not ready',
        checks: { server: 'shutting down' },
      });
    } finally {
      await gateway.close();
    }
  });
});
