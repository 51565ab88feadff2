/**
 * Large background jobs on Redis through a real gateway against both emulators with per-call latency:
 * accepted at once, every item SUCCEEDED in request order, every id sent exactly once (counted at the
 * emulator). By default 20,000 SMH items and 1,500 DingTalk ids; JOBS_LARGE=1 runs the sizes the
 * gateway promises, 100,000 SMH items and 10,000 DingTalk ids. How long accepting took is printed
 * (bench/jobs.mjs measures throughput).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDingTalkEmulator, type DingTalkEmulator } from '../../src/emulators/dingtalk/index.js';
import { DEMO_LIBRARY_ID as LIB, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { dingTalkCopies, dingTalkFiles, dingTalkInput, REDIS_URL } from './api-rig.js';

const LARGE = process.env.JOBS_LARGE === '1';
const SMH_ITEMS = LARGE ? 100_000 : 20_000;
const DINGTALK_IDS = LARGE ? 10_000 : 1_500;
const LATENCY_MS = 20;

let smh: SmhEmulator;
let dingtalk: DingTalkEmulator;
let gw: TestGateway;
let headers: Record<string, string>;

beforeAll(async () => {
  [smh, dingtalk] = await Promise.all([
    startSmhEmulator({ seed: true, taskDurationMs: 200 }),
    startDingTalkEmulator({ seed: true }),
  ]);
  smh.faults.add({ kind: 'latency', ms: LATENCY_MS, pathIncludes: '/api/v1/batch/' });
  dingtalk.faults.add({ kind: 'latency', ms: LATENCY_MS, pathIncludes: 'batchCopy' });
  headers = {
    'x-smh-access-token': smh.issueToken({ libraryId: LIB, grants: ['admin'] }),
    'x-acs-dingtalk-access-token': dingtalk.issueToken(),
  };
  gw = await startGateway({
    SMH_BASE_URL: smh.url,
    DINGTALK_BASE_URL: dingtalk.url,
    LOG_LEVEL: 'warn',
    REDIS_URL,
    JOBS_KEY_PREFIX: `test-jobs-large-${randomUUID()}:`,
    TASK_POLL_INTERVAL_MS: '200',
    JOB_CHUNK_CONCURRENCY: '16',
  });
}, 60_000);
afterAll(async () => {
  await gw?.close();
  await Promise.all([smh?.close(), dingtalk?.close()]);
});

const COPY = /* GraphQL */ `
  mutation Copy($input: BatchCopyInput!) {
    batchCopy(input: $input) {
      __typename
      ... on CopyAccepted {
        summary {
          total
          pending
        }
        task {
          id
          state
          progress {
            total
            completed
          }
        }
      }
    }
  }
`;
const TASK = /* GraphQL */ `
  query Task($id: ID!) {
    copyTask(id: $id) {
      state
      done
      summary {
        total
        succeeded
        pending
      }
      items {
        index
        status
        source
        result
      }
    }
  }
`;
const PROGRESS = `query Task($id: ID!) { copyTask(id: $id) { done progress { completed total } } }`;

interface Accepted {
  batchCopy: {
    __typename: string;
    summary: { total: number; pending: number };
    task: { id: string; state: string; progress: { total: number; completed: number } };
  };
}
interface Finished {
  copyTask: {
    state: string;
    done: boolean;
    summary: { total: number; succeeded: number; pending: number };
    items: { index: number; status: string; source: string; result: string | null }[];
  };
}

/** Sends the batch, checks the accepting answer, prints how long it took; the task id. */
async function accept(input: unknown, total: number, label: string): Promise<string> {
  const started = performance.now();
  const { status, body } = await gw.graphql<Accepted>(COPY, { input }, headers);
  const ms = performance.now() - started;
  console.warn(`${label}: accepted in ${ms.toFixed(0)} ms`);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const answer = body.data!.batchCopy;
  expect(answer.__typename).toBe('CopyAccepted');
  expect(answer.summary).toEqual({ total, pending: total });
  expect(answer.task.state).toBe('RUNNING');
  expect(answer.task.id.length).toBeLessThanOrEqual(256);
  return answer.task.id;
}

/** Waits (reading only the progress) until the task is done, then reads it whole. */
async function finished(id: string, timeoutMs: number): Promise<Finished['copyTask']> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const { body } = await gw.graphql<{ copyTask: { done: boolean; progress: { completed: number } } }>(
      PROGRESS,
      { id },
      headers,
    );
    const task = body.data!.copyTask;
    expect(task.progress.completed).toBeGreaterThanOrEqual(last);
    last = task.progress.completed;
    if (task.done) break;
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms: ${JSON.stringify(task)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const { body } = await gw.graphql<Finished>(TASK, { id }, headers);
  return body.data!.copyTask;
}

describe(`large background jobs (${LARGE ? 'JOBS_LARGE' : 'default sizes'})`, () => {
  it(`${SMH_ITEMS} SMH items: every item SUCCEEDED in request order, each copied exactly once`, async () => {
    const tag = randomUUID().slice(0, 8);
    smh.state.mkdir(LIB, '-', `${tag}-copy`);
    const items = Array.from({ length: SMH_ITEMS }, (_, i) => {
      smh.state.putFile(LIB, '-', `${tag}/f${i}.txt`, { content: `${i}` });
      return { from: `${tag}/f${i}.txt`, to: `${tag}-copy/f${i}.txt` };
    });
    const id = await accept({ smh: { libraryId: LIB, items } }, SMH_ITEMS, `SMH ${SMH_ITEMS} items`);
    const task = await finished(id, LARGE ? 240_000 : 90_000);
    expect(task.state).toBe('SUCCEEDED');
    expect(task.summary).toEqual({ total: SMH_ITEMS, succeeded: SMH_ITEMS, pending: 0 });
    const wrong = task.items.filter(
      (item, i) =>
        item.index !== i ||
        item.status !== 'SUCCEEDED' ||
        item.source !== items[i]!.from ||
        item.result !== items[i]!.to,
    );
    expect(wrong).toEqual([]);
    const notOnce = items.filter((item) => smh.stats.copiesTo('-', item.to).length !== 1);
    expect(notOnce).toEqual([]);
  }, 300_000);

  it(`${DINGTALK_IDS} DingTalk ids: every item SUCCEEDED in request order, each id copied exactly once`, async () => {
    const ids = dingTalkFiles(dingtalk, DINGTALK_IDS);
    const input = dingTalkInput(ids);
    const id = await accept(input, DINGTALK_IDS, `DingTalk ${DINGTALK_IDS} ids`);
    const task = await finished(id, LARGE ? 240_000 : 90_000);
    expect(task.state).toBe('SUCCEEDED');
    const wrong = task.items.filter(
      (item, i) => item.index !== i || item.status !== 'SUCCEEDED' || item.source !== ids[i] || !item.result,
    );
    expect(wrong).toEqual([]);
    const copies = dingTalkCopies(dingtalk);
    expect(ids.filter((dentryId) => copies.get(dentryId) !== 1)).toEqual([]);
  }, 300_000);
});
