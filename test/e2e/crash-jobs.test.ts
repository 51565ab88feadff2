/**
 * A background job across a gateway crash: two gateway processes on one Redis, the job accepted by A,
 * A killed with SIGKILL mid-job, B resumes it from the job's records. The DingTalk emulator counts every
 * copy it makes: no id is copied twice, every item ends in a final status, and a subscriber on B
 * follows the job to its end. Pass-through tokens: B calls with the caller's token A sealed in Redis.
 */
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  DINGTALK_SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { TASK_ID_SECRET } from '../helpers/gateway.js';
import { dingTalkCopies, dingTalkInput } from '../jobs/api-rig.js';
import { postGraphql, runGateway, type GatewayProcess } from '../helpers/process.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const IDS = 1200; // 400 upstream calls, 4 at a time: about 6 s on one instance
const LATENCY_MS = 60;

interface Item {
  index: number;
  status: string;
  source: string;
  evidence: string;
  error: { code: string } | null;
}
interface Task {
  id: string;
  state: string;
  done: boolean;
  summary: { total: number; succeeded: number; failed: number; pending: number; unknown: number };
  progress: { completed: number; total: number };
  items: Item[];
}

const COPY = `mutation($input: DingTalkBatchCopyInput!) { batchCopy(input: { dingtalk: $input }) {
  __typename ... on CopyAccepted { task { id state } } } }`;
const TASK = `query($id: ID!) { copyTask(id: $id) { id state done
  summary { total succeeded failed pending unknown } progress { completed total }
  items { index status source evidence error { code } } } }`;

