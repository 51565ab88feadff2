/**
 * A background job carries the id of the request that accepted it (a retry job: of the retry request),
 * on both job backends and both providers: every upstream call the job makes (chunks, reads of upstream
 * tasks, looks at the targets of UNKNOWN items) sends it as `x-request-id`, as the recording proxy in
 * front of each emulator sees on the wire, and every log line of the job carries it as `reqId`.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { DINGTALK_SEED } from '../../src/emulators/dingtalk/index.js';
import type { RecordedExchange } from '../helpers/recording-proxy.js';
import type { Rig } from '../helpers/rig.js';
import {
  COPY,
  TASK_FIELDS,
  callerHeaders,
  dingTalkFiles,
  dingTalkInput,
  dingtalkOf,
  readUntil,
  smhBatch,
  smhInput,
  smhOf,
  startJobRig,
  type CopyAnswer,
  type JobUpstreams,
  type Task,
} from './api-rig.js';
import type { Backend } from './rig.js';

const COPY_DOCUMENT = parse(COPY) as never;

/** The job's reference (the id without its tag), as the job's log lines name it. */
const referenceOf = (id: string) => id.split('.')[0] as string;

describe.each<Backend>(['memory', 'redis'])('the request id of a background job, on %s', (backend) => {
  let rig: Rig<JobUpstreams> & { env: Record<string, string> };
  let headers: Record<string, string>;

  beforeAll(async () => {
    rig = await startJobRig(backend, {
      // SMH answers a call of more than 100 items with a task of its own (the emulator's threshold).
      SMH_CHUNK_SIZE: '101',
      UNKNOWN_RESOLUTION: 'lookup',
      UNKNOWN_GRACE_MS: '50',
      UNKNOWN_WINDOW_SECONDS: '10',
    });
    headers = callerHeaders(rig);
  });

  /** Accepts `input` as a background job, sent with request id `requestId`; the job's task. */
  async function accept(input: unknown, requestId: string): Promise<Task> {
    const { body } = await rig.graphql<CopyAnswer, Record<string, unknown>>(
      COPY_DOCUMENT,
      { input },
      { 'x-request-id': requestId },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.batchCopy.__typename).toBe('CopyAccepted');
    return body.data!.batchCopy.task!;
  }

  /**
   * The job's log lines: each names the job, and carries `requestId` as `reqId`. A reader can see the
   * job done just before its runner logs that it finished: the lines are read until that one is there
   * (for at most 5 s).
   */
  async function expectJobLogs(taskId: string, requestId: string): Promise<void> {
    const read = () =>
      rig.gw.logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.job === referenceOf(taskId));
    let lines = read();
    for (let n = 0; n < 100 && !lines.some((line) => line.msg === 'copy job finished'); n++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      lines = read();
    }
    expect(lines.map((line) => line.msg)).toContain('copy job finished');
    expect(lines.filter((line) => line.reqId !== requestId)).toEqual([]);
  }

  /** The kinds of calls in `exchanges`, by `kind(path)`, each with the x-request-id values it was sent with. */
  function idsByKind(
    exchanges: readonly RecordedExchange[],
    kind: (path: string) => string | undefined,
  ): Record<string, string[]> {
    const out: Record<string, Set<string>> = {};
    for (const exchange of exchanges) {
      const name = kind(exchange.url.split('?')[0] as string);
      if (!name) continue;
      (out[name] ??= new Set()).add(String(exchange.headers['x-request-id']));
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
  }

  it('DingTalk: chunks, task reads and target looks send the id the caller sent; the job logs it', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const exchanges = rig.entries.get('DINGTALK')!.exchanges;
    const from = exchanges.length;
    // A folder runs as an upstream task (read until it ends); the first call's answer is lost (looked at).
    const ids = [...dingTalkFiles(emu, 5), DINGTALK_SEED.folderId];
    emu.faults.add({ kind: 'reset', pathIncludes: 'batchCopy', after: true, times: 1 });
    const requestId = `job-dingtalk-${randomUUID()}`;
    let task: Task;
    try {
      task = await accept(dingTalkInput(ids, { execution: 'BACKGROUND' }), requestId);
      const done = await readUntil(rig.gw, task.id, headers);
      expect(done.items.some((i) => i.evidence === 'TARGET_LOOKUP')).toBe(true);
    } finally {
      emu.faults.clear();
    }
    const calls = idsByKind(exchanges.slice(from), (path) =>
      path.endsWith('/batchCopy')
        ? 'copy'
        : path.includes('/tasks/')
          ? 'task'
          : path.includes('/dentries')
            ? 'look'
            : path,
    );
    expect(calls).toEqual({ copy: [requestId], task: [requestId], look: [requestId] });
    await expectJobLogs(task!.id, requestId);
  });

  it('SMH: chunks, task reads and target looks send the id the caller sent; the job logs it', async () => {
    const emu = smhOf(rig).smh!;
    const exchanges = rig.entries.get('SMH')!.exchanges;
    const kind = (path: string) =>
      path.includes('/api/v1/batch/') ? 'copy' : path.includes('/task/') ? 'task' : 'look';

    // 205 items: two calls of 101, each answered with an upstream task (read until it ends), one of 3.
    let from = exchanges.length;
    const tasks = `job-smh-tasks-${randomUUID()}`;
    const withTasks = await accept(smhInput(smhBatch(emu, 205), { execution: 'BACKGROUND' }), tasks);
    expect((await readUntil(rig.gw, withTasks.id, headers)).state).toBe('SUCCEEDED');
    expect(idsByKind(exchanges.slice(from), kind)).toEqual({ copy: [tasks], task: [tasks] });
    await expectJobLogs(withTasks.id, tasks);

    // The answer to the only call is lost: its items' targets are looked at.
    from = exchanges.length;
    emu.faults.add({ method: 'POST', pathIncludes: '/api/v1/batch/', times: 1, after: true, kind: 'reset' });
    const looks = `job-smh-looks-${randomUUID()}`;
    try {
      const lost = await accept(smhInput(smhBatch(emu, 4), { execution: 'BACKGROUND' }), looks);
      const done = await readUntil(rig.gw, lost.id, headers);
      expect(done.items.map((i) => i.evidence)).toEqual(Array(4).fill('TARGET_LOOKUP'));
      await expectJobLogs(lost.id, looks);
    } finally {
      emu.faults.clear();
    }
    expect(idsByKind(exchanges.slice(from), kind)).toEqual({ copy: [looks], look: [looks] });
  });

  it('a retry job sends the id of the retry request', async () => {
    const emu = dingtalkOf(rig).dingtalk!;
    const exchanges = rig.entries.get('DINGTALK')!.exchanges;
    const ids = dingTalkFiles(emu, 30);
    emu.faults.add({ kind: 'latency', ms: 100, pathIncludes: 'batchCopy' });
    let first: Task;
    try {
      first = await accept(dingTalkInput(ids, { execution: 'BACKGROUND' }), `job-first-${randomUUID()}`);
      const { body } = await rig.gw.graphql(
        `mutation($id: ID!) { cancelCopyTask(id: $id) { id } }`,
        { id: first.id },
        headers,
      );
      expect(body.errors).toBeUndefined();
      first = await readUntil(rig.gw, first.id, headers);
    } finally {
      emu.faults.clear();
    }
    const cancelled = first.items.filter((i) => i.error?.code === 'CANCELLED').map((i) => i.source);
    expect(cancelled.length).toBeGreaterThan(0);
    const from = exchanges.length;
    const requestId = `job-retry-${randomUUID()}`;
    const { body } = await rig.gw.graphql<{ retryCopyTask: CopyAnswer['batchCopy'] }>(
      `mutation($id: ID!) { retryCopyTask(id: $id) { __typename ... on CopyAccepted { task { ${TASK_FIELDS} } } } }`,
      { id: first.id },
      { ...headers, 'x-request-id': requestId },
    );
    expect(body.errors).toBeUndefined();
    const retry = body.data!.retryCopyTask.task!;
    const done = await readUntil(rig.gw, retry.id, headers);
    expect(done.state).toBe('SUCCEEDED');
    const sent = exchanges.slice(from).filter((e) => e.url.includes('/batchCopy'));
    expect(sent.length).toBe(Math.ceil(cancelled.length / 3));
    expect(new Set(sent.map((e) => e.headers['x-request-id']))).toEqual(new Set([requestId]));
    await expectJobLogs(retry.id, requestId);
  });
});
