import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LIBRARY_ID } from '../../src/emulators/smh/index.js';
import { startSmhRig, type SmhRig } from '../helpers/smh-rig.js';

/** Sends raw HTTP/1.1 text and returns the status line (the test needs headers undici will not send). */
function rawStatus(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let out = '';
    socket.on('data', (chunk) => (out += chunk.toString()));
    socket.on('end', () => resolve(out.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('API keys and the Upgrade header', () => {
  let rig: SmhRig;

  beforeAll(async () => {
    rig = await startSmhRig({
      managed: true,
      env: { GATEWAY_API_KEYS: 'alice:aaaaaaaaaaaaaaaaaaaa', ALLOW_ANONYMOUS: '0' },
    });
  });
  afterAll(() => rig.close());

  it('checks the key on an ordinary request that merely carries Upgrade: websocket', async () => {
    const body = JSON.stringify({
      query: `mutation { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", items: [{ from: "foo/1.jpg", to: "foo/sneaky.jpg" }] } }) { __typename } }`,
    });
    for (const method of ['POST', 'GET'] as const) {
      const request =
        method === 'POST'
          ? `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nUpgrade: websocket\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
          : `GET /graphql?query=${encodeURIComponent('{ __typename }')} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\napollo-require-preflight: 1\r\nConnection: close\r\n\r\n`;
      expect(await rawStatus(rig.gw.url, request), method).toBe('HTTP/1.1 401 Unauthorized');
    }
    expect(rig.emu.stats.batches).toHaveLength(0);
    expect(rig.emu.state.exists(DEMO_LIBRARY_ID, '-', 'foo/sneaky.jpg')).toBe(false);
  });
});
