/**
 * Jobs take turns (JOB_TURN_MS), on both backends and across replicas sharing Redis: with one job at a
 * time per replica, a 1-id job another caller submits while big jobs run finishes before them, and
 * the big jobs, put back in the queue at the end of each turn, go on from their records to the end,
 * every id copied once. The real gateway over HTTP against the DingTalk emulator.
 */
import { describe, expect, it } from 'vitest';
import { TASK_ID_SECRET, type TestGateway } from '../helpers/gateway.js';
import {
  COPY,
  dingTalkCopies,
  dingTalkFiles,
  dingTalkInput,
  dingtalkOf,
  readTask,
  readUntil,
  replica,
  startJobRig,
  type CopyAnswer,
  type Task,
} from './api-rig.js';
import type { Backend } from './rig.js';

const TOKEN = 'x-acs-dingtalk-access-token';
/** 300 upstream calls of 3 ids, 4 at a time, 40 ms each: seconds of work, against turns of 200 ms. */
const BIG = 900;
const ENV = {
  JOB_CONCURRENCY: '1',
  JOB_TURN_MS: '200',
  DINGTALK_MAX_CALLS_PER_SECOND: '0',
};

async function submit(gw: TestGateway, input: unknown, headers: Record<string, string>): Promise<Task> {
  const { body } = await gw.graphql<CopyAnswer>(COPY, { input }, headers);
  expect(body.errors).toBeUndefined();
  expect(body.data?.batchCopy.__typename).toBe('CopyAccepted');
  return body.data!.batchCopy.task!;
}

/** The value of a counter series on `gw`'s /metrics (0 when absent). */
async function counter(gw: TestGateway, series: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe.each<Backend>(['memory', 'redis'])('jobs take turns on %s', (backend) => {
  it("another caller's 1-id job, queued behind a big job, finishes while the big one still runs; the big one then finishes, every id copied once", async () => {
    const rig = await startJobRig(backend, ENV);
    const emu = dingtalkOf(rig).dingtalk!;
    emu.faults.add({ kind: 'latency', ms: 40, pathIncludes: 'batchCopy' });
    const alice = { [TOKEN]: emu.issueToken() };
    const bob = { [TOKEN]: emu.issueToken() };
    const bigIds = dingTalkFiles(emu, BIG);
    const big = await submit(rig.gw, dingTalkInput(bigIds), alice);
    await readUntil(rig.gw, big.id, alice, (t) => t.progress.completed > 0);

    const smallIds = dingTalkFiles(emu, 1);
    const small = await submit(rig.gw, dingTalkInput(smallIds, { execution: 'BACKGROUND' }), bob);
    // Queued behind the big job: RUNNING, nothing done yet.
    expect(small).toMatchObject({ state: 'RUNNING', done: false, progress: { completed: 0, total: 1 } });

    const smallDone = await readUntil(rig.gw, small.id, bob, (t) => t.done, 30_000);
    const bigThen = (await readTask(rig.gw, big.id, alice))!;
    expect(smallDone.state).toBe('SUCCEEDED');
    expect(bigThen.state).toBe('RUNNING');
    expect(bigThen.done).toBe(false);
    expect(bigThen.progress.completed).toBeGreaterThan(0);
    expect(bigThen.progress.completed).toBeLessThan(BIG);

    const bigDone = await readUntil(rig.gw, big.id, alice, (t) => t.done, 60_000);
    expect(bigDone.state).toBe('SUCCEEDED');
    expect(bigDone.items.map((i) => [i.source, i.status])).toEqual(bigIds.map((id) => [id, 'SUCCEEDED']));
    const copies = dingTalkCopies(emu);
    expect([...bigIds, ...smallIds].map((id) => copies.get(id))).toEqual(
      [...bigIds, ...smallIds].map(() => 1),
    );
    expect(
      await counter(rig.gw, 'copy_gateway_job_yields_total{provider="DINGTALK"}'),
    ).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it.runIf(backend === 'redis')(
    'two replicas, each running one big job: a 1-id job of another caller finishes while both still run',
    async () => {
      const rig = await startJobRig(backend, ENV);
      // The rig's task-id key: ids and sealed caller tokens work on either replica.
      const b = await replica(rig, { ...rig.env, TASK_ID_SECRET });
      try {
        const emu = dingtalkOf(rig).dingtalk!;
        emu.faults.add({ kind: 'latency', ms: 40, pathIncludes: 'batchCopy' });
        const alice = { [TOKEN]: emu.issueToken() };
        const bob = { [TOKEN]: emu.issueToken() };
        const bigIds = [dingTalkFiles(emu, BIG), dingTalkFiles(emu, BIG)];
        const bigs = [
          await submit(rig.gw, dingTalkInput(bigIds[0]!), alice),
          await submit(b, dingTalkInput(bigIds[1]!), alice),
        ];
        // Both run: one on each replica (each runs one job at a time).
        for (const big of bigs) await readUntil(rig.gw, big.id, alice, (t) => t.progress.completed > 0);

        const smallIds = dingTalkFiles(emu, 1);
        const small = await submit(b, dingTalkInput(smallIds, { execution: 'BACKGROUND' }), bob);
        const smallDone = await readUntil(rig.gw, small.id, bob, (t) => t.done, 30_000);
        expect(smallDone.state).toBe('SUCCEEDED');
        for (const big of bigs) {
          const then = (await readTask(rig.gw, big.id, alice))!;
          expect(then).toMatchObject({ state: 'RUNNING', done: false });
          expect(then.progress.completed).toBeLessThan(BIG);
        }

        for (const [k, big] of bigs.entries()) {
          const done = await readUntil(b, big.id, alice, (t) => t.done, 60_000);
          expect(done.items.map((i) => [i.source, i.status])).toEqual(
            bigIds[k]!.map((id) => [id, 'SUCCEEDED']),
          );
        }
        const copies = dingTalkCopies(emu);
        const all = [...bigIds.flat(), ...smallIds];
        expect(all.map((id) => copies.get(id))).toEqual(all.map(() => 1));
      } finally {
        await b.close();
      }
    },
    120_000,
  );
});
