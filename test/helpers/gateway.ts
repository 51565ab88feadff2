import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { idEnvelope } from '../../src/copy/id-envelope.js';
import { TaskIdSeal } from '../../src/copy/task-id-seal.js';
import { buildGateway, type GatewayOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { DINGTALK_SEED } from '../../src/emulators/dingtalk/index.js';
import { DEMO_LIBRARY_ID, DEMO_LIBRARY_SECRET } from '../../src/emulators/smh/index.js';
import { createLogger } from '../../src/log.js';

/** A gateway running in-process on a random loopback port, with every log line captured. */
export interface TestGateway {
  app: FastifyInstance;
  url: string;
  config: Config;
  logs: string[];
  graphql<T = unknown>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: GraphQLBody<T>; text: string }>;
  close(): Promise<void>;
}

export interface GraphQLBody<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[];
}

/** Starts a gateway from environment variables (merged over none of the process's own). */
export async function startGateway(
  env: Record<string, string> = {},
  options: GatewayOptions & { override?: (config: Config) => Config } = {},
): Promise<TestGateway> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  // Tests opt in to caller keys; without them managed mode would refuse to start. DingTalk calls are
  // unpaced unless a test sets its limit: pacing at the default 20 a second only slows tests down (the
  // upstream rate-limit tests cover it).
  const base = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ALLOW_ANONYMOUS: '1',
    TASK_ID_SECRET,
    DINGTALK_MAX_CALLS_PER_SECOND: '0',
    // Every operation of the suite runs compiled (graphql-jit) from its first run, so the suite checks
    // that it answers as graphql-js does; GRAPHQL_COMPILE_AFTER=0 runs the suite on graphql-js alone.
    GRAPHQL_COMPILE_AFTER: process.env.GRAPHQL_COMPILE_AFTER ?? '1',
    ...env,
  });
  const config = options.override ? options.override(base) : base;
  const logger = createLogger(config.logLevel, sink);
  const app = await buildGateway(config, logger, options);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url: address,
    config,
    logs,
    async graphql(query, variables, headers = {}) {
      const response = await request(`${address}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.body.text();
      return { status: response.statusCode, body: JSON.parse(text), text };
    },
    close: () => app.close(),
  };
}

/** The task-id key of test gateways (managed mode needs one). */
export const TASK_ID_SECRET = 'test-task-id-secret-0123456789abcdef';

/**
 * The id a test gateway hands `caller` (an API key's name; none without API keys) for a provider's
 * reference (what `encodeTaskId` writes).
 */
export function sealTaskId(reference: string, caller?: string): string {
  return new TaskIdSeal(idEnvelope(Buffer.from(TASK_ID_SECRET)), { acceptV1: false }).issue(
    reference,
    caller ? `key:${caller}` : '',
  );
}

/** The environment of a gateway in managed mode against the two seeded emulators (the demo's credentials). */
export function managedDemoEnv(smhUrl: string, dingtalkUrl: string): Record<string, string> {
  return {
    SMH_BASE_URL: smhUrl,
    SMH_LIBRARY_ID: DEMO_LIBRARY_ID,
    SMH_LIBRARY_SECRET: DEMO_LIBRARY_SECRET,
    DINGTALK_BASE_URL: dingtalkUrl,
    DINGTALK_APP_KEY: DINGTALK_SEED.appKey,
    DINGTALK_APP_SECRET: DINGTALK_SEED.appSecret,
    TASK_ID_SECRET,
  };
}
