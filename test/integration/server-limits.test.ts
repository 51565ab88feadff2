/**
 * Slow and flooding clients against a gateway with small limits, on real loopback sockets: sockets
 * that send a request head slowly (slowloris), sockets that announce a body and trickle it, and a
 * caller over its request rate. /healthz must keep answering throughout. Counts and timeouts are small
 * so the file stays within a few seconds.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One /healthz request on a fresh connection: its status and how long it took, in ms. */
async function probe(url: string): Promise<{ status: number; ms: number }> {
  const client = new Client(url, { pipelining: 0 });
  const start = performance.now();
  try {
    const response = await client.request({ path: '/healthz', method: 'GET', headersTimeout: 3000 });
    await response.body.text();
    return { status: response.statusCode, ms: performance.now() - start };
  } finally {
    await client.close();
  }
}

interface Attacker {
  socket: Socket;
  /** What the server sent before it closed the connection. */
  answer: string;
  closedAt?: number;
}

/** Opens a socket that sends `head` and then one more byte every `everyMs` until the server closes it. */
function trickle(url: string, head: string, drip: string, everyMs: number): Attacker {
  const { hostname, port } = new URL(url);
  const attacker: Attacker = { socket: connect(Number(port), hostname), answer: '' };
  const timer = setInterval(() => attacker.socket.writable && attacker.socket.write(drip), everyMs);
  attacker.socket.on('connect', () => attacker.socket.write(head));
  attacker.socket.on('data', (chunk) => (attacker.answer += chunk.toString()));
  attacker.socket.on('error', () => undefined);
  attacker.socket.on('close', () => {
    clearInterval(timer);
    attacker.closedAt = performance.now();
  });
  return attacker;
}

describe('slow clients', () => {
  let gw: TestGateway;
  const KEY = 'slow-key-0123456789abcdef';
  beforeAll(async () => {
    gw = await startGateway({
      SMH_BASE_URL: 'http://127.0.0.1:9',
      GATEWAY_API_KEYS: `caller:${KEY}`,
      MAX_CONNECTIONS: '20',
      HEADERS_TIMEOUT_MS: '1000',
      REQUEST_TIMEOUT_MS: '2000',
    });
  });
  afterAll(() => gw.close());

  it('slowloris: 60 sockets sending header lines slowly leave /healthz answering and are all closed', async () => {
    const start = performance.now();
    const attackers = Array.from({ length: 60 }, () =>
      trickle(gw.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-A: b\r\n', 200),
    );
    await sleep(300);
    const probes = [];
    for (let i = 0; i < 5; i++) {
      probes.push(await probe(gw.url));
      await sleep(150);
    }
    expect(probes.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);
    expect(Math.max(...probes.map((p) => p.ms))).toBeLessThan(1000);
    // Every attacking socket is closed: evicted at the cap, or answered 408 at the head timeout.
    await sleep(2500);
    expect(attackers.filter((a) => a.closedAt === undefined)).toHaveLength(0);
    expect(Math.max(...attackers.map((a) => (a.closedAt ?? Infinity) - start))).toBeLessThan(3500);
    expect(attackers.some((a) => a.answer.startsWith('HTTP/1.1 408 '))).toBe(true);
    expect(gw.logs.some((line) => line.includes('connection limit reached'))).toBe(true);
  });

  it('sockets that announce a body and trickle it are answered 408 at the request timeout', async () => {
    const start = performance.now();
    const attackers = Array.from({ length: 10 }, () =>
      trickle(
        gw.url,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
        ' ',
        200,
      ),
    );
    await sleep(500);
    expect((await probe(gw.url)).status).toBe(200);
    await sleep(2500);
    expect(attackers.filter((a) => a.closedAt === undefined)).toHaveLength(0);
    for (const attacker of attackers) {
      expect(attacker.answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(attacker.answer).toContain('"code":"REQUEST_TIMEOUT"');
      expect((attacker.closedAt ?? Infinity) - start).toBeLessThan(3500);
    }
  });
});

describe('per-caller rate limit', () => {
  const alice = `alice-${randomUUID()}`;
  const bob = `bob-${randomUUID()}`;
  const keys = `${alice}:alice-key-0123456789abcdef,${bob}:bob-key-0123456789abcdef0`;
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  let gateways: TestGateway[] = [];
  beforeAll(async () => {
    const env = {
      SMH_BASE_URL: 'http://127.0.0.1:9',
      GATEWAY_API_KEYS: keys,
      RATE_LIMIT_MAX: '3',
      RATE_LIMIT_WINDOW_MS: '60000',
      REDIS_URL: 'redis://127.0.0.1:6379',
    };
    gateways = [await startGateway(env), await startGateway(env)];
  });
  afterAll(async () => {
    for (const gw of gateways) await gw.close();
  });

  it('counts each caller across replicas (Redis), answers 429 RATE_LIMITED, spares /healthz', async () => {
    const [a, b] = gateways as [TestGateway, TestGateway];
    const query = '{ __typename }';
    const statuses = [
      (await a.graphql(query, {}, auth('alice-key-0123456789abcdef'))).status,
      (await b.graphql(query, {}, auth('alice-key-0123456789abcdef'))).status,
      (await a.graphql(query, {}, auth('alice-key-0123456789abcdef'))).status,
    ];
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await b.graphql(query, {}, auth('alice-key-0123456789abcdef'));
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(/at most 3 per 60000 ms/),
          extensions: { code: 'RATE_LIMITED', requestId: expect.any(String) },
        },
      ],
    });
    // Another caller has a count of its own; probes are not limited.
    expect((await a.graphql(query, {}, auth('bob-key-0123456789abcdef0'))).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await probe(a.url)).status).toBe(200);
  });
});
