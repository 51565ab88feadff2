/**
 * Upstream rate limits over real HTTP: a gateway (in-process) paces its DingTalk calls, and the DingTalk
 * emulator counts the calls it receives per wall-clock second (`/__admin/stats` callRates). With Redis
 * the counters are the fleet's; without it the process's own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  DINGTALK_SEED as SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { DEMO_LIBRARY_ID, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { busiestSecond, dingTalkCopy, newSources, type CopyAnswer } from '../helpers/rate-limit.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 10;
const CALLS = 40;
const CHUNK = 3;

/** The gateway's `/metrics` text. */
async function metricsText(gw: TestGateway): Promise<string> {
  return (await request(`${gw.url}/metrics`)).body.text();
}

describe.each([
  { backend: 'Redis', env: { REDIS_URL } as Record<string, string> },
  { backend: 'memory', env: {} as Record<string, string> },
])('DingTalk at $backend-counted 10 calls a second', ({ backend, env }) => {
  let emu: DingTalkEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    emu = await startDingTalkEmulator({ seed: true });
    gw = await startGateway({
      ...env,
      UPSTREAM_RATE_KEY_PREFIX: `test:call-rate:${randomUUID()}`,
      DINGTALK_BASE_URL: emu.url,
      DINGTALK_APP_KEY: SEED.appKey,
      DINGTALK_APP_SECRET: SEED.appSecret,
      DINGTALK_MAX_CALLS_PER_SECOND: String(LIMIT),
      DINGTALK_CONCURRENCY: '8',
      DINGTALK_CHUNK_SIZE: String(CHUNK),
      UNKNOWN_RESOLUTION: 'off',
      // Each request of 20 calls runs inline: the pacing of one request's own calls is under test.
      INLINE_MAX_UPSTREAM_CALLS: '100',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await emu?.close();
  });

  it(`sends ${CALLS} copy calls at no more than the limit + 1 in any wall-clock second`, async () => {
    const ids = newSources(emu, CALLS * CHUNK, 'one');
    emu.stats.reset();
    const started = Date.now();
    const [first, second] = await Promise.all([
      dingTalkCopy(gw.url, ids.slice(0, ids.length / 2)),
      dingTalkCopy(gw.url, ids.slice(ids.length / 2)),
    ]);
    const elapsedS = (Date.now() - started) / 1000;
    const items = [...first.items, ...second.items];
    expect(items.map((i) => i.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    const stats = emu.stats.toJSON();
    expect(stats.requestsByRoute.batchCopy).toBe(CALLS);
    expect(emu.stats.executedCopies).toBe(ids.length);
    const busiest = busiestSecond(stats.callRates.batchCopy);
    expect(busiest).toBeLessThanOrEqual(LIMIT + 1);
    console.warn(
      `one gateway (${backend}), limit ${LIMIT}/s: ${CALLS} calls in ${elapsedS.toFixed(2)} s = ${(CALLS / elapsedS).toFixed(1)} calls/s, busiest second ${busiest}`,
    );

    // Every paced call observed its wait; the token fetch counts against its own API.
    const text = await metricsText(gw);
    expect(text).toContain(
      `copy_gateway_upstream_rate_limit_wait_seconds_count{provider="DINGTALK",operation="batch_copy"} ${CALLS}`,
    );
    expect(text).toMatch(
      /copy_gateway_upstream_rate_limit_wait_seconds_count\{provider="DINGTALK",operation="token"\} 1\n/,
    );
  });
});

describe('a wait past the operation deadline', () => {
  let emu: DingTalkEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    emu = await startDingTalkEmulator({ seed: true });
    gw = await startGateway({
      REDIS_URL,
      UPSTREAM_RATE_KEY_PREFIX: `test:call-rate:${randomUUID()}`,
      DINGTALK_BASE_URL: emu.url,
      DINGTALK_MAX_CALLS_PER_SECOND: '1',
      DINGTALK_CHUNK_SIZE: String(CHUNK),
      DINGTALK_CONCURRENCY: '4',
      OPERATION_TIMEOUT_MS: '1500',
      UNKNOWN_RESOLUTION: 'off',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await emu?.close();
  });

  it('is never waited: the chunk is FAILED, THROTTLED, retryable, NOT_SENT, and nothing reaches DingTalk', async () => {
    const ids = newSources(emu, 5 * CHUNK, 'late');
    emu.stats.reset();
    const answer: CopyAnswer = await dingTalkCopy(gw.url, ids, { [TOKEN_HEADER]: emu.issueToken() });
    const sent = emu.stats.requestsByRoute.batchCopy ?? 0;
    const succeeded = answer.items.filter((i) => i.status === 'SUCCEEDED');
    const failed = answer.items.filter((i) => i.status === 'FAILED');
    // One slot a second, 1.5 s to the deadline: two or three chunks go, the rest are held back.
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(3);
    expect(succeeded).toHaveLength(sent * CHUNK);
    expect(failed).toHaveLength(ids.length - sent * CHUNK);
    for (const item of failed) {
      expect(item).toMatchObject({ evidence: 'NOT_SENT', error: { code: 'THROTTLED', retryable: true } });
      expect(item.error?.message).toMatch(/paces its calls to DingTalk at 1 a second per API.*not sent/);
      expect(emu.stats.copiesOf(item.source)).toHaveLength(0);
    }
    const text = await metricsText(gw);
    expect(text).toMatch(
      /copy_gateway_upstream_requests_total\{provider="DINGTALK",operation="batch_copy",outcome="rate_limited"\} [1-9]/,
    );
  });
});

const TOKEN_HEADER = 'x-acs-dingtalk-access-token';

describe('SMH', () => {
  let smh: SmhEmulator;
  let gw: TestGateway;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true });
    gw = await startGateway({ SMH_BASE_URL: smh.url, UNKNOWN_RESOLUTION: 'off' });
  });
  afterAll(async () => {
    await gw?.close();
    await smh?.close();
  });

  it('is not paced by default: its calls wait for no slot', async () => {
    expect(gw.config.providers.SMH).toMatchObject({ maxCallsPerSecond: 0 });
    const token = smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'] });
    const copies = Array.from({ length: 5 }, (_, n) =>
      gw.graphql<{ batchCopy: { __typename: string } }>(
        `mutation($to: NonEmptyString!) { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}",
          conflictStrategy: RENAME, items: [{ from: "foo/1.jpg", to: $to }] } }) { __typename } }`,
        { to: `foo/rate-${n}.jpg` },
        { 'x-smh-access-token': token },
      ),
    );
    for (const res of await Promise.all(copies))
      expect(res.body.data?.batchCopy.__typename).toBe('CopySucceeded');
    expect(smh.stats.batches.length).toBeGreaterThanOrEqual(5);
    expect(await metricsText(gw)).not.toMatch(
      /copy_gateway_upstream_rate_limit_wait_seconds_count\{provider="SMH"/,
    );
  });
});

describe('configuration', () => {
  it('defaults to 20 calls a second per DingTalk API and no SMH limit', () => {
    const config = loadConfig({});
    expect(config.providers.DINGTALK).toMatchObject({ maxCallsPerSecond: 20 });
    expect(config.providers.SMH).toMatchObject({ maxCallsPerSecond: 0 });
  });

  it('names every bad limit at once', () => {
    let error: unknown;
    try {
      loadConfig({ DINGTALK_MAX_CALLS_PER_SECOND: '-1', SMH_MAX_CALLS_PER_SECOND: '2.5', PORT: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(
      expect.arrayContaining(['PORT', 'DINGTALK_MAX_CALLS_PER_SECOND', 'SMH_MAX_CALLS_PER_SECOND']),
    );
    expect((error as ConfigError).message).toContain(
      'DINGTALK_MAX_CALLS_PER_SECOND: expected an integer from 0 to 100000, got "-1"',
    );
    expect((error as ConfigError).message).toContain(
      'SMH_MAX_CALLS_PER_SECOND: expected an integer from 0 to 100000, got "2.5"',
    );
  });
});
