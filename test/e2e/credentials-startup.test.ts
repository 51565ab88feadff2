import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LIBRARY_ID,
  DEMO_LIBRARY_SECRET,
  startSmhEmulator,
  type SmhEmulator,
} from '../../src/emulators/smh/index.js';

interface Spawned {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in stdout + stderr; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exit: Promise<number | null>;
}

const running: ChildProcess[] = [];

/** The compiled gateway, as `npm start` runs it, with exactly the given environment. */
function runGateway(env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['dist/main.js'], {
    // SIGTERM (after each test) closes at once, without the shutdown delay for load balancers.
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => output,
    exit,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            listeners.delete(check);
            resolve(match);
          }
        };
        listeners.add(check);
        check();
        void exit.then((code) =>
          reject(new Error(`gateway exited with ${code} before ${pattern}: ${output}`)),
        );
      }),
  };
}

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
});

/** pino's JSON lines, skipping anything else. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('start-up with credentials', () => {
  let smh: SmhEmulator;
  const DING_SECRET = 'ding-start-secret-3f9a1c';

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true });
  });
  afterAll(() => smh.close());

  const managedSmh = () => ({
    SMH_BASE_URL: smh.url,
    SMH_LIBRARY_ID: DEMO_LIBRARY_ID,
    SMH_LIBRARY_SECRET: DEMO_LIBRARY_SECRET,
    TASK_ID_SECRET: 'start-up-task-id-secret-0123456789',
  });

  it.each([
    ['SMH', () => managedSmh()],
    [
      'DingTalk',
      () => ({
        DINGTALK_BASE_URL: 'http://127.0.0.1:9',
        DINGTALK_APP_KEY: 'k',
        DINGTALK_APP_SECRET: DING_SECRET,
      }),
    ],
  ])('managed %s without GATEWAY_API_KEYS refuses to start and names the variable', async (_name, env) => {
    const gateway = runGateway(env());
    const code = await gateway.exit;
    expect(code).not.toBe(0);
    const lines = gateway.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('GATEWAY_API_KEYS');
    expect(lines[0]).toContain('ALLOW_ANONYMOUS=1');
    expect(gateway.output()).not.toContain(DEMO_LIBRARY_SECRET);
    expect(gateway.output()).not.toContain(DING_SECRET);
  });

  it('with ALLOW_ANONYMOUS=1 starts, warns, and spends the managed credential for anyone', async () => {
    const gateway = runGateway({ ...managedSmh(), ALLOW_ANONYMOUS: '1' });
    await gateway.waitFor(/ALLOW_ANONYMOUS=1: anyone who reaches this port/);
    const url = (await gateway.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
    const warning = logLines(gateway.output()).find((l) => String(l.msg).startsWith('ALLOW_ANONYMOUS=1'));
    expect(warning?.level).toBe(40);

    const tokenRequests = smh.stats.requests['token.create'] ?? 0;
    const response = await request(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", items: [{ from: "foo/1.jpg", to: "docs/anon.jpg" }] } }) { __typename } }`,
      }),
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ data: { batchCopy: { __typename: 'CopySucceeded' } } });
    expect(smh.stats.requests['token.create']).toBe(tokenRequests + 1);
    expect(gateway.output()).not.toContain(DEMO_LIBRARY_SECRET);
  });

  it('pass-through with no keys starts and says it is open', async () => {
    const gateway = runGateway({ SMH_BASE_URL: smh.url });
    await gateway.waitFor(/the gateway is open; callers must send their own upstream tokens/);
    const url = (await gateway.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
    // Open, but with nothing of its own to spend: a call without a header token is refused.
    const response = await request(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", items: [{ from: "foo/1.jpg", to: "docs/open.jpg" }] } }) { __typename } }`,
      }),
    });
    expect(response.statusCode).toBe(200);
    const body = (await response.body.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('with GATEWAY_API_KEYS names the callers, never their keys, and refuses anyone else', async () => {
    const key = 'start-key-5c2e8a1f7b3d9e0a';
    const gateway = runGateway({ ...managedSmh(), GATEWAY_API_KEYS: `frontend:${key}` });
    await gateway.waitFor(/callers must send Authorization: Bearer <API key>/);
    const url = (await gateway.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
    const announce = logLines(gateway.output()).find(
      (l) => l.msg === 'callers must send Authorization: Bearer <API key>',
    );
    expect(announce?.callers).toEqual(['frontend']);

    const send = (authorization?: string) =>
      request(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    const refused = await send();
    expect(refused.statusCode).toBe(401);
    expect(
      ((await refused.body.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions,
    ).toEqual({
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
    const allowed = await send(`Bearer ${key}`);
    expect(allowed.statusCode).toBe(200);
    expect(await allowed.body.json()).toEqual({ data: { __typename: 'Query' } });

    // Let the "request completed" lines arrive, then check them.
    await gateway.waitFor(/"caller":"frontend"/);
    expect(gateway.output()).not.toContain(key);
    expect(gateway.output()).not.toContain(DEMO_LIBRARY_SECRET);
  });
});
