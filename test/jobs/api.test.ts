/**
 * Background jobs through the API, on both backends (Redis + BullMQ, memory + in-process runner): the
 * real gateway over HTTP and WebSocket against the DingTalk and SMH emulators. Execution modes, short
 * signed ids, copyTask / node / copyTaskUpdated / waitSeconds for jobs, idempotency, caller scoping,
 * and (Redis) another replica answering for a job.
 */
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rig } from '../helpers/rig.js';
import type { TestGateway } from '../helpers/gateway.js';
import {
  COPY,
  callerHeaders,
  dingTalkCopies,
  dingTalkFiles,
  dingTalkInput,
  dingtalkOf,
  follow,
  readTask,
  readUntil,
  replica,
  smhBatch,
  smhInput,
  smhOf,
  startJobRig,
  REDIS_URL,
  TASK_FIELDS,
  type CopyAnswer,
  type JobUpstreams,
  type Task,
} from './api-rig.js';
import { Redis } from 'ioredis';
import type { Backend } from './rig.js';

const COPY_DOCUMENT = parse(COPY) as never;
const JOB_ID = /^cj1_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

describe.each<Backend>(['memory', 'redis'])('background jobs through the API on %s', (backend) => {
  let rig: Rig<JobUpstreams> & { env: Record<string, string> };
  let headers: Record<string, string>;
  const extra: TestGateway[] = [];

  beforeAll(async () => {
    rig = await startJobRig(backend, {
      SMH_CHUNK_SIZE: '2',
      UNKNOWN_RESOLUTION: 'lookup',
      UNKNOWN_GRACE_MS: '50',
      UNKNOWN_WINDOW_SECONDS: '10',
      // Calls the cancel tests keep in flight take 150 ms (recorded within the wait) or 4 s (not).
      JOB_CANCEL_WAIT_MS: '1000',
    });
    headers = callerHeaders(rig);
  });
  afterAll(async () => {
    await Promise.all(extra.map((gw) => gw.close()));
  });

  /**
   * Where a test cancels a running job: with Redis another replica, started after the job was taken
   * (it runs where it was accepted), so the cancel waits for calls in flight on another instance.
   */
  async function canceller(): Promise<{ graphql: TestGateway['graphql']; url: string }> {
    if (backend !== 'redis') return rig.gw;
    const b = await replica(rig, rig.env);
    extra.push(b);
    return b;
  }

  async function copy(input: unknown, extraHeaders: Record<string, string> = {}) {
    const { body } = await rig.graphql<CopyAnswer, Record<string, unknown>>(
      COPY_DOCUMENT,
      { input },
      extraHeaders,
    );
    expect(body.errors).toBeUndefined();
    return body.data!.batchCopy;
  }

  it('AUTO: a batch over the inline limit is a job; it answers at once, all PENDING, then copies each id once, in order', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    emu.faults.add({ kind: 'latency', ms: 20, pathIncludes: 'batchCopy' });
    const ids = dingTalkFiles(emu, 31); // 11 calls of 3
    try {
      const answer = await copy(dingTalkInput(ids));
      expect(answer.__typename).toBe('CopyAccepted');
      const task = answer.task!;
      expect(task.id).toMatch(JOB_ID);
      expect(task.id.length).toBe(49);
      expect(task.state).toBe('RUNNING');
      expect(answer.items.map((i) => [i.index, i.status, i.source])).toEqual(
        ids.map((id, i) => [i, 'PENDING', id]),
      );
      // Nothing was sent yet when the job was accepted.
      expect(task.items.map((i) => [i.status, i.evidence])).toEqual(ids.map(() => ['PENDING', 'NOT_SENT']));
      expect(task.progress).toEqual({ total: 31, completed: 0, fraction: 0, source: 'EXACT' });
      expect(task.retryOf).toBeNull();

      const done = await readUntil(rig.gw, task.id, headers);
      expect(done.state).toBe('SUCCEEDED');
      expect(done.items.map((i) => [i.index, i.status, i.source, i.evidence])).toEqual(
        ids.map((id, i) => [i, 'SUCCEEDED', id, 'UPSTREAM_ANSWER']),
      );
      expect(done.items.every((i) => typeof i.result === 'string' && i.result !== '')).toBe(true);
      expect(done.progress).toEqual({ total: 31, completed: 31, fraction: 1, source: 'EXACT' });
      const copies = dingTalkCopies(emu);
      expect(ids.map((id) => copies.get(id))).toEqual(ids.map(() => 1));
      const { body } = await rig.gw.graphql<{ node: { id: string } | null }>(
        `query($id: ID!) { node(id: $id) { id ... on CopyTask { state } } }`,
        { id: task.id },
        headers,
      );
      expect(body.data?.node).toEqual({ id: task.id, state: 'SUCCEEDED' });
    } finally {
      emu.faults.clear();
    }
  });

  it('AUTO: a batch within the inline limit runs inline; INLINE over the limit is refused naming it', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const small = await copy(dingTalkInput(dingTalkFiles(emu, 30)));
    expect(small.__typename).toBe('CopySucceeded');
    const ids = dingTalkFiles(emu, 31);
    const refused = await copy(dingTalkInput(ids, { execution: 'INLINE' }));
    expect(refused.__typename).toBe('CopyRejected');
    expect(refused.error?.code).toBe('INVALID_ARGUMENT');
    expect(refused.error?.message).toMatch(
      /11 upstream calls.*inline limit of 10 \(INLINE_MAX_UPSTREAM_CALLS\)/,
    );
    const copies = dingTalkCopies(emu);
    expect(ids.map((id) => copies.get(id) ?? 0)).toEqual(ids.map(() => 0));
  });

  it('BACKGROUND: even one item is a job; waitSeconds waits for it and answers with the finished outcome, naming the job', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const ids = dingTalkFiles(emu, 2);
    const answer = await copy(dingTalkInput(ids, { execution: 'BACKGROUND', waitSeconds: 10 }));
    expect(answer.__typename).toBe('CopySucceeded');
    expect(answer.items.map((i) => i.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    // The job it ran as, to be read again: the same task copyTask answers.
    expect(answer.finished?.id).toMatch(JOB_ID);
    expect(answer.finished?.state).toBe('SUCCEEDED');
    expect((await readTask(rig.gw, answer.finished!.id, headers))?.items.map((i) => i.source)).toEqual(ids);
    const quick = await copy(dingTalkInput(dingTalkFiles(emu, 1), { execution: 'BACKGROUND' }));
    expect(quick.__typename).toBe('CopyAccepted');
    expect(quick.task!.id).toMatch(JOB_ID);
  });

  it('waitSeconds longer than the operation deadline allows: the wait ends before it and answers the state then, never a deadline error', async () => {
    const gw = await replica(rig, { ...rig.env, OPERATION_TIMEOUT_MS: '3000' });
    extra.push(gw);
    const emu = dingtalkOf(rig).dingtalk!;
    // The copy answers after 2.5 s, within the chunk's deadline (3 s) but after the wait ends (2.25 s).
    emu.faults.add({ kind: 'latency', ms: 2500, pathIncludes: 'batchCopy' });
    try {
      const ids = dingTalkFiles(emu, 2);
      const { status, body } = await gw.graphql<CopyAnswer>(
        COPY,
        { input: dingTalkInput(ids, { execution: 'BACKGROUND', waitSeconds: 60 }) },
        headers,
      );
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const answer = body.data!.batchCopy;
      expect(answer.__typename).toBe('CopyAccepted');
      expect(answer.items.map((i) => i.status)).toEqual(['PENDING', 'PENDING']);
      expect(answer.task!.id).toMatch(JOB_ID);
      expect((await readUntil(gw, answer.task!.id, headers)).state).toBe('SUCCEEDED');
    } finally {
      emu.faults.clear();
    }
  });

  it('BACKGROUND with waitSeconds that finishes partially failed names the job, so it can be retried', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const ids = [...dingTalkFiles(emu, 3), 'no-such-dentry'];
    const answer = await copy(dingTalkInput(ids, { execution: 'BACKGROUND', waitSeconds: 10 }));
    expect(answer.__typename).toBe('CopyPartiallyFailed');
    expect(answer.summary).toMatchObject({ total: 4, succeeded: 3, failed: 1, pending: 0 });
    const job = answer.finished!;
    expect(job.id).toMatch(JOB_ID);
    expect(job.state).toBe('PARTIALLY_FAILED');
    // retryCopyTask knows the job: its only failure (NOT_FOUND) is not safe to send again.
    const { body } = await rig.gw.graphql(
      `mutation($id: ID!) { retryCopyTask(id: $id) { __typename } }`,
      { id: job.id },
      headers,
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('INVALID_ARGUMENT');
    expect(body.errors?.[0]?.message).toMatch(/safe to send again/);
  });

  it('a job is refused as an inline batch is when the caller sends no upstream token: UNAUTHENTICATED, nothing accepted or sent', async () => {
    const ding = dingtalkOf(rig).dingtalk!;
    const smhEmu = smhOf(rig).smh!;
    const items = smhBatch(smhEmu, 2);
    const cases = [
      {
        job: dingTalkInput(dingTalkFiles(ding, 31)), // AUTO over the inline limit
        inline: dingTalkInput(dingTalkFiles(ding, 1)),
        calls: () => ding.stats.requestsByRoute.batchCopy ?? 0,
      },
      {
        job: smhInput(items, { execution: 'BACKGROUND' }),
        inline: smhInput(items, { execution: 'INLINE' }),
        calls: () => smhEmu.stats.requests['batch.copy'] ?? 0,
      },
    ];
    for (const c of cases) {
      const before = c.calls();
      // No token header: rig.gw.graphql sends none.
      const inline = await rig.gw.graphql(COPY, { input: c.inline });
      const job = await rig.gw.graphql(COPY, { input: c.job });
      expect(job.body.data).toEqual({ batchCopy: null });
      expect(job.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
        [['batchCopy'], 'UNAUTHENTICATED'],
      ]);
      expect(job.body.errors?.[0]?.message).toBe(inline.body.errors?.[0]?.message);
      expect(inline.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(c.calls()).toBe(before);
    }
  });

  it('one document: a cancelCopyTask or retryCopyTask that fails is null at its own path; the batchCopy that copied keeps its answer', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const ids = dingTalkFiles(emu, 2);
    const unknown = `cj1_${'A'.repeat(22)}.${'A'.repeat(22)}`;
    const { body } = await rig.gw.graphql<{
      copy: CopyAnswer['batchCopy'] | null;
      cancelCopyTask: { id: string } | null;
      retry: { __typename: string } | null;
    }>(
      `mutation($input: BatchCopyInput!, $id: ID!) {
        copy: batchCopy(input: $input) { __typename ... on CopyOutcome { summary { total succeeded failed pending unknown } } }
        cancelCopyTask(id: $id) { id }
        retry: retryCopyTask(id: $id) { __typename }
      }`,
      { input: dingTalkInput(ids), id: unknown },
      headers,
    );
    expect(body.data).toEqual({
      copy: {
        __typename: 'CopySucceeded',
        summary: { total: 2, succeeded: 2, failed: 0, pending: 0, unknown: 0 },
      },
      cancelCopyTask: null,
      retry: null,
    });
    expect(body.errors?.map((e) => [e.path, (e.extensions as { code: string }).code])).toEqual([
      [['cancelCopyTask'], 'NOT_FOUND'],
      [['retry'], 'NOT_FOUND'],
    ]);
    const copies = dingTalkCopies(emu);
    expect(ids.map((id) => copies.get(id))).toEqual([1, 1]);
  });

  it('bad input of a job is refused before anything is accepted, naming the field', async () => {
    const { body } = await rig.graphql<CopyAnswer, Record<string, unknown>>(COPY_DOCUMENT, {
      input: smhInput([{ from: 'a.txt', to: '../b.txt' }], { execution: 'BACKGROUND' }),
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/items\[0\]\.to/);
  });

  it('SMH: chunks of the configured size, every item in request order', async () => {
    const emu = smhOf(rig).smh!;
    const items = smhBatch(emu, 25); // 13 calls of 2
    const answer = await copy(smhInput(items));
    expect(answer.__typename).toBe('CopyAccepted');
    const done = await readUntil(rig.gw, answer.task!.id, headers);
    expect(done.provider).toBe('SMH');
    expect(done.state).toBe('SUCCEEDED');
    expect(done.items.map((i) => [i.source, i.target, i.status, i.result])).toEqual(
      items.map((item) => [item.from, item.to, 'SUCCEEDED', item.to]),
    );
  });

  it('idempotency keys cover jobs: a replay returns the same task, and the job ran once', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const ids = dingTalkFiles(emu, 31);
    const key = `job-${Date.now()}-${Math.random()}`;
    const first = await copy(dingTalkInput(ids, { idempotencyKey: key }));
    const second = await copy(dingTalkInput(ids, { idempotencyKey: key }));
    expect(first.__typename).toBe('CopyAccepted');
    expect(second.__typename).toBe('CopyAccepted');
    expect(second.task!.id).toBe(first.task!.id);
    expect(second.items.map((i) => i.source)).toEqual(ids);
    await readUntil(rig.gw, first.task!.id, headers);
    // A replay once the job finished answers its finished outcome, naming the job.
    const third = await copy(dingTalkInput(ids, { idempotencyKey: key, execution: 'BACKGROUND' }));
    expect(third.__typename).toBe('CopySucceeded');
    expect(third.summary).toEqual({ total: 31, succeeded: 31, failed: 0, pending: 0, unknown: 0 });
    expect(third.finished?.id).toBe(first.task!.id);
    expect(third.finished?.state).toBe('SUCCEEDED');
    const copies = dingTalkCopies(emu);
    expect(ids.map((id) => copies.get(id))).toEqual(ids.map(() => 1));
  });

  it("a job is its caller's: another token reads null; an altered id is NOT_FOUND", async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const answer = await copy(dingTalkInput(dingTalkFiles(emu, 31)));
    const id = answer.task!.id;
    // Reading a job calls no upstream: any other token is another caller.
    const other = { ...headers, 'x-acs-dingtalk-access-token': 'another-callers-token' };
    expect(await readTask(rig.gw, id, other)).toBeNull();
    const altered = `${id.slice(0, 10)}${id[10] === 'A' ? 'B' : 'A'}${id.slice(11)}`;
    const { body } = await rig.gw.graphql(
      `query($id: ID!) { copyTask(id: $id) { id } }`,
      { id: altered },
      headers,
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await readUntil(rig.gw, id, headers);
  });

  it('copyTaskUpdated follows a job to its end, progress never going back', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    emu.faults.add({ kind: 'latency', ms: 30, pathIncludes: 'batchCopy' });
    try {
      const ids = dingTalkFiles(emu, 45);
      const answer = await copy(dingTalkInput(ids));
      const updates = await follow(rig.gw.url, answer.task!.id, headers);
      const completed = updates.map((u) => u.progress.completed);
      expect(completed).toEqual([...completed].sort((a, b) => a - b));
      expect(updates.at(-1)).toMatchObject({ state: 'SUCCEEDED', done: true, summary: { succeeded: 45 } });
      expect(updates.length).toBeGreaterThan(1);
    } finally {
      emu.faults.clear();
    }
  });

  it('cancelCopyTask: no call starts after it answers; unsent items FAILED/CANCELLED, retryable; retryCopyTask re-sends exactly those, linked by retryOf', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    emu.faults.add({ kind: 'latency', ms: 150, pathIncludes: 'batchCopy' });
    try {
      const ids = dingTalkFiles(emu, 90); // 30 calls, 4 in flight
      const before = emu.stats.requestsByRoute.batchCopy ?? 0;
      const answer = await copy(dingTalkInput(ids));
      const id = answer.task!.id;
      await readUntil(rig.gw, id, headers, (t) => t.progress.completed >= 12);
      const { body } = await (
        await canceller()
      ).graphql<{ cancelCopyTask: Task }>(
        `mutation($id: ID!) { cancelCopyTask(id: $id) { ${TASK_FIELDS} } }`,
        { id },
        headers,
      );
      expect(body.errors).toBeUndefined();
      const callsAtCancel = (emu.stats.requestsByRoute.batchCopy ?? 0) - before;
      const cancelled = body.data!.cancelCopyTask;
      // The calls in flight were recorded before the answer: it is final and stays what it says.
      expect(cancelled).toMatchObject({ id, state: 'CANCELLED', done: true });
      expect(cancelled.summary.pending).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const done = (await readTask(rig.gw, id, headers))!;
      expect(done).toEqual(cancelled);
      const calls = (emu.stats.requestsByRoute.batchCopy ?? 0) - before;
      // No call was started after cancel answered.
      expect(calls).toBe(callsAtCancel);
      const failed = done.items.filter((i) => i.status === 'FAILED');
      expect(failed.length).toBeGreaterThan(0);
      expect(
        failed.every((i) => i.error?.code === 'CANCELLED' && i.error.retryable && i.evidence === 'NOT_SENT'),
      ).toBe(true);
      expect(done.summary.succeeded + failed.length).toBe(90);
      expect(done.summary.succeeded).toBe(calls * 3);
      const copied = dingTalkCopies(emu);
      for (const item of done.items)
        expect(copied.get(item.source) ?? 0).toBe(item.status === 'SUCCEEDED' ? 1 : 0);

      emu.faults.clear();
      const retried = await rig.gw.graphql<{ retryCopyTask: CopyAnswer['batchCopy'] }>(
        `mutation($id: ID!) { retryCopyTask(id: $id) { __typename ... on CopyAccepted { task { ${TASK_FIELDS} } } } }`,
        { id },
        headers,
      );
      expect(retried.body.errors).toBeUndefined();
      const retry = retried.body.data!.retryCopyTask.task!;
      expect(retry.id).toMatch(JOB_ID);
      expect(retry.retryOf).toEqual({ id, state: 'CANCELLED' });
      // Each item keeps its index in the first request.
      expect(retry.items.map((i) => [i.index, i.source])).toEqual(failed.map((i) => [i.index, i.source]));
      expect(retry.items[0]!.index).toBeGreaterThan(0);
      const second = await readUntil(rig.gw, retry.id, headers);
      expect(second.state).toBe('SUCCEEDED');
      const after = dingTalkCopies(emu);
      expect(ids.map((i) => after.get(i))).toEqual(ids.map(() => 1));
      // Nothing is left to retry.
      const again = await rig.gw.graphql(
        `mutation($id: ID!) { retryCopyTask(id: $id) { __typename } }`,
        { id: retry.id },
        headers,
      );
      expect(again.body.errors?.[0]?.extensions?.code).toBe('INVALID_ARGUMENT');
      expect(again.body.errors?.[0]?.message).toMatch(/safe to send again/);
    } finally {
      emu.faults.clear();
    }
  });

  it('cancelCopyTask while calls stay in flight past its wait: RUNNING (done: false), then CANCELLED once they are recorded, the end of copyTaskUpdated', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    emu.faults.add({ kind: 'latency', ms: 4000, pathIncludes: 'batchCopy' });
    try {
      const ids = dingTalkFiles(emu, 30); // 10 calls, 4 in flight
      const before = emu.stats.requestsByRoute.batchCopy ?? 0;
      const id = (await copy(dingTalkInput(ids, { execution: 'BACKGROUND' }))).task!.id;
      for (let end = Date.now() + 10_000; (emu.stats.requestsByRoute.batchCopy ?? 0) === before;) {
        if (Date.now() > end) throw new Error('no call was sent');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const gw = await canceller();
      const { body } = await gw.graphql<{ cancelCopyTask: Task }>(
        `mutation($id: ID!) { cancelCopyTask(id: $id) { ${TASK_FIELDS} } }`,
        { id },
        headers,
      );
      expect(body.errors).toBeUndefined();
      const answer = body.data!.cancelCopyTask;
      expect(answer).toMatchObject({ id, state: 'RUNNING', done: false });
      expect(answer.summary.pending).toBeGreaterThan(0);
      // Not sent, never to be: already FAILED with CANCELLED.
      expect(answer.items.slice(-3).map((i) => i.error?.code)).toEqual([
        'CANCELLED',
        'CANCELLED',
        'CANCELLED',
      ]);

      const updates = await follow(gw.url, id, headers, 'state done summary { succeeded }');
      const last = updates.at(-1)!;
      expect(last).toMatchObject({ state: 'CANCELLED', done: true });
      expect(updates.slice(0, -1).every((u) => u.state === 'RUNNING' && !u.done)).toBe(true);
      const done = (await readTask(rig.gw, id, headers))!;
      expect(done).toMatchObject({ state: 'CANCELLED', done: true });
      const calls = (emu.stats.requestsByRoute.batchCopy ?? 0) - before;
      expect(done.summary.succeeded).toBe(calls * 3);
      expect(done.summary.failed).toBe(30 - calls * 3);
    } finally {
      emu.faults.clear();
    }
  });

  /** A finished (cancelled) DingTalk job of `count` items on `gw`, some FAILED/CANCELLED (retryable). */
  async function cancelledJob(count: number, gw: TestGateway = rig.gw, as: Record<string, string> = headers) {
    const emu = dingtalkOf(rig).dingtalk!;
    emu.faults.add({ kind: 'latency', ms: 100, pathIncludes: 'batchCopy' });
    try {
      const ids = dingTalkFiles(emu, count);
      const accepted = await gw.graphql<CopyAnswer>(
        COPY,
        { input: dingTalkInput(ids, { execution: 'BACKGROUND' }) },
        as,
      );
      const id = accepted.body.data!.batchCopy.task!.id;
      const { body } = await gw.graphql(`mutation($id: ID!) { cancelCopyTask(id: $id) { id } }`, { id }, as);
      expect(body.errors).toBeUndefined();
      const done = await readUntil(gw, id, as);
      expect(done.items.some((i) => i.status === 'FAILED' && i.error?.retryable)).toBe(true);
      return { ids, id };
    } finally {
      emu.faults.clear();
    }
  }

  /** The retry task `retryCopyTask` answers: CopyAccepted's while it runs, the finished outcome's once done. */
  async function retryOn(
    gw: { graphql: TestGateway['graphql'] },
    id: string,
    as: Record<string, string> = headers,
  ): Promise<Task> {
    const { body } = await gw.graphql<{ retryCopyTask: CopyAnswer['batchCopy'] }>(
      `mutation($id: ID!) { retryCopyTask(id: $id) {
        __typename
        ... on CopyAccepted { task { ${TASK_FIELDS} } }
        ... on CopySucceeded { finished: task { ${TASK_FIELDS} } }
        ... on CopyPartiallyFailed { finished: task { ${TASK_FIELDS} } }
      } }`,
      { id },
      as,
    );
    expect(body.errors).toBeUndefined();
    const answer = body.data!.retryCopyTask;
    const task = answer.task ?? answer.finished!;
    expect(answer.__typename).toBe(task.done ? 'CopySucceeded' : 'CopyAccepted');
    return task;
  }

  it('retryCopyTask twice: the second call answers the first retry task (same id, current state); each item is copied once', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const { ids, id } = await cancelledJob(30);
    const first = await retryOn(rig.gw, id);
    expect(first.retryOf).toEqual({ id, state: 'CANCELLED' });
    const finished = await readUntil(rig.gw, first.id, headers);
    expect(finished.state).toBe('SUCCEEDED');
    const second = await retryOn(rig.gw, id);
    expect(second.id).toBe(first.id);
    expect(second.state).toBe('SUCCEEDED');
    expect(second.items.map((i) => i.source)).toEqual(first.items.map((i) => i.source));
    const third = await retryOn(rig.gw, id);
    expect(third.id).toBe(first.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const copies = dingTalkCopies(emu);
    expect(ids.map((i) => copies.get(i))).toEqual(ids.map(() => 1));
  });

  it('retryCopyTask is refused as batchCopy is without an upstream token (API keys, pass-through): UNAUTHENTICATED, no retry task recorded', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const key = 'retry-admission-key-0123456789';
    const gw = await replica(rig, { ...rig.env, GATEWAY_API_KEYS: `ui:${key}` });
    extra.push(gw);
    const auth = { authorization: `Bearer ${key}` };
    const withToken = { ...headers, ...auth };
    const { ids, id } = await cancelledJob(30, gw, withToken);
    const before = emu.stats.requestsByRoute.batchCopy ?? 0;
    const refused = await gw.graphql(
      `mutation($id: ID!) { retryCopyTask(id: $id) { __typename } }`,
      { id },
      auth,
    );
    expect(refused.body.data).toEqual({ retryCopyTask: null });
    expect(refused.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['retryCopyTask'], 'UNAUTHENTICATED'],
    ]);
    expect(emu.stats.requestsByRoute.batchCopy ?? 0).toBe(before);
    // Nothing was recorded: the retry sent with the token is the first, and it copies what was left.
    const retry = await retryOn(gw, id, withToken);
    expect(retry.retryOf).toEqual({ id, state: 'CANCELLED' });
    expect((await readUntil(gw, retry.id, withToken)).state).toBe('SUCCEEDED');
    const copies = dingTalkCopies(emu);
    expect(ids.map((i) => copies.get(i))).toEqual(ids.map(() => 1));
  });

  it('concurrent retryCopyTask calls of one task (on every replica) create one retry task; each item is copied once', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const gateways: { graphql: TestGateway['graphql'] }[] = [rig.gw];
    if (backend === 'redis') {
      const b = await replica(rig, rig.env);
      extra.push(b);
      gateways.push(b);
    }
    const { ids, id } = await cancelledJob(30);
    const retries = await Promise.all(
      Array.from({ length: 4 }, (_, n) => retryOn(gateways[n % gateways.length]!, id)),
    );
    expect(new Set(retries.map((r) => r.id)).size).toBe(1);
    expect(retries[0]!.retryOf).toEqual({ id, state: 'CANCELLED' });
    const done = await readUntil(rig.gw, retries[0]!.id, headers);
    expect(done.state).toBe('SUCCEEDED');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const copies = dingTalkCopies(emu);
    expect(ids.map((i) => copies.get(i))).toEqual(ids.map(() => 1));
  });

  it('only background tasks can be cancelled or retried: an upstream task id is INVALID_ARGUMENT', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const { DINGTALK_SEED } = await import('../../src/emulators/dingtalk/index.js');
    const answer = await copy(dingTalkInput([DINGTALK_SEED.folderId], { execution: 'INLINE' }));
    expect(answer.__typename).toBe('CopyAccepted');
    expect(answer.task!.id).toMatch(/^ct2_/);
    for (const mutation of ['cancelCopyTask(id: $id) { id }', 'retryCopyTask(id: $id) { __typename }']) {
      const { body } = await rig.gw.graphql(
        `mutation($id: ID!) { ${mutation} }`,
        { id: answer.task!.id },
        headers,
      );
      expect(body.errors?.[0]?.extensions?.code).toBe('INVALID_ARGUMENT');
      expect(body.errors?.[0]?.message).toMatch(/Only background tasks/);
    }
    void emu;
  });

  it("a job's item whose answer was lost is settled by looking at its target: SUCCEEDED, TARGET_LOOKUP, never sent again", async () => {
    const emu = smhOf(rig).smh!;
    const items = smhBatch(emu, 6); // 3 calls of 2
    emu.faults.add({ method: 'POST', pathIncludes: '/api/v1/batch/', times: 1, after: true, kind: 'reset' });
    const answer = await copy(smhInput(items, { execution: 'BACKGROUND' }));
    const done = await readUntil(
      rig.gw,
      answer.task!.id,
      headers,
      (t) => t.done && t.items.every((i) => i.status !== 'UNKNOWN'),
    );
    expect(done.state).toBe('SUCCEEDED');
    const looked = done.items.filter((i) => i.evidence === 'TARGET_LOOKUP');
    expect(looked.length).toBe(2);
    expect(looked.every((i) => i.status === 'SUCCEEDED' && i.result === i.target)).toBe(true);
    for (const item of items) expect(emu.stats.copiesTo('-', item.to)).toHaveLength(1);
  });

  it('/metrics shows jobs queued, running and finished, chunks recorded, and each accepted batch once', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const scrape = async () => {
      const text = await (await fetch(`${rig.gw.url}/metrics`)).text();
      return (line: RegExp) => Number(line.exec(text)?.[1] ?? 0);
    };
    const accepted = /^copy_gateway_copy_outcomes_total\{provider="DINGTALK",outcome="accepted"\} (\d+)/m;
    const pending = /^copy_gateway_copy_items_total\{provider="DINGTALK",status="PENDING"\} (\d+)/m;
    const before = await scrape();
    const ids = dingTalkFiles(emu, 33);
    const key = `metrics-${Date.now()}-${Math.random()}`;
    const answer = await copy(dingTalkInput(ids, { idempotencyKey: key }));
    // An idempotent replay is not counted again.
    const replay = await copy(dingTalkInput(ids, { idempotencyKey: key }));
    expect(replay.task!.id).toBe(answer.task!.id);
    await readUntil(rig.gw, answer.task!.id, headers);
    const finished = /^copy_gateway_jobs_finished_total\{provider="DINGTALK",state="SUCCEEDED"\} (\d+)/m;
    // A reader can see the job done just before its runner counts it finished.
    let value = await scrape();
    for (let n = 0; n < 100 && value(finished) < 1; n++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      value = await scrape();
    }
    expect(value(accepted) - before(accepted)).toBe(1);
    expect(value(pending) - before(pending)).toBe(33);
    expect(value(/^copy_gateway_job_chunks_total\{provider="DINGTALK"\} (\d+)/m)).toBeGreaterThanOrEqual(11);
    expect(value(finished)).toBeGreaterThanOrEqual(1);
    expect(value(/^copy_gateway_jobs\{state="queued"\} (\d+)/m)).toBeGreaterThanOrEqual(0);
    expect(value(/^copy_gateway_jobs\{state="running"\} (\d+)/m)).toBeGreaterThanOrEqual(0);
  });

  it.runIf(backend === 'redis')(
    'a caller token a job keeps in Redis is sealed (AES-256-GCM), and gone once the job finished',
    async () => {
      const emu = dingtalkOf(rig).dingtalk!;
      emu.faults.add({ kind: 'latency', ms: 100, pathIncludes: 'batchCopy' });
      const redis = new Redis(REDIS_URL);
      try {
        const answer = await copy(dingTalkInput(dingTalkFiles(emu, 31)));
        const reference = answer.task!.id.split('.')[0]!;
        const key = `${rig.env.JOBS_KEY_PREFIX}job:{${reference}}:tokens`;
        const sealed = await redis.get(key);
        const token = headers['x-acs-dingtalk-access-token']!;
        expect(sealed).toMatch(/^[A-Za-z0-9_-]{40,}$/);
        expect(sealed).not.toContain(token);
        expect(Buffer.from(sealed!, 'base64url').toString('latin1')).not.toContain(token);
        await readUntil(rig.gw, answer.task!.id, headers);
        // The runner deletes the tokens as it records the end, a moment after readers see the task done.
        let left = await redis.exists(key);
        for (const end = Date.now() + 5_000; left !== 0 && Date.now() < end; left = await redis.exists(key)) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(left).toBe(0);
      } finally {
        emu.faults.clear();
        redis.disconnect();
      }
    },
  );

  it.runIf(backend === 'redis')(
    'another replica on the same Redis answers for the job: copyTask, node and copyTaskUpdated',
    async () => {
      const b = await replica(rig, rig.env);
      extra.push(b);
      const emu = dingtalkOf(rig).dingtalk!;
      emu.faults.add({ kind: 'latency', ms: 30, pathIncludes: 'batchCopy' });
      try {
        const ids = dingTalkFiles(emu, 60);
        const answer = await copy(dingTalkInput(ids));
        const updates = await follow(b.url, answer.task!.id, headers);
        expect(updates.at(-1)).toMatchObject({ state: 'SUCCEEDED', done: true, summary: { succeeded: 60 } });
        const onB = await readTask(b, answer.task!.id, headers);
        expect(onB?.items.map((i) => i.source)).toEqual(ids);
        const copies = dingTalkCopies(emu);
        expect(ids.map((id) => copies.get(id))).toEqual(ids.map(() => 1));
      } finally {
        emu.faults.clear();
      }
    },
  );
});

