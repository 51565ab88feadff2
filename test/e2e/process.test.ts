import { once } from 'node:events';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmhEmulator, type SmhEmulator, DEMO_LIBRARY_ID } from '../../src/emulators/smh/index.js';
import { runGateway } from '../helpers/process.js';

describe('the gateway process', () => {
  let smh: SmhEmulator;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true });
  });
  afterAll(() => smh.close());

  it.each([
    ['PORT', 'not-a-port'],
    ['UPSTREAM_TIMEOUT_MS', 'soon'],
    ['SMH_BASE_URL', '::nope'],
  ])('exits non-zero and names %s when it is bad', async (variable, value) => {
    const { child, output } = runGateway({ [variable]: value });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).not.toBe(0);
    expect(output()).toContain(variable);
    expect(output().trim().split('\n')).toHaveLength(1);
  });

  it('exits non-zero naming TASK_ID_SECRET when REDIS_URL is set without it (pass-through jobs on Redis)', async () => {
    const { child, output } = runGateway({ SMH_BASE_URL: smh.url, REDIS_URL: 'redis://127.0.0.1:6379' });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).not.toBe(0);
    expect(output()).toMatch(/TASK_ID_SECRET: expected .* when REDIS_URL is set/);
    expect(output().trim().split('\n')).toHaveLength(1);
  });

  it('refuses to run the demo in production unless DEMO=1', async () => {
    const { child, output } = runGateway({ NODE_ENV: 'production' });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).not.toBe(0);
    expect(output()).toContain('DEMO=1');
  });

  it('on SIGTERM finishes the in-flight request, then exits 0', async () => {
    const { child, ready } = runGateway({ PORT: '0', SMH_BASE_URL: smh.url });
    const url = await ready;
    const token = smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'] });
    // The upstream takes 1.5 s; SIGTERM arrives while the gateway waits for it.
    smh.faults.add({ kind: 'latency', ms: 1500, pathIncludes: '/api/v1/batch/' });
    const pending = request(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-smh-access-token': token },
      body: JSON.stringify({
        query: `mutation { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", items: [{ from: "foo/1.jpg", to: "foo/1-copy.jpg" }] } }) { __typename ... on CopyOutcome { summary { succeeded } } } }`,
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const response = await pending;
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({
      data: { batchCopy: { __typename: 'CopySucceeded', summary: { succeeded: 1 } } },
    });
    const [code] = (await exited) as [number];
    expect(code).toBe(0);
    expect(smh.state.exists(DEMO_LIBRARY_ID, '-', 'foo/1-copy.jpg')).toBe(true);
  });

  it('on SIGTERM reports not ready first while still serving, then closes after SHUTDOWN_DELAY_MS', async () => {
    const { child, ready, output } = runGateway({
      PORT: '0',
      SMH_BASE_URL: smh.url,
      SHUTDOWN_DELAY_MS: '1500',
    });
    const url = await ready;
    expect((await request(`${url}/readyz`)).statusCode).toBe(200);
    const exited = once(child, 'exit');
    const signalled = Date.now();
    child.kill('SIGTERM');
    // The signal is handled as soon as the process reads it; probe until /readyz turns.
    let readyz = await request(`${url}/readyz`);
    while (readyz.statusCode === 200 && Date.now() - signalled < 1000) {
      await readyz.body.dump();
      readyz = await request(`${url}/readyz`);
    }
    expect(readyz.statusCode).toBe(503);
    expect(readyz.headers.connection).toBe('close');
    expect(await readyz.body.json()).toEqual({ status: 'not ready', checks: { server: 'shutting down' } });
    // Liveness and GraphQL still answer during the delay; each answer asks the client to reconnect.
    const healthz = await request(`${url}/healthz`);
    expect(healthz.statusCode).toBe(200);
    await healthz.body.dump();
    const graphql = await request(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(graphql.statusCode).toBe(200);
    expect(graphql.headers.connection).toBe('close');
    expect(await graphql.body.json()).toEqual({ data: { __typename: 'Query' } });
    const [code] = (await exited) as [number];
    const exitedAfterMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(exitedAfterMs).toBeGreaterThanOrEqual(1400);
    expect(exitedAfterMs).toBeLessThan(5000);
    expect(output()).toContain('shutting down: /readyz answers 503');
  });

  it("with API keys on, the demo banner's sample sends one (a placeholder, never the key)", async () => {
    const key = 'banner-key-0123456789abcdef';
    const { child, ready, output } = runGateway({ PORT: '0', GATEWAY_API_KEYS: `alice:${key}` });
    await ready;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output()).toContain("-H 'authorization: Bearer <API key>'");
    expect(output()).toContain('GATEWAY_API_KEYS');
    expect(output()).not.toContain(key);
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    expect(((await exited) as [number])[0]).toBe(0);
  });

  it('starts the demo with a banner when nothing is configured', async () => {
    const { child, ready, output } = runGateway({ PORT: '0' });
    await ready;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output()).toContain('DEMO MODE');
    expect(output()).toMatch(/GraphiQL: http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(output()).not.toContain('authorization');
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    expect(((await exited) as [number])[0]).toBe(0);
  });
});
