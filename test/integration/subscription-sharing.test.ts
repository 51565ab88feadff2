import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  DINGTALK_SEED,
  ManualClock,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** Many subscribers, one task: one poller per task per process, and caps on live subscriptions. */
const UI_KEY = 'sharing-ui-key-0123456789';
const OTHER_KEY = 'sharing-other-key-0123456789';
const POLL_MS = 100;
const PER_CALLER = 25;
const PER_PROCESS = 30;

const WATCH = `subscription($id: ID!) { copyTaskUpdated(id: $id) { state done } }`;

interface Update {
  data?: { copyTaskUpdated: { state: string; done: boolean } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

function client(url: string, key: string): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: true,
  });
}

/** One subscription: its updates, a promise of its first update, and of its end (error or complete). */
function follow(c: Client, id: string) {
  const updates: Update[] = [];
  let first!: () => void;
  const started = new Promise<void>((resolve) => (first = resolve));
  const ended = new Promise<{ error?: unknown }>((resolve) => {
    c.subscribe(
      { query: WATCH, variables: { id } },
      {
        next: (value) => {
          updates.push(value as Update);
          first();
        },
        error: (error) => {
          first();
          resolve({ error });
        },
        complete: () => resolve({}),
      },
    );
  });
  return { updates, started, ended };
}

describe('subscriptions share one poller per task, under caps', () => {
  let dingtalk: DingTalkEmulator;
  let gateway: TestGateway;
  const clock = new ManualClock();
  const clients: Client[] = [];
  const connect = (key: string) => {
    const c = client(gateway.url, key);
    clients.push(c);
    return c;
  };
  const reads = () => dingtalk.stats.requestsByRoute.getTask ?? 0;

  /** A DingTalk folder copy: its task runs until the test moves the emulator's clock. */
  async function runningTask(key = UI_KEY): Promise<string> {
    const folder = dingtalk.state.createFolder(DINGTALK_SEED.targetSpaceId, `watch-${Math.random()}`).id;
    const copy = await gateway.graphql<{ batchCopy: { task: { id: string } } }>(
      `mutation { batchCopy(input: { dingtalk: { spaceId: "${DINGTALK_SEED.sourceSpaceId}",
        unionId: "${DINGTALK_SEED.unionId}", targetSpaceId: "${DINGTALK_SEED.targetSpaceId}",
        targetFolderId: "${folder}", dentryIds: ["${DINGTALK_SEED.folderId}"] } }) {
        ... on CopyAccepted { task { id } } } }`,
      {},
      { authorization: `Bearer ${key}` },
    );
    return copy.body.data?.batchCopy.task.id as string;
  }

  beforeAll(async () => {
    dingtalk = await startDingTalkEmulator({ seed: true, clock, taskDurationMs: 3000 });
    gateway = await startGateway({
      DINGTALK_BASE_URL: dingtalk.url,
      DINGTALK_APP_KEY: DINGTALK_SEED.appKey,
      DINGTALK_APP_SECRET: DINGTALK_SEED.appSecret,
      GATEWAY_API_KEYS: `ui:${UI_KEY},other:${OTHER_KEY}`,
      TASK_POLL_INTERVAL_MS: String(POLL_MS),
      SUBSCRIPTIONS_PER_CALLER: String(PER_CALLER),
      SUBSCRIPTIONS_MAX: String(PER_PROCESS),
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await gateway.close();
    await dingtalk.close();
  });

  it('20 subscribers to one task make the upstream reads of one poller, and all get its end', async () => {
    const id = await runningTask();
    // 20 subscribers on 4 connections of the same caller.
    const connections = Array.from({ length: 4 }, () => connect(UI_KEY));
    const watches = Array.from({ length: 20 }, (_v, i) => follow(connections[i % 4] as Client, id));
    await Promise.all(watches.map((w) => w.started));
    const before = reads();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const polled = reads() - before;
    // One poller polls about 1000 / POLL_MS = 10 times a second; 20 pollers would make about 200 reads.
    expect(polled).toBeGreaterThanOrEqual(3);
    expect(polled).toBeLessThanOrEqual(1000 / POLL_MS + 3);
    clock.advance(5000);
    const ends = await Promise.all(watches.map((w) => w.ended));
    expect(ends.every((end) => end.error === undefined)).toBe(true);
    for (const watch of watches) {
      expect(watch.updates[0]?.data?.copyTaskUpdated.state).toBe('RUNNING');
      expect(watch.updates.at(-1)?.data?.copyTaskUpdated).toEqual({ state: 'SUCCEEDED', done: true });
    }
    // The poller stopped with the task.
    const after = reads();
    await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS));
    expect(reads()).toBe(after);
    console.warn(
      `20 subscribers, one task: ${polled} upstream task reads in 1 s (poll interval ${POLL_MS} ms)`,
    );
  });

  it('refuses a subscription beyond the per-caller and the per-process caps with TOO_MANY_SUBSCRIPTIONS', async () => {
    const id = await runningTask();
    const ui = [connect(UI_KEY), connect(UI_KEY)];
    const mine = Array.from({ length: PER_CALLER }, (_v, i) => follow(ui[i % 2] as Client, id));
    await Promise.all(mine.map((w) => w.started));
    const over = follow(ui[0] as Client, id);
    const refused = (await over.ended).error as { message: string; extensions?: { code?: string } }[];
    expect(refused[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(refused[0]?.message).toMatch(`at most ${PER_CALLER} live subscriptions per caller`);

    // Task ids are issued to one caller: the other caller follows a task of its own.
    const otherId = await runningTask(OTHER_KEY);
    const other = connect(OTHER_KEY);
    const theirs = Array.from({ length: PER_PROCESS - PER_CALLER }, () => follow(other, otherId));
    await Promise.all(theirs.map((w) => w.started));
    expect(theirs.every((w) => w.updates[0]?.data?.copyTaskUpdated.state === 'RUNNING')).toBe(true);
    const full = (await follow(other, otherId).ended).error as {
      message: string;
      extensions?: { code?: string };
    }[];
    expect(full[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(full[0]?.message).toMatch(`at most ${PER_PROCESS} live subscriptions`);

    // A caller that leaves frees its places.
    await (ui[0] as Client).dispose();
    await (ui[1] as Client).dispose();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = follow(connect(UI_KEY), id);
    await again.started;
    expect(again.updates[0]?.data?.copyTaskUpdated.state).toBe('RUNNING');
  });
});
