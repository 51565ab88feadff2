/**
 * Two gateway processes on one Redis, under load against one DingTalk emulator that counts the calls it
 * receives per wall-clock second: together they stay within the configured limit, as DingTalk counts
 * it (per app and API), plus a small tolerance for calls granted at the end of one second that arrive
 * in the next.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DINGTALK_SEED as SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { TASK_ID_SECRET } from '../helpers/gateway.js';
import { runGateway, type GatewayProcess } from '../helpers/process.js';
import { busiestSecond, dingTalkCopy, newSources } from '../helpers/rate-limit.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 10;
const CHUNK = 3;
/** Copy calls per request, and requests in flight per gateway at once. */
const CALLS_PER_REQUEST = 10;
const REQUESTS_PER_GATEWAY = 3;
const GATEWAYS = 2;

describe('two gateway processes share DingTalk rate limits through Redis', () => {
  let emu: DingTalkEmulator;
  const started: GatewayProcess[] = [];

  beforeAll(async () => {
    emu = await startDingTalkEmulator({ seed: true });
  });
  afterAll(async () => {
    for (const { child } of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await emu?.close();
  });

  it(`never exceed ${LIMIT} calls a second (plus one slice) between them`, async () => {
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL,
      UPSTREAM_RATE_KEY_PREFIX: `test:call-rate:${randomUUID()}`,
      DINGTALK_BASE_URL: emu.url,
      DINGTALK_APP_KEY: SEED.appKey,
      DINGTALK_APP_SECRET: SEED.appSecret,
      DINGTALK_MAX_CALLS_PER_SECOND: String(LIMIT),
      DINGTALK_CHUNK_SIZE: String(CHUNK),
      DINGTALK_CONCURRENCY: '4',
      ALLOW_ANONYMOUS: '1',
      TASK_ID_SECRET,
      UNKNOWN_RESOLUTION: 'off',
    };
    const gateways = Array.from({ length: GATEWAYS }, () => runGateway(env));
    started.push(...gateways);
    const urls = await Promise.all(gateways.map((g) => g.ready));

    const batches = urls.flatMap((url) =>
      Array.from({ length: REQUESTS_PER_GATEWAY }, () => ({
        url,
        ids: newSources(emu, CALLS_PER_REQUEST * CHUNK, 'fleet'),
      })),
    );
    emu.stats.reset();
    const began = Date.now();
    const answers = await Promise.all(batches.map(({ url, ids }) => dingTalkCopy(url, ids)));
    const elapsedS = (Date.now() - began) / 1000;

    const calls = batches.length * CALLS_PER_REQUEST;
    for (const [n, answer] of answers.entries()) {
      expect(answer.items.map((i) => [i.source, i.status])).toEqual(
        batches[n]!.ids.map((id) => [id, 'SUCCEEDED']),
      );
    }
    const stats = emu.stats.toJSON();
    expect(stats.requestsByRoute.batchCopy).toBe(calls);
    const busiest = busiestSecond(stats.callRates.batchCopy);
    // A slice allows one call at 10/s; a call granted at a second's last slice may land in the next.
    expect(busiest).toBeLessThanOrEqual(LIMIT + 2);
    // Each process fetched its own token; those count against the token API, not batchCopy.
    expect(stats.requestsByRoute.token).toBe(GATEWAYS);
    console.warn(
      `${GATEWAYS} gateway processes, one Redis, limit ${LIMIT}/s: ${calls} calls in ${elapsedS.toFixed(2)} s = ${(calls / elapsedS).toFixed(1)} calls/s, busiest second ${busiest} (per second: ${Object.values(stats.callRates.batchCopy ?? {}).join(' ')})`,
    );
  });
});