describe.each<Backend>(['memory', 'redis'])(
  'background jobs whose answers were lost, on %s: looks at the targets keep the job running',
  (backend) => {
    let rig: Rig<JobUpstreams> & { env: Record<string, string> };
    let headers: Record<string, string>;
    const FIELDS = 'state done summary { total succeeded failed pending unknown }';
    const ITEMS = /* GraphQL */ `
      query Items($id: ID!) {
        copyTask(id: $id) {
          state
          done
          items {
            index
            status
            target
            result
            evidence
            checkedAt
          }
        }
      }
    `;
    type Update = { state: string; done: boolean; summary: Task['summary'] };
    type Looked = {
      status: string;
      target: string | null;
      result: string | null;
      evidence: string;
      checkedAt: string | null;
    };

    beforeAll(async () => {
      // A grace long enough that the job is read before the first look; a window of 2 s; SMH chunks
      // of 101 items (over 100, the emulator runs each chunk as a task).
      rig = await startJobRig(backend, {
        SMH_CHUNK_SIZE: '101',
        UNKNOWN_RESOLUTION: 'lookup',
        UNKNOWN_GRACE_MS: '300',
        UNKNOWN_WINDOW_SECONDS: '2',
      });
      headers = callerHeaders(rig);
    });

    /** Sends `input` as a job and follows it with copyTaskUpdated to its end; its updates and items then. */
    async function run(input: Record<string, Record<string, unknown>>) {
      const [provider, fields] = Object.entries(input)[0]!;
      const { body } = await rig.graphql<CopyAnswer, Record<string, unknown>>(COPY_DOCUMENT, {
        input: { [provider]: { ...fields, execution: 'BACKGROUND' } },
      });
      expect(body.errors).toBeUndefined();
      const id = body.data!.batchCopy.task!.id;
      const updates = (await follow(rig.gw.url, id, headers, FIELDS)) as unknown as Update[];
      const read = await rig.gw.graphql(ITEMS, { id }, headers);
      const task = (read.body.data as { copyTask: { state: string; done: boolean; items: Looked[] } })
        .copyTask;
      return { updates, task };
    }

    it('the UNKNOWN items are looked at while the job is RUNNING (SMH, DingTalk); the looks settle them in the job: SUCCEEDED, TARGET_LOOKUP, checkedAt', async () => {
      const smhEmu = smhOf(rig).smh!;
      const items = smhBatch(smhEmu, 5);
      smhEmu.faults.add({
        kind: 'status',
        status: 500,
        code: 'InternalServerError',
        pathIncludes: '/batch/',
        after: true,
        times: 1,
      });
      const onSmh = await run(smhInput(items));
      const dtEmu = dingtalkOf(rig).dingtalk!;
      const ids = dingTalkFiles(dtEmu, 1);
      dtEmu.faults.add({
        kind: 'status',
        status: 500,
        code: 'InternalServerError',
        pathIncludes: '/batchCopy',
        after: true,
        times: 1,
      });
      const onDingTalk = await run(dingTalkInput(ids));

      for (const { updates, task } of [onSmh, onDingTalk]) {
        // While an item is UNKNOWN the job is not done: it was seen RUNNING with it, never done with it.
        expect(updates.some((u) => u.summary.unknown > 0 && u.state === 'RUNNING' && !u.done)).toBe(true);
        expect(updates.filter((u) => u.done && u.summary.unknown > 0)).toEqual([]);
        expect(updates.at(-1)).toMatchObject({
          state: 'SUCCEEDED',
          done: true,
          summary: { unknown: 0, failed: 0 },
        });
        expect(task.state).toBe('SUCCEEDED');
        for (const item of task.items) {
          expect(item).toMatchObject({ status: 'SUCCEEDED', evidence: 'TARGET_LOOKUP' });
          expect(item.checkedAt).not.toBeNull();
        }
      }
      expect(onSmh.task.items.map((i) => i.result)).toEqual(items.map((i) => i.to));
      // Never sent again.
      for (const item of items) expect(smhEmu.stats.copiesTo('-', item.to)).toHaveLength(1);
      expect(dingTalkCopies(dtEmu).get(ids[0]!)).toBe(1);
    });

    it('items an upstream SMH task leaves UNKNOWN are looked at too: the job stays RUNNING until the looks end, with checkedAt', async () => {
      const emu = smhOf(rig).smh!;
      // Over 100 items the emulator runs the copy as a task; its item 7 answers a 500 (the copy never ran).
      const items = smhBatch(emu, 101);
      emu.itemFaults.add({ toIncludes: items[7]!.to, status: 500, code: 'InternalError' });
      try {
        const { updates, task } = await run(smhInput(items));
        expect(updates.some((u) => u.summary.unknown === 1 && u.state === 'RUNNING' && !u.done)).toBe(true);
        expect(updates.at(-1)).toMatchObject({
          state: 'PARTIALLY_FAILED',
          done: true,
          summary: { total: 101, succeeded: 100, failed: 0, pending: 0, unknown: 1 },
        });
        expect(task.items[7]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
        expect(task.items[7]?.checkedAt).not.toBeNull();
        expect(emu.stats.copiesTo('-', items[7]!.to)).toHaveLength(0);
      } finally {
        emu.itemFaults.clear();
      }
    });

    it("a job reads its chunks' open SMH tasks together: one task query names them all", async () => {
      const emu = smhOf(rig).smh!;
      const items = smhBatch(emu, 303); // 3 chunks, each an SMH task
      // Fires only for a task query naming several ids (a comma list in the path), adding no delay.
      emu.faults.add({ kind: 'latency', ms: 0, method: 'GET', pathIncludes: ',' });
      const before = emu.stats.faultsFired;
      const queries = emu.stats.requests['task.query'] ?? 0;
      try {
        const { updates } = await run(smhInput(items));
        expect(updates.at(-1)).toMatchObject({ state: 'SUCCEEDED', summary: { succeeded: 303 } });
        expect(emu.stats.tasksCreated).toBeGreaterThanOrEqual(3);
        expect((emu.stats.requests['task.query'] ?? 0) - queries).toBeGreaterThan(0);
        expect(emu.stats.faultsFired - before).toBeGreaterThan(0);
      } finally {
        emu.faults.clear();
      }
      for (const item of items) expect(emu.stats.copiesTo('-', item.to)).toHaveLength(1);
    });

    it('items still UNKNOWN when the window ends: the job finishes then, PARTIALLY_FAILED (not FAILED: none failed), with checkedAt', async () => {
      const emu = smhOf(rig).smh!;
      const items = smhBatch(emu, 1);
      // Refused before any work: the copy never ran, so no look can find it (lookup mode cannot prove that).
      emu.faults.add({
        kind: 'status',
        status: 500,
        code: 'InternalServerError',
        pathIncludes: '/batch/',
        times: 1,
      });
      const { updates, task } = await run(smhInput(items));
      expect(updates.some((u) => u.summary.unknown === 1 && u.state === 'RUNNING' && !u.done)).toBe(true);
      expect(updates.at(-1)).toMatchObject({
        state: 'PARTIALLY_FAILED',
        done: true,
        summary: { total: 1, succeeded: 0, failed: 0, pending: 0, unknown: 1 },
      });
      expect(task.items[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
      expect(task.items[0]?.checkedAt).not.toBeNull();
      expect(emu.stats.copiesTo('-', items[0]!.to)).toHaveLength(0);
    });
  },
);
