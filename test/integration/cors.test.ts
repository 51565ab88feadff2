import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { providers } from '../../src/providers/registry.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** Browser pages on other origins: CORS headers on HTTP, the Origin check on WebSocket handshakes. */

const APP = 'https://app.example.com';
const DEV = 'http://localhost:5173';
const EVIL = 'https://evil.example';
const KEY = 'alice:alice-key-0123456789';
const BEARER = 'Bearer alice-key-0123456789';
const credentialHeaders = providers.map((p) => p.credentialHeader);
/** Pass-through on the first provider (never called: the operations here need no upstream). */
const upstream = { [providers[0]?.settings.baseUrlVariable ?? '']: 'http://127.0.0.1:9' };

type Headers = Record<string, string | string[] | undefined>;

async function preflight(url: string, origin: string, requestHeaders: string) {
  const response = await request(`${url}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': requestHeaders,
    },
  });
  await response.body.dump();
  return { status: response.statusCode, headers: response.headers as Headers };
}

async function post(url: string, headers: Record<string, string>, body = '{"query":"{ __typename }"}') {
  const response = await request(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: response.statusCode,
    headers: response.headers as Headers,
    text: await response.body.text(),
  };
}

const list = (value: string | string[] | undefined) =>
  String(value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');

/** Opens a graphql-transport-ws connection; resolves with 'acknowledged' or the refused handshake's status. */
async function handshake(url: string, origin?: string): Promise<'acknowledged' | number> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
    ...(origin === undefined ? {} : { origin }),
  });
  const refused = once(socket, 'unexpected-response').then(([, response]) => {
    return (response as IncomingMessage).statusCode ?? 0;
  });
  const acknowledged = once(socket, 'open').then(async () => {
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: BEARER } }));
    const [data] = await once(socket, 'message');
    return JSON.parse(String(data)).type === 'connection_ack' ? ('acknowledged' as const) : -1;
  });
  try {
    return await Promise.race([refused, acknowledged]);
  } finally {
    socket.terminate();
  }
}

describe('CORS with CORS_ORIGINS and API keys', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startGateway({
      ...upstream,
      GATEWAY_API_KEYS: KEY,
      ALLOW_ANONYMOUS: '0',
      CORS_ORIGINS: `${APP}, ${DEV}`,
    });
  });
  afterAll(() => gateway.close());

  it('answers a preflight from an allowed origin with everything a page needs, before the API-key check', async () => {
    const asked = ['content-type', 'authorization', ...credentialHeaders, 'x-request-id', 'traceparent'];
    const { status, headers } = await preflight(gateway.url, APP, asked.join(', '));
    expect(status).toBe(204);
    expect(headers['access-control-allow-origin']).toBe(APP);
    expect(headers['access-control-allow-credentials']).toBe('true');
    expect(list(headers['access-control-allow-methods'])).toEqual(['get', 'post', 'options']);
    const allowed = list(headers['access-control-allow-headers']);
    for (const header of [...asked, 'apollo-require-preflight', 'x-apollo-operation-name', 'tracestate']) {
      expect(allowed).toContain(header);
    }
    expect(headers['access-control-max-age']).toBe('600');
    expect(list(headers.vary)).toContain('origin');
    // The other configured origin is answered with its own name, never a list or `*`.
    expect((await preflight(gateway.url, DEV, 'content-type')).headers['access-control-allow-origin']).toBe(
      DEV,
    );
  });

  it('gives a disallowed origin, or a request without Origin, no CORS header', async () => {
    for (const origin of [EVIL, 'https://app.example.com.evil.example', 'http://app.example.com', 'null']) {
      const { headers } = await preflight(gateway.url, origin, 'content-type, authorization');
      expect(headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(headers['access-control-allow-credentials'], origin).toBeUndefined();
      expect(headers['access-control-allow-headers'], origin).toBeUndefined();
      const answer = await post(gateway.url, { origin, authorization: BEARER });
      expect(answer.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
    const plain = await post(gateway.url, { authorization: BEARER });
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('lets an allowed page read answers, errors included, and the headers it needs', async () => {
    const ok = await post(gateway.url, { origin: APP, authorization: BEARER });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({ data: { __typename: 'Query' } });
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(list(ok.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['x-request-id', 'retry-after', 'x-ratelimit-remaining']),
    );
    const unauthenticated = await post(gateway.url, { origin: APP });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers['access-control-allow-origin']).toBe(APP);
    expect(JSON.parse(unauthenticated.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it("keeps Apollo's CSRF prevention for requests a browser sends without a preflight", async () => {
    // A form-like POST from any origin, the allowed one included, is refused before it runs.
    for (const origin of [APP, EVIL]) {
      const simple = await post(
        gateway.url,
        { origin, authorization: BEARER, 'content-type': 'text/plain' },
        '{"query":"{ __typename }"}',
      );
      expect(simple.status, origin).toBe(400);
      expect(JSON.parse(simple.text).errors[0].message).toMatch(/CSRF/);
    }
    const get = (headers: Record<string, string>) =>
      request(`${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { origin: APP, authorization: BEARER, accept: 'application/json', ...headers },
      });
    const refused = await get({});
    expect(refused.statusCode).toBe(400);
    expect(await refused.body.text()).toMatch(/CSRF/);
    const allowed = await get({ 'apollo-require-preflight': 'true' });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    expect(await allowed.body.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('accepts WebSocket handshakes from allowed origins, its own and non-browsers; refuses others with 403', async () => {
    expect(await handshake(gateway.url, APP)).toBe('acknowledged');
    expect(await handshake(gateway.url, gateway.url)).toBe('acknowledged');
    expect(await handshake(gateway.url)).toBe('acknowledged');
    expect(await handshake(gateway.url, EVIL)).toBe(403);
    expect(await handshake(gateway.url, 'null')).toBe(403);
  });
});

describe('CORS defaults', () => {
  it('allows no other origin in production unless CORS_ORIGINS is set', async () => {
    const gateway = await startGateway({ ...upstream, NODE_ENV: 'production' });
    try {
      const port = new URL(gateway.url).port;
      for (const origin of [APP, `http://localhost:${port}`]) {
        const { headers } = await preflight(gateway.url, origin, 'content-type');
        expect(headers['access-control-allow-origin'], origin).toBeUndefined();
      }
      expect(await handshake(gateway.url, `http://localhost:${port}`)).toBe(403);
      expect(await handshake(gateway.url, gateway.url)).toBe('acknowledged');
    } finally {
      await gateway.close();
    }
  });

  it("allows the demo's own origins, by every loopback name, and only those", async () => {
    const gateway = await startGateway({});
    try {
      expect(gateway.config.demo).toBe(true);
      const port = Number(new URL(gateway.url).port);
      for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]) {
        const { headers } = await preflight(gateway.url, origin, 'content-type');
        expect(headers['access-control-allow-origin'], origin).toBe(origin);
      }
      for (const origin of [`http://localhost:${port + 1}`, `https://localhost:${port}`, APP]) {
        const { headers } = await preflight(gateway.url, origin, 'content-type');
        expect(headers['access-control-allow-origin'], origin).toBeUndefined();
      }
      expect(await handshake(gateway.url, `http://localhost:${port}`)).toBe('acknowledged');
    } finally {
      await gateway.close();
    }
  });
});
