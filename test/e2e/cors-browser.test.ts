import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LIBRARY_ID, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// In CI a missing browser is a failure, unless .ci/run said loudly that it could not install one.
if (!haveChromium && process.env.CI && !process.env.CHROMIUM_UNAVAILABLE) {
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run should have installed it`);
}
if (!haveChromium) console.warn(`skipping the CORS browser test: no Chromium at ${CHROMIUM}`);

const API_KEY = 'frontend-key-0123456789';

/** A web frontend of its own: an empty page on a loopback port, i.e. an origin other than the gateway's. */
async function startSite(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!DOCTYPE html><title>frontend</title><p>frontend</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Lines of the gateway's request log for `method`. */
const requestsSeen = (gateway: TestGateway, method: string) =>
  gateway.logs
    .map((line) => JSON.parse(line) as { msg?: string; req?: { method?: string } })
    .filter((line) => line.msg === 'request completed' && line.req?.method === method).length;

describe.runIf(haveChromium)('a page on another origin calls the gateway from a real browser', () => {
  let smh: SmhEmulator;
  let gateway: TestGateway;
  let allowed: { server: Server; origin: string };
  let foreign: { server: Server; origin: string };
  let browser: Browser;

  beforeAll(async () => {
    [smh, allowed, foreign] = await Promise.all([startSmhEmulator({ seed: true }), startSite(), startSite()]);
    // Pass-through with API keys: the page sends both an API key and its caller's upstream token.
    gateway = await startGateway({
      SMH_BASE_URL: smh.url,
      GATEWAY_API_KEYS: `web:${API_KEY}`,
      ALLOW_ANONYMOUS: '0',
      CORS_ORIGINS: allowed.origin,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await smh?.close();
    allowed?.server.close();
    foreign?.server.close();
  });

  /** Runs a batch copy with fetch from a page of `origin`; what the page's script sees. */
  async function copyFrom(origin: string, target: string) {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      const token = smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'] });
      const query = `mutation { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", items: [{ from: "foo/1.jpg", to: "${target}" }] } }) { __typename } }`;
      // Page-side code is a string: this file is type-checked without the DOM library.
      return (await page.evaluate(`(async () => {
        try {
          const response = await fetch(${JSON.stringify(`${gateway.url}/graphql`)}, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: ${JSON.stringify(`Bearer ${API_KEY}`)},
              'x-smh-access-token': ${JSON.stringify(token)},
            },
            body: JSON.stringify({ query: ${JSON.stringify(query)} }),
          });
          return { status: response.status, body: await response.json(),
            rateLimitRemaining: response.headers.get('x-ratelimit-remaining') };
        } catch (error) {
          return { failed: String(error) };
        }
      })()`)) as { status?: number; body?: unknown; rateLimitRemaining?: string | null; failed?: string };
    } finally {
      await page.close();
    }
  }

  /** Opens a graphql-ws connection from a page of `origin`: 'ack', or how it ended. */
  async function subscribeFrom(origin: string): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      return (await page.evaluate(`new Promise((resolve) => {
        const socket = new WebSocket(${JSON.stringify(`${gateway.url.replace('http', 'ws')}/graphql`)}, 'graphql-transport-ws');
        socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: ${JSON.stringify(`Bearer ${API_KEY}`)} } }));
        socket.onmessage = (event) => { resolve(JSON.parse(event.data).type === 'connection_ack' ? 'ack' : event.data); socket.close(); };
        socket.onclose = (event) => resolve('closed ' + event.code);
      })`)) as string;
    } finally {
      await page.close();
    }
  }

  it('succeeds from the allowed origin, after a preflight, and reads the exposed headers', async () => {
    const preflights = requestsSeen(gateway, 'OPTIONS');
    const result = await copyFrom(allowed.origin, 'foo/from-browser.jpg');
    expect(result).toEqual({
      status: 200,
      body: { data: { batchCopy: { __typename: 'CopySucceeded' } } },
      rateLimitRemaining: expect.stringMatching(/^\d+$/),
    });
    expect(requestsSeen(gateway, 'OPTIONS')).toBe(preflights + 1);
    expect(smh.state.exists(DEMO_LIBRARY_ID, '-', 'foo/from-browser.jpg')).toBe(true);
  }, 30_000);

  it('fails from another origin: the preflight gets no allow header and the copy is never sent', async () => {
    const preflights = requestsSeen(gateway, 'OPTIONS');
    const posts = requestsSeen(gateway, 'POST');
    const result = await copyFrom(foreign.origin, 'foo/from-elsewhere.jpg');
    expect(result).toEqual({ failed: 'TypeError: Failed to fetch' });
    expect(requestsSeen(gateway, 'OPTIONS')).toBe(preflights + 1);
    expect(requestsSeen(gateway, 'POST')).toBe(posts);
    expect(smh.state.exists(DEMO_LIBRARY_ID, '-', 'foo/from-elsewhere.jpg')).toBe(false);
  }, 30_000);

  it('opens a subscription connection from the allowed origin only', async () => {
    expect(await subscribeFrom(allowed.origin)).toBe('ack');
    expect(await subscribeFrom(foreign.origin)).toBe('closed 1006');
  }, 30_000);
});
