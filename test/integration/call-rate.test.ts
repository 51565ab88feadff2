/**
 * CallRate against a real Redis (and a Redis that is not there): replicas share slots, a wait that
 * would pass the deadline is refused at once, and Redis trouble falls back to counting in the process
 * with one warning.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { CallRate, slicing } from '../../src/upstream/call-rate.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 10;

/** A logger whose lines land in `lines` (parsed). */
function capture(): { logger: ReturnType<typeof createLogger>; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as { level: number; msg: string });
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

/** How many of `times` (epoch ms) fall in each slice of `sliceMs`. */
function perSlice(times: readonly number[], sliceMs: number): number[] {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / sliceMs), (counts.get(Math.floor(t / sliceMs)) ?? 0) + 1);
  return [...counts.values()];
}

const opened: CallRate[] = [];
function callRate(options: Partial<ConstructorParameters<typeof CallRate>[0]> = {}): CallRate {
  const rate = new CallRate({ logger: capture().logger, ...options });
  opened.push(rate);
  return rate;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((rate) => rate.close()));
});

describe('slicing', () => {
  it('cuts a second into ~100 ms slices of a tenth of the limit, or longer slices of one call', () => {
    expect(slicing(10)).toEqual({ sliceMs: 100, perSlice: 1 });
    expect(slicing(20)).toEqual({ sliceMs: 100, perSlice: 2 });
    expect(slicing(200)).toEqual({ sliceMs: 100, perSlice: 20 });
    expect(slicing(4)).toEqual({ sliceMs: 250, perSlice: 1 });
    expect(slicing(25)).toEqual({ sliceMs: 80, perSlice: 2 });
  });
});

describe('CallRate', () => {
  it('two replicas on one Redis share each slice: about one call per 100 ms between them at 10/s', async () => {
    const keyPrefix = `test:call-rate:${randomUUID()}`;
    const [a, b] = [
      callRate({ redisUrl: REDIS_URL, keyPrefix }),
      callRate({ redisUrl: REDIS_URL, keyPrefix }),
    ];
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async (_, n) => {
        expect(await (n % 2 ? a! : b!).acquire('DINGTALK|batchCopy', LIMIT)).toBe(true);
        granted.push(Date.now());
      }),
    );
    expect(granted).toHaveLength(16);
    // Counted one a slice; a grant at a slice's end may return to its caller in the next slice.
    expect(Math.max(...perSlice(granted, 100))).toBeLessThanOrEqual(2);
    expect(Math.max(...perSlice(granted, 1000))).toBeLessThanOrEqual(LIMIT + 1);
    // Other keys (another API) have budgets of their own.
    expect(await a!.acquire('DINGTALK|getTask', LIMIT)).toBe(true);
  });

  it('refuses at once a slot that would come after the deadline, and stops waiting when the signal aborts', async () => {
    const rate = callRate({ redisUrl: REDIS_URL, keyPrefix: `test:call-rate:${randomUUID()}` });
    expect(await rate.acquire('k', 1)).toBe(true);
    const asked = Date.now();
    expect(await rate.acquire('k', 1, { deadline: Date.now() + 1 })).toBe(false);
    const controller = new AbortController();
    const waiting = rate.acquire('k', 1, { signal: controller.signal });
    controller.abort();
    expect(await waiting).toBe(false);
    // Neither refusal waited for the next slot (a second away at most).
    expect(Date.now() - asked).toBeLessThan(900);
  });

  it('counts in the process when Redis fails, with one warning, and still paces', async () => {
    const { logger, lines } = capture();
    // Nothing listens on port 1: every Redis command fails.
    const rate = callRate({ redisUrl: 'redis://127.0.0.1:1', logger, commandTimeoutMs: 100 });
    const granted: number[] = [];
    for (let n = 0; n < 12; n++) {
      expect(await rate.acquire('k', LIMIT)).toBe(true);
      granted.push(Date.now());
    }
    expect(Math.max(...perSlice(granted, 100))).toBeLessThanOrEqual(2);
    expect(Math.max(...perSlice(granted, 1000))).toBeLessThanOrEqual(LIMIT + 1);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/Redis failed counting upstream call rates/);
  });
});
