/**
 * Failed API-key attempts are rate limited per client address, across replicas (Redis), over HTTP and
 * WebSocket, in a count of their own: a real caller's budget is never spent by them. Each test sends
 * from its own loopback address (127.x.y.z), so its count in the shared Redis is its own.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** A loopback address of its own (Linux routes all of 127.0.0.0/8 to the loopback interface). */
const ownAddress = () => `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;

/** POSTs `{ __typename }` from `localAddress` with `authorization`: status, headers and body. */
async function post(url: string, localAddress: string, authorization: string) {
  const client = new Client(url, { localAddress });
  try {
    const response = await client.request({
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const body = (await response.body.json()) as Record<string, unknown>;
    return { status: response.statusCode, headers: response.headers, body };
  } finally {
    await client.close();
  }
}

/** Opens a graphql-transport-ws connection from `localAddress`, sends connection_init with `key`. */
function connectWs(url: string, localAddress: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', {
      localAddress,
    });
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })),
    );
    socket.on('message', () => socket.close(1000));
    socket.on('close', (code) => resolve(code));
    socket.on('error', reject);
  });
}

describe('failed API-key attempts are rate limited per client address', () => {
  const alice = `alice-${randomUUID()}`;
  const aliceKey = `alice-key-${randomUUID()}`;
  let gateways: TestGateway[] = [];
  beforeAll(async () => {
    const env = {
      SMH_BASE_URL: 'http://127.0.0.1:9',
      GATEWAY_API_KEYS: `${alice}:${aliceKey}`,
      RATE_LIMIT_MAX: '10',
      RATE_LIMIT_WINDOW_MS: '10000',
      REDIS_URL: 'redis://127.0.0.1:6379',
    };
    gateways = [await startGateway(env), await startGateway(env)];
  });
  afterAll(async () => {
    for (const gw of gateways) await gw.close();
  });

  it('HTTP: 10 failures per window across replicas, then 429 RATE_LIMITED; the real caller is unaffected', async () => {
    const [a, b] = gateways as [TestGateway, TestGateway];
    const attacker = ownAddress();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 15; i++) {
      last = await post((i % 2 ? b : a).url, attacker, 'Bearer nope');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
    expect(last?.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(/without a valid API key.*at most 10 per 10000 ms/),
          extensions: { code: 'RATE_LIMITED', requestId: expect.any(String) },
        },
      ],
    });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    // The caller with a real key, from the same address: served, and its own budget untouched.
    const real = await post(a.url, attacker, `Bearer ${aliceKey}`);
    expect(real.status).toBe(200);
    expect(real.headers['x-ratelimit-remaining']).toBe('9');
    // Another address has a count of its own.
    expect((await post(b.url, ownAddress(), 'Bearer nope')).status).toBe(401);
  });

  it('WebSocket: a connection_init with a bad key counts like a failed HTTP request', async () => {
    const [a, b] = gateways as [TestGateway, TestGateway];
    const attacker = ownAddress();
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push(await connectWs((i % 2 ? b : a).url, attacker, 'nope'));
    expect(codes).toEqual(Array(10).fill(4403));
    expect((await post(a.url, attacker, 'Bearer nope')).status).toBe(429);
    // A real key still connects (from another address: upgrades count in the address's own limit).
    expect(await connectWs(b.url, ownAddress(), aliceKey)).toBe(1000);
  });
});
