/**
 * DNS rebinding: a gateway that asks for no API key answers only to its own host names (IP addresses,
 * localhost, ALLOWED_HOSTS), over HTTP and WebSocket; probes and /metrics answer to any. With API keys
 * the Host is not checked. Real HTTP and WebSocket to gateways on loopback.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const QUERY = JSON.stringify({ query: '{ __typename }' });

/** POSTs `{ __typename }` with `Host: <host>:<the gateway's port>` (and `extra` headers). */
async function postAs(gw: TestGateway, host: string, extra: Record<string, string> = {}) {
  const response = await request(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { host: `${host}:${new URL(gw.url).port}`, 'content-type': 'application/json', ...extra },
    body: QUERY,
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

/** Opens a WebSocket with `Host` and `Origin` on `host`: the handshake's status (101 when upgraded). */
function upgradeAs(gw: TestGateway, host: string): Promise<number> {
  const port = new URL(gw.url).port;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
      headers: { host: `${host}:${port}` },
      origin: `http://${host}:${port}`,
    });
    socket.on('open', () => {
      resolve(101);
      socket.terminate();
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

describe('a gateway without API keys answers only to its own host names', () => {
  let open: TestGateway;
  let keyed: TestGateway;
  beforeAll(async () => {
    open = await startGateway({ SMH_BASE_URL: 'http://127.0.0.1:9', ALLOWED_HOSTS: 'Gateway.Internal' });
    keyed = await startGateway({
      SMH_BASE_URL: 'http://127.0.0.1:9',
      GATEWAY_API_KEYS: 'alice:alice-key-0123456789abcdef',
    });
  });
  afterAll(async () => {
    await open.close();
    await keyed.close();
  });

  it('HTTP: a rebound name is 403 FORBIDDEN; IPs, localhost and ALLOWED_HOSTS are served', async () => {
    const refused = await postAs(open, 'evil.example');
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^Host "evil\.example:\d+" is not served.*ALLOWED_HOSTS/),
          extensions: { code: 'FORBIDDEN', requestId: expect.any(String) },
        },
      ],
    });
    for (const host of ['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]', '10.1.2.3', 'gateway.internal']) {
      const served = await postAs(open, host);
      expect(served.status, host).toBe(200);
      expect(served.body, host).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('WebSocket: a handshake with a rebound Host and Origin is refused, not upgraded', async () => {
    expect(await upgradeAs(open, 'evil.example')).toBe(403);
    expect(await upgradeAs(open, 'localhost')).toBe(101);
  });

  it('probes and /metrics answer whatever the Host', async () => {
    const port = new URL(open.url).port;
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const response = await request(open.url + path, { headers: { host: `evil.example:${port}` } });
      await response.body.dump();
      expect(response.statusCode, path).toBe(200);
    }
  });

  it('with API keys, the Host is not checked (a rebinding page has no key)', async () => {
    const served = await postAs(keyed, 'evil.example', {
      authorization: 'Bearer alice-key-0123456789abcdef',
    });
    expect(served.status).toBe(200);
  });
});
