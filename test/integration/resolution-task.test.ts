/**
 * Items still UNKNOWN when an inline request answers are looked at by a task: `waitSeconds` waits for
 * the looks, `copyTask` and `copyTaskUpdated` show each settlement, and with Redis any replica answers
 * for the task (a replica whose looks are overdue makes the next one itself). Real HTTP and WebSocket
 * to a gateway and the SMH emulator. SMH runs each copy as a task that copies {@link TASK_MS} later, and
 * the answer with its id is lost: the first looks find nothing yet, so the task does the settling; the
 * snapshot taken before the send proves the copy new (a copy's time alone proves nothing so close to
 * the send).
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEMO_LIBRARY_ID as LIB, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import {
  SMH_COPY,
  type ResolutionCopyAnswer,
  type ResolutionTaskAnswer,
  TASK,
} from '../helpers/resolution.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let emu: SmhEmulator;
let token: string;
const gateways: TestGateway[] = [];
let n = 0;

/** How long after the send SMH's task makes the copy. */
const TASK_MS = 2500;

beforeAll(async () => {
  emu = await startSmhEmulator({ seed: true, asyncThreshold: 'always', taskDurationMs: TASK_MS });
  token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await emu?.close();
});

async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const gw = await startGateway({
    SMH_BASE_URL: emu.url,
    UNKNOWN_RESOLUTION: 'snapshot',
    UNKNOWN_GRACE_MS: '50',
    UNKNOWN_WINDOW_SECONDS: '10',
    TASK_POLL_INTERVAL_MS: '50',
    ...env,
  });
  gateways.push(gw);
  return gw;
}

/** A copy that runs as an SMH task {@link TASK_MS} after the send, whose answer (the task id) is lost. */
async function lostCopy(gw: TestGateway, waitSeconds = 0) {
  n += 1;
  emu.state.putFile(LIB, '-', `t${n}/src/a.txt`, { content: `task ${n}` });
  emu.state.mkdir(LIB, '-', `t${n}/dst`);
  emu.faults.add({ method: 'POST', pathIncludes: '/api/v1/batch/', times: 1, after: true, kind: 'reset' });
  const res = await gw.graphql<ResolutionCopyAnswer>(
    SMH_COPY,
    { input: { libraryId: LIB, items: [{ from: `t${n}/src/a.txt`, to: `t${n}/dst/a.txt` }], waitSeconds } },
    { 'x-smh-access-token': token },
  );
  expect(res.body.errors).toBeUndefined();
  return { answer: res.body.data!.batchCopy, target: `t${n}/dst/a.txt` };
}

async function readTask(gw: TestGateway, id: string) {
  const res = await gw.graphql<ResolutionTaskAnswer>(TASK, { id }, { 'x-smh-access-token': token });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.copyTask;
}

describe('a task that keeps looking', () => {
  it('answers CopyAccepted with the UNKNOWN item, then copyTask shows it settled by a look', async () => {
    const gw = await gateway();
    const { answer, target } = await lostCopy(gw);
    expect(answer.__typename).toBe('CopyAccepted');
    expect(answer.items[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
    expect(answer.task).toMatchObject({ done: false, state: 'RUNNING' });
    let task = await readTask(gw, answer.task!.id);
    for (let i = 0; i < 100 && !task.done; i++) {
      await new Promise((r) => setTimeout(r, 100));
      task = await readTask(gw, answer.task!.id);
    }
    expect(task).toMatchObject({ done: true, state: 'SUCCEEDED' });
    expect(task.items[0]).toMatchObject({ status: 'SUCCEEDED', result: target, evidence: 'TARGET_LOOKUP' });
    expect(emu.stats.copiesTo('-', target)).toHaveLength(1);
  });

  it('waitSeconds waits for the looks and answers with the settled item', async () => {
    const gw = await gateway();
    const { answer, target } = await lostCopy(gw, 10);
    expect(answer.__typename).toBe('CopySucceeded');
    expect(answer.items[0]).toMatchObject({ status: 'SUCCEEDED', result: target, evidence: 'TARGET_LOOKUP' });
  });

  it('copyTaskUpdated emits the task until the look settles it', async () => {
    // Looks at 0.5 s, 1.5 s and 3.5 s after the answer; the first two find nothing yet: the
    // subscription starts first.
    const gw = await gateway({ UNKNOWN_GRACE_MS: '500' });
    const { answer } = await lostCopy(gw);
    const client = createClient({
      url: `${gw.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { 'x-smh-access-token': token },
      retryAttempts: 0,
    });
    const updates: { status: string; evidence: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        {
          query: `subscription($id: ID!) { copyTaskUpdated(id: $id) { done items { status evidence } } }`,
          variables: { id: answer.task!.id },
        },
        {
          next: (value) => {
            const task = (
              value.data as { copyTaskUpdated: { items: { status: string; evidence: string }[] } }
            ).copyTaskUpdated;
            updates.push(task.items[0]!);
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await client.dispose();
    expect(updates[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
    expect(updates.at(-1)).toMatchObject({ status: 'SUCCEEDED', evidence: 'TARGET_LOOKUP' });
  });

  it('with Redis, another replica answers for the task and makes the overdue looks itself', async () => {
    const env = { REDIS_URL, UNKNOWN_GRACE_MS: '50' };
    const first = await gateway(env);
    const second = await gateway(env);
    const { answer, target } = await lostCopy(first);
    expect(answer.__typename).toBe('CopyAccepted');
    // The replica that owned the looks stops: the other one reads the record and looks once it is overdue.
    await first.close();
    let task = await readTask(second, answer.task!.id);
    for (let i = 0; i < 100 && !task.done; i++) {
      await new Promise((r) => setTimeout(r, 100));
      task = await readTask(second, answer.task!.id);
    }
    expect(task.items[0]).toMatchObject({ status: 'SUCCEEDED', result: target, evidence: 'TARGET_LOOKUP' });
  });
});
