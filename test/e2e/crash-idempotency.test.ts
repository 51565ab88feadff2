import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DINGTALK_SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { DEMO_LIBRARY_ID, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { managedDemoEnv } from '../helpers/gateway.js';
import { postGraphql, runGateway, type GatewayProcess } from '../helpers/process.js';

/**
 * Two gateway processes on one Redis; the one running a keyed copy is killed with SIGKILL mid-run,
 * and the key is retried on the other. The emulators count every copy they make.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = `crash-test-key-${randomUUID()}`;
const AUTH = { authorization: `Bearer ${API_KEY}` };
const LEASE_MS = 1000;

interface Item {
  index: number;
  status: string;
  source: string;
  result: string | null;
  error: { code: string; message: string; retryable: boolean } | null;
}
interface Answer {
  batchCopy: { __typename: string; items: Item[]; summary: Record<string, number> };
}

const OUTCOME = `__typename ... on CopyOutcome {
  items { index status source result error { code message retryable } }
  summary { total succeeded failed pending unknown } }`;
const SMH_COPY = `mutation($key: String!, $to: NonEmptyString!) {
  batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", idempotencyKey: $key, conflictStrategy: RENAME,
    items: [{ from: "foo/1.jpg", to: $to }] } }) { ${OUTCOME} } }`;
const DINGTALK_COPY = `mutation($input: DingTalkBatchCopyInput!) { batchCopy(input: { dingtalk: $input }) { ${OUTCOME} } }`;

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function kill(gateway: GatewayProcess): Promise<void> {
  const exited = once(gateway.child, 'exit');
  gateway.child.kill('SIGKILL');
  await exited;
}

describe('an idempotency key across a gateway crash (two processes, one Redis)', () => {
  let smh: SmhEmulator;
  let dingtalk: DingTalkEmulator;
  const started: GatewayProcess[] = [];
  let env: Record<string, string>;

  const start = async () => {
    const gateway = runGateway(env);
    started.push(gateway);
    return { gateway, url: await gateway.ready };
  };

  beforeAll(async () => {
    [smh, dingtalk] = await Promise.all([
      startSmhEmulator({ seed: true }),
      startDingTalkEmulator({ seed: true }),
    ]);
    env = {
      ...managedDemoEnv(smh.url, dingtalk.url),
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL,
      GATEWAY_API_KEYS: `tester:${API_KEY}`,
      IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
      // The 150-id batch (50 upstream calls) runs inline, inside the request that the crash cuts.
      INLINE_MAX_UPSTREAM_CALLS: '100',
    };
  });
  afterAll(async () => {
    for (const { child } of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([smh.close(), dingtalk.close()]);
  });

  it('SMH RENAME, one item: the copy ran on A, A is killed; B never runs it again (no "x (1).jpg")', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const to = `foo/crash-${randomUUID()}.jpg`;
    const variables = { key: `smh-${randomUUID()}`, to };
    // The copy happens at once; its answer is held back long enough to kill A before it arrives.
    smh.faults.add({ kind: 'latency', ms: 4000, after: true, pathIncludes: '/api/v1/batch/', times: 1 });
    smh.stats.reset();
    const first = postGraphql<Answer>(a.url, SMH_COPY, variables, AUTH).catch((error: Error) => error);
    await until(() => smh.stats.executedItems === 1);
    await kill(a.gateway);
    expect(await first).toBeInstanceOf(Error);

    const began = Date.now();
    const retry = await postGraphql<Answer>(b.url, SMH_COPY, variables, AUTH);
    const noticedMs = Date.now() - began;
    const item = retry.data?.batchCopy.items[0];
    expect(retry.data?.batchCopy.__typename).toBe('CopyPartiallyFailed');
    expect(item).toMatchObject({
      status: 'UNKNOWN',
      source: 'foo/1.jpg',
      error: { code: 'INTERRUPTED', retryable: false },
    });
    expect(item?.error?.message).toMatch(/gateway stopped while this copy was in flight/);
    // Noticed within about one lease, not OPERATION_TIMEOUT_MS + 60 s.
    expect(noticedMs).toBeLessThan(LEASE_MS + 2500);

    const again = await postGraphql<Answer>(b.url, SMH_COPY, variables, AUTH);
    expect(again).toEqual(retry);
    expect(smh.stats.batches).toHaveLength(1);
    expect(smh.stats.executedItems).toBe(1);
    expect(smh.state.exists(DEMO_LIBRARY_ID, '-', to)).toBe(true);
    expect(smh.state.exists(DEMO_LIBRARY_ID, '-', to.replace('.jpg', ' (1).jpg'))).toBe(false);
    console.warn(`SMH crash: B answered the retry ${noticedMs} ms after A was killed (lease ${LEASE_MS} ms)`);
  });

  it('DingTalk many-id batch killed mid-way: copied ids are never copied again; the rest are known or UNKNOWN', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const ids = Array.from(
      { length: 150 },
      (_v, i) => dingtalk.state.createFile(DINGTALK_SEED.sourceSpaceId, `crash-${randomUUID()}-${i}.txt`).id,
    );
    const input = {
      spaceId: DINGTALK_SEED.sourceSpaceId,
      unionId: DINGTALK_SEED.unionId,
      targetSpaceId: DINGTALK_SEED.targetSpaceId,
      targetFolderId: DINGTALK_SEED.targetFolderId,
      dentryIds: ids,
      conflictStrategy: 'RENAME',
      idempotencyKey: `dingtalk-${randomUUID()}`,
    };
    // Every call copies at once and answers 150 ms later: 50 calls, 4 at a time, take about 2 s.
    dingtalk.faults.add({ kind: 'latency', ms: 150, after: true, pathIncludes: '/batchCopy' });
    dingtalk.stats.reset();
    const first = postGraphql<Answer>(a.url, DINGTALK_COPY, { input }, AUTH).catch((error: Error) => error);
    await until(() => dingtalk.stats.copyRequests.length >= 12);
    await kill(a.gateway);
    expect(await first).toBeInstanceOf(Error);
    dingtalk.faults.clear();

    const retry = await postGraphql<Answer>(b.url, DINGTALK_COPY, { input }, AUTH);
    const again = await postGraphql<Answer>(b.url, DINGTALK_COPY, { input }, AUTH);
    expect(again).toEqual(retry);

    // Copies per id, as the emulator made them: none twice, none after A died.
    const copies = new Map<string, string[]>();
    for (const call of dingtalk.stats.copyRequests) {
      for (const result of call.resultItems) {
        if (result.success)
          copies.set(result.dentryId, [...(copies.get(result.dentryId) ?? []), result.targetDentryId ?? '']);
      }
    }
    const sentIds = new Set(dingtalk.stats.copyRequests.flatMap((call) => call.dentryIds));
    expect([...copies.values()].every((made) => made.length === 1)).toBe(true);
    expect(dingtalk.stats.copyRequests.every((call) => call.dentryIds.every((id) => ids.includes(id)))).toBe(
      true,
    );

    const items = retry.data?.batchCopy.items ?? [];
    expect(items.map((item) => item.source)).toEqual(ids);
    const byStatus = (status: string) => items.filter((item) => item.status === status);
    for (const item of byStatus('SUCCEEDED')) expect(copies.get(item.source)).toEqual([item.result]);
    // UNKNOWN: marked as possibly sent before A sent it (A may have died before it left, or after).
    for (const item of byStatus('UNKNOWN')) {
      expect(item.error).toMatchObject({ code: 'INTERRUPTED', retryable: false });
    }
    for (const item of byStatus('FAILED')) {
      expect(sentIds.has(item.source)).toBe(false);
      expect(item.error).toMatchObject({ code: 'INTERRUPTED', retryable: true });
    }
    // Every copy made is accounted for: known with its result, or UNKNOWN.
    for (const id of copies.keys()) {
      expect(['SUCCEEDED', 'UNKNOWN']).toContain(items.find((item) => item.source === id)?.status);
    }
    expect(byStatus('SUCCEEDED').length).toBeGreaterThan(0);
    expect(byStatus('FAILED').length).toBeGreaterThan(0);
    console.warn(
      `DingTalk crash: ${ids.length} ids, ${sentIds.size} sent by A, ${copies.size} copied once each; ` +
        `retry on B: ${byStatus('SUCCEEDED').length} SUCCEEDED, ${byStatus('UNKNOWN').length} UNKNOWN, ` +
        `${byStatus('FAILED').length} FAILED (not sent); ${dingtalk.stats.copyRequests.length} upstream copy calls in all`,
    );
    expect(b.gateway.child.exitCode).toBeNull();
  });
});