async function kill(gateway: GatewayProcess): Promise<void> {
  const exited = once(gateway.child, 'exit');
  gateway.child.kill('SIGKILL');
  await exited;
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a background job across a gateway crash (two processes, one Redis)', () => {
  let dingtalk: DingTalkEmulator;
  const started: GatewayProcess[] = [];
  let env: Record<string, string>;
  let headers: Record<string, string>;

  const start = async () => {
    const gateway = runGateway(env);
    started.push(gateway);
    return { gateway, url: await gateway.ready };
  };

  beforeAll(async () => {
    dingtalk = await startDingTalkEmulator({ seed: true });
    headers = { 'x-acs-dingtalk-access-token': dingtalk.issueToken() };
    env = {
      PORT: '0',
      HOST: '127.0.0.1',
      DINGTALK_BASE_URL: dingtalk.url,
      REDIS_URL,
      TASK_ID_SECRET,
      JOBS_KEY_PREFIX: `test-crash-jobs-${randomUUID()}:`,
      // A dead instance's job is resumed within about 2 s.
      JOB_LOCK_MS: '2000',
      TASK_POLL_INTERVAL_MS: '200',
      UNKNOWN_GRACE_MS: '200',
      // Looks that find nothing end well inside the test's time (the default window is 10 minutes).
      UNKNOWN_WINDOW_SECONDS: '20',
      // Unpaced: the crash, not the pace, is under test (the default 20 calls a second makes it 20 s).
      DINGTALK_MAX_CALLS_PER_SECOND: '0',
    };
  });
  afterAll(async () => {
    for (const { child } of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await dingtalk?.close();
  });

  it('A is killed mid-job: B finishes it, no id is copied twice, every item final, a subscriber on B sees the end', async () => {
    // B starts once A runs the job: only A's worker was there to take it from the queue.
    const a = await start();
    const ids = Array.from(
      { length: IDS },
      (_v, i) =>
        dingtalk.state.createFile(DINGTALK_SEED.sourceSpaceId, `crash-job-${randomUUID()}-${i}.txt`).id,
    );
    dingtalk.faults.add({ kind: 'latency', ms: LATENCY_MS, pathIncludes: '/batchCopy' });
    dingtalk.stats.reset();
    const { dingtalk: input } = dingTalkInput(ids);
    const requestId = `crash-job-${randomUUID()}`;
    const accepted = await postGraphql<{ batchCopy: { __typename: string; task: { id: string } } }>(
      a.url,
      COPY,
      { input },
      { ...headers, 'x-request-id': requestId },
    );
    expect(accepted.errors).toBeUndefined();
    const id = accepted.data!.batchCopy.task.id;
    await until(() => dingtalk.stats.copyRequests.length > 0);
    const b = await start();

    // A subscriber on B follows from the start.
    const client = createClient({
      url: `${b.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: headers,
      retryAttempts: 0,
    });
    const updates: { state: string; done: boolean; progress: { completed: number } }[] = [];
    const followed = new Promise<void>((resolve, reject) => {
      client.subscribe(
        {
          query: `subscription($id: ID!) { copyTaskUpdated(id: $id) { state done progress { completed } } }`,
          variables: { id },
        },
        {
          next: (value) => {
            if (value.errors) reject(new Error(JSON.stringify(value.errors)));
            else updates.push((value.data as { copyTaskUpdated: (typeof updates)[number] }).copyTaskUpdated);
          },
          error: reject,
          complete: resolve,
        },
      );
    });

    // Kill A while it is still sending.
    await until(() => dingtalk.stats.copyRequests.length >= 60);
    await kill(a.gateway);
    const sentByA = dingtalk.stats.copyRequests.length;
    expect(sentByA).toBeLessThan(IDS / 3);

    await followed;
    await client.dispose();
    const read = await postGraphql<{ copyTask: Task }>(b.url, TASK, { id }, headers);
    expect(read.errors).toBeUndefined();
    const task = read.data!.copyTask;
    expect(task.done).toBe(true);
    expect(task.summary.pending).toBe(0);
    expect(task.items.map((i) => i.source)).toEqual(ids);
    expect(task.items.every((i) => ['SUCCEEDED', 'FAILED', 'UNKNOWN'].includes(i.status))).toBe(true);

    const copies = dingTalkCopies(dingtalk);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
    for (const item of task.items) {
      const n = copies.get(item.source) ?? 0;
      if (item.status === 'SUCCEEDED') expect(n, item.source).toBe(1);
      if (item.status === 'FAILED') expect(n, item.source).toBe(0);
    }
    // B sent the rest: more calls than A made, and the job got to every item.
    expect(dingtalk.stats.copyRequests.length).toBeGreaterThan(sentByA);
    // Each call, A's and B's, carried the id of the request that accepted the job.
    expect(new Set(dingtalk.stats.copyRequests.map((r) => r.clientRequestId))).toEqual(new Set([requestId]));
    expect(task.summary.succeeded).toBeGreaterThan(IDS - 3 * 8);

    const completed = updates.map((u) => u.progress.completed);
    expect(completed).toEqual([...completed].sort((x, y) => x - y));
    expect(updates.at(-1)).toMatchObject({ done: true });
    console.warn(
      `crash job: ${IDS} ids, ${sentByA} calls before A died, ${dingtalk.stats.copyRequests.length} in all; ` +
        `final ${JSON.stringify(task.summary)}, ${task.items.filter((i) => i.evidence === 'TARGET_LOOKUP').length} settled by a look; ${updates.length} updates on B`,
    );
  }, 90_000);

  it("A is killed while it looks at the target of a job's UNKNOWN item: B takes the looks over and settles it, never sending it again", async () => {
    // Own job keys: the first test's B must not take this job from the queue.
    const keys = { JOBS_KEY_PREFIX: `test-crash-looks-${randomUUID()}:`, UNKNOWN_WINDOW_SECONDS: '60' };
    // A's first look would come long after it is killed; B's at once.
    const a = runGateway({ ...env, ...keys, UNKNOWN_GRACE_MS: '600000' });
    started.push(a);
    const aUrl = await a.ready;
    const [id] = [dingtalk.state.createFile(DINGTALK_SEED.sourceSpaceId, `look-${randomUUID()}.txt`).id];
    dingtalk.faults.clear();
    dingtalk.faults.add({
      kind: 'status',
      status: 500,
      code: 'InternalError',
      pathIncludes: '/batchCopy',
      after: true,
      times: 1,
    });
    const { dingtalk: input } = dingTalkInput([id!], { execution: 'BACKGROUND' });
    const accepted = await postGraphql<{ batchCopy: { task: { id: string } } }>(
      aUrl,
      COPY,
      { input },
      headers,
    );
    expect(accepted.errors).toBeUndefined();
    const taskId = accepted.data!.batchCopy.task.id;
    const read = async (url: string) =>
      (await postGraphql<{ copyTask: Task }>(url, TASK, { id: taskId }, headers)).data!.copyTask;
    // The answer was lost: the item is UNKNOWN and the job RUNNING while A looks at its target.
    let onA = await read(aUrl);
    for (const end = Date.now() + 10_000; onA.summary.unknown === 0 && Date.now() < end;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      onA = await read(aUrl);
    }
    expect(onA).toMatchObject({ state: 'RUNNING', done: false, summary: { unknown: 1 } });
    await kill(a);

    const b = runGateway({ ...env, ...keys });
    started.push(b);
    const bUrl = await b.ready;
    let onB = await read(bUrl);
    for (const end = Date.now() + 20_000; !onB.done && Date.now() < end;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      onB = await read(bUrl);
    }
    expect(onB).toMatchObject({ state: 'SUCCEEDED', done: true, summary: { succeeded: 1, unknown: 0 } });
    expect(onB.items[0]).toMatchObject({ status: 'SUCCEEDED', evidence: 'TARGET_LOOKUP' });
    expect(dingTalkCopies(dingtalk).get(id!)).toBe(1);
  }, 60_000);
});
