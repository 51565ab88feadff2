/**
 * The DingTalk half of the gateway over real HTTP: GraphQL client → gateway (in-process, random port)
 * → DingTalk emulator on 127.0.0.1. Nothing of our own HTTP stack is mocked; the emulator's counters
 * and tree are the evidence of what reached the upstream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTaskId } from '../helpers/task-ids.js';
import {
  ManualClock,
  type FiredFault,
  DINGTALK_SEED as SEED,
  dingTalkFaults,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const TASK_MS = 3000;
const TOKEN_HEADER = 'x-acs-dingtalk-access-token';

// ---------------------------------------------------------------------------------------------------
// GraphQL documents and their answer types

// Selections are spliced in as text rather than as fragments: the gateway's depth limit counts
// fragment spreads as levels, and a client this thorough should still fit under it.
const ERR = 'code message retryable upstream { provider httpStatus code requestId }';
const ITEM = `index status source target result renamed error { ${ERR} }`;
const SUMMARY = 'total succeeded failed pending unknown';
const TASK = `id provider state done upstreamTaskIds checkedAt items { ${ITEM} } summary { ${SUMMARY} }`;

const COPY = /* GraphQL */ `
  mutation Copy($input: DingTalkBatchCopyInput!) {
    batchCopy(input: { dingtalk: $input }) {
      __typename
      ... on CopyOutcome { provider items { ${ITEM} } summary { ${SUMMARY} } }
      ... on CopyAccepted { task { ${TASK} } }
      ... on CopyRejected { error { ${ERR} } }
    }
  }
`;

const TASKS = /* GraphQL */ `
  query Tasks($a: ID!, $b: ID!) {
    a: copyTask(id: $a) { ${TASK} }
    b: copyTask(id: $b) { ${TASK} }
  }
`;

interface ErrorOut {
  code: string;
  message: string;
  retryable: boolean;
  upstream: {
    provider: string;
    httpStatus: number | null;
    code: string | null;
    requestId: string | null;
  } | null;
}
interface ItemOut {
  index: number;
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'UNKNOWN';
  source: string;
  target: string | null;
  result: string | null;
  renamed: boolean;
  error: ErrorOut | null;
}
interface SummaryOut {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  unknown: number;
}
interface TaskOut {
  id: string;
  provider: string;
  state: 'RUNNING' | 'SUCCEEDED' | 'PARTIALLY_FAILED' | 'FAILED';
  done: boolean;
  upstreamTaskIds: string[];
  checkedAt: string;
  items: ItemOut[];
  summary: SummaryOut;
}
interface OutcomeOut {
  __typename: 'CopySucceeded' | 'CopyPartiallyFailed' | 'CopyAccepted' | 'CopyRejected';
  provider: string;
  items: ItemOut[];
  summary: SummaryOut;
  task?: TaskOut;
  error?: ErrorOut;
}
interface GraphQLErrorOut {
  message: string;
  extensions?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------
// Rig: one emulator and one gateway per test, closed (and checked for leaked secrets) after it

interface Rig {
  emu: DingTalkEmulator;
  clock: ManualClock;
  gw: TestGateway;
  /** The caller's token in pass-through mode; undefined in managed mode. */
  token?: string;
  /** Strings that must never show up in a log line or a response body. */
  secrets: Set<string>;
  /** Every response body the gateway sent in this test. */
  responses: string[];
  copy(
    input: Partial<CopyInput> & { dentryIds: string[] },
    headers?: Record<string, string>,
  ): Promise<{ outcome?: OutcomeOut; errors?: GraphQLErrorOut[]; status: number }>;
  tasks(
    a: string,
    b?: string,
  ): Promise<{ a?: TaskOut | null; b?: TaskOut | null; errors?: GraphQLErrorOut[] }>;
  /** batchCopy requests that reached the emulator (faulted ones included). */
  copyCalls(): number;
  taskCalls(): number;
}

interface CopyInput {
  spaceId: string;
  unionId: string;
  targetSpaceId: string;
  targetFolderId: string;
  dentryIds: string[];
  conflictStrategy?: 'FAIL' | 'RENAME' | 'OVERWRITE' | 'KEEP_EXISTING';
}

const open: Rig[] = [];

async function rig(
  env: Record<string, string> = {},
  mode: 'pass-through' | 'managed' = 'pass-through',
): Promise<Rig> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 8, 0, 0));
  const emu = await startDingTalkEmulator({ seed: true, clock, taskDurationMs: TASK_MS });
  const managed: Record<string, string> =
    mode === 'managed' ? { DINGTALK_APP_KEY: SEED.appKey, DINGTALK_APP_SECRET: SEED.appSecret } : {};
  const gw = await startGateway({
    DINGTALK_BASE_URL: emu.url,
    UNKNOWN_RESOLUTION: 'off',
    ...managed,
    ...env,
  });
  const token = mode === 'pass-through' ? emu.issueToken() : undefined;
  const secrets = new Set<string>([SEED.appSecret]);
  if (token) secrets.add(token);
  const responses: string[] = [];
  const auth = (): Record<string, string> => (token ? { [TOKEN_HEADER]: token } : {});
  const r: Rig = {
    emu,
    clock,
    gw,
    token,
    secrets,
    responses,
    async copy(input, headers) {
      const variables = {
        input: {
          spaceId: SEED.sourceSpaceId,
          unionId: SEED.unionId,
          targetSpaceId: SEED.targetSpaceId,
          targetFolderId: '0',
          ...input,
        },
      };
      const res = await gw.graphql<{ batchCopy: OutcomeOut }>(COPY, variables, headers ?? auth());
      responses.push(res.text);
      return {
        outcome: res.body.data?.batchCopy ?? undefined,
        errors: res.body.errors,
        status: res.status,
      };
    },
    async tasks(a, b = a) {
      const res = await gw.graphql<{ a: TaskOut | null; b: TaskOut | null }>(TASKS, { a, b }, auth());
      responses.push(res.text);
      return { a: res.body.data?.a, b: res.body.data?.b, errors: res.body.errors };
    },
    copyCalls: () => emu.stats.requestsByRoute.batchCopy ?? 0,
    taskCalls: () => emu.stats.requestsByRoute.getTask ?? 0,
  };
  open.push(r);
  return r;
}

afterEach(async () => {
  for (const r of open.splice(0)) {
    // Tokens the gateway actually used upstream (managed mode fetched its own).
    for (const recorded of Object.values(r.emu.stats.lastRequests)) {
      const used = recorded?.headers[TOKEN_HEADER];
      if (used && used.length >= 16) r.secrets.add(used);
    }
    const leaks = [...r.gw.logs, ...r.responses].flatMap((text) =>
      [...r.secrets].filter((secret) => text.includes(secret)).map((secret) => `${secret} in ${text}`),
    );
    await r.gw.close();
    await r.emu.close();
    expect(leaks).toEqual([]);
  }
});

/** The outcome, failing the test with the GraphQL errors when there is none. */
function must(answer: { outcome?: OutcomeOut; errors?: GraphQLErrorOut[] }): OutcomeOut {
  if (!answer.outcome) throw new Error(`no outcome: ${JSON.stringify(answer.errors)}`);
  return answer.outcome;
}

/**
 * Answers the n-th batchCopy request (1-based) that reaches the emulator with a fault, whatever else
 * is configured. Lets a test fault one chunk in the middle of a request, which path rules cannot.
 */
function faultCopyCalls(emu: DingTalkEmulator, plan: Record<number, FiredFault>): void {
  let seen = 0;
  const pick = emu.faults.pick.bind(emu.faults);
  emu.faults.pick = (method, path) => {
    if (method === 'POST' && path.endsWith('/batchCopy')) {
      seen += 1;
      const planned = plan[seen];
      if (planned) return planned;
    }
    return pick(method, path);
  };
}

/** Names of what sits in a target folder now. */
function names(emu: DingTalkEmulator, folderId = '0'): string[] {
  return emu.state
    .children(SEED.targetSpaceId, folderId)
    .map((d) => d.name)
    .sort();
}

/** dentryIds of every batchCopy the emulator carried out, in arrival order. */
function executedChunks(emu: DingTalkEmulator): string[][] {
  return emu.stats.copyRequests.map((c) => c.dentryIds);
}

const SOURCE_NAME: Record<string, string> = {
  'd-file-1': 'report.pdf',
  'd-file-2': 'notes.txt',
  'd-file-3': 'photo.png',
  'd-file-4': 'plan.docx',
  'd-file-5': 'old.txt',
  'd-folder-1': 'projects',
  'd-folder-2': 'empty',
  'd-folder-3': 'archive',
};

// ---------------------------------------------------------------------------------------------------

describe('chunking and ordering', () => {
  it('sends 7 ids as 3 upstream calls of at most 3 and answers in request order', async () => {
    const r = await rig({}, 'managed');
    // The first chunk to arrive answers last, so completion order differs from request order.
    r.emu.faults.add({ ...dingTalkFaults.latency(150), pathIncludes: '/batchCopy', times: 1 });
    const ids = ['d-file-3', 'd-file-1', 'd-missing', 'd-file-5', 'd-folder-2', 'd-file-2', 'd-file-4'];
    const outcome = must(await r.copy({ dentryIds: ids }));

    expect(r.copyCalls()).toBe(3);
    expect(executedChunks(r.emu).sort()).toEqual(
      [['d-file-3', 'd-file-1', 'd-missing'], ['d-file-5', 'd-folder-2', 'd-file-2'], ['d-file-4']].sort(),
    );
    // Three chunks in flight, one token fetch.
    expect(r.emu.stats.tokenRequests).toBe(1);

    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.provider).toBe('DINGTALK');
    expect(outcome.items.map((i) => [i.index, i.source, i.status])).toEqual(
      ids.map((id, i) => [i, id, id === 'd-missing' ? 'FAILED' : 'SUCCEEDED']),
    );
    expect(outcome.summary).toEqual({ total: 7, succeeded: 6, failed: 1, pending: 0, unknown: 0 });
    for (const item of outcome.items) expect(item.target).toBe('0');
    const missing = outcome.items[2] as ItemOut;
    expect(missing.error).toMatchObject({
      code: 'NOT_FOUND',
      retryable: false,
      upstream: { provider: 'DINGTALK', code: 'dentryNotExist' },
    });
    expect(missing.result).toBeNull();

    // Each result is the id of the copy of exactly that source.
    for (const item of outcome.items.filter((i) => i.status === 'SUCCEEDED')) {
      const copy = r.emu.state.getDentry(item.result ?? '');
      expect(copy?.spaceId).toBe(SEED.targetSpaceId);
      expect(copy?.name).toBe(SOURCE_NAME[item.source]);
    }
    expect(names(r.emu)).toEqual(
      ['empty', 'notes.txt', 'old.txt', 'photo.png', 'plan.docx', 'report.pdf', 'target'].sort(),
    );
  });

  it('honours DINGTALK_CHUNK_SIZE and DINGTALK_CONCURRENCY', async () => {
    const r = await rig({ DINGTALK_CHUNK_SIZE: '2', DINGTALK_CONCURRENCY: '1' });
    const ids = ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4', 'd-file-5'];
    const outcome = must(await r.copy({ dentryIds: ids }));
    expect(outcome.__typename).toBe('CopySucceeded');
    // Concurrency 1: the chunks arrive one after the other, in order.
    expect(executedChunks(r.emu)).toEqual([['d-file-1', 'd-file-2'], ['d-file-3', 'd-file-4'], ['d-file-5']]);
    expect(outcome.items.map((i) => i.source)).toEqual(ids);
  });
});

describe('conflict strategies (d-file-1 report.pdf onto f-target, which holds report.pdf = d-dst-1)', () => {
  const onto = (conflictStrategy: CopyInput['conflictStrategy']) => ({
    targetFolderId: SEED.targetFolderId,
    dentryIds: [SEED.conflictingFileId, 'd-file-2'],
    ...(conflictStrategy ? { conflictStrategy } : {}),
  });

  it('FAIL (also the default): the item fails with CONFLICT and nothing is overwritten', async () => {
    for (const strategy of ['FAIL', undefined] as const) {
      const r = await rig();
      const outcome = must(await r.copy(onto(strategy)));
      expect(r.emu.stats.lastRequests.batchCopy?.rawBody).toContain('"RETURN_ERROR_IF_EXISTS"');
      expect(outcome.__typename).toBe('CopyPartiallyFailed');
      const [conflict, other] = outcome.items as [ItemOut, ItemOut];
      expect(conflict).toMatchObject({
        index: 0,
        status: 'FAILED',
        result: null,
        target: SEED.targetFolderId,
      });
      expect(conflict.error).toMatchObject({
        code: 'CONFLICT',
        retryable: false,
        upstream: { provider: 'DINGTALK', code: 'dentryAlreadyExist' },
      });
      expect(other.status).toBe('SUCCEEDED');
      expect(names(r.emu, SEED.targetFolderId)).toEqual(['notes.txt', 'report.pdf']);
      expect(r.emu.state.getDentry(SEED.existingTargetFileId)?.version).toBe(1);
    }
  });

  it('RENAME: a new dentry under a different, unique name', async () => {
    const r = await rig();
    const outcome = must(await r.copy(onto('RENAME')));
    expect(r.emu.stats.lastRequests.batchCopy?.rawBody).toContain('"AUTO_RENAME"');
    expect(outcome.__typename).toBe('CopySucceeded');
    const renamed = outcome.items[0] as ItemOut;
    expect(renamed.result).toBeTruthy();
    expect(renamed.result).not.toBe(SEED.existingTargetFileId);
    const copy = r.emu.state.getDentry(renamed.result ?? '');
    expect(copy?.parentId).toBe(SEED.targetFolderId);
    expect(copy?.name).not.toBe('report.pdf');
    const inFolder = names(r.emu, SEED.targetFolderId);
    expect(new Set(inFolder).size).toBe(inFolder.length);
    expect(inFolder).toHaveLength(3);
    expect(r.emu.state.getDentry(SEED.existingTargetFileId)?.name).toBe('report.pdf');
  });

  it('OVERWRITE: the existing file is replaced (emulator reading: same dentry, new version)', async () => {
    const r = await rig();
    const outcome = must(await r.copy(onto('OVERWRITE')));
    expect(r.emu.stats.lastRequests.batchCopy?.rawBody).toContain('"OVERWRITE"');
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(outcome.items[0]?.result).toBe(SEED.existingTargetFileId);
    expect(r.emu.state.getDentry(SEED.existingTargetFileId)?.version).toBe(2);
    expect(names(r.emu, SEED.targetFolderId)).toEqual(['notes.txt', 'report.pdf']);
    expect(r.emu.stats.executedCopies).toBe(2);
  });

  it('KEEP_EXISTING: the result is the existing dentry and nothing is copied', async () => {
    const r = await rig();
    const outcome = must(await r.copy({ ...onto('KEEP_EXISTING'), dentryIds: [SEED.conflictingFileId] }));
    expect(r.emu.stats.lastRequests.batchCopy?.rawBody).toContain('"RETURN_DENTRY_IF_EXISTS"');
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(outcome.items).toEqual([
      {
        index: 0,
        status: 'SUCCEEDED',
        source: SEED.conflictingFileId,
        target: SEED.targetFolderId,
        result: SEED.existingTargetFileId,
        renamed: false,
        error: null,
      },
    ]);
    expect(r.emu.stats.executedCopies).toBe(0);
    expect(names(r.emu, SEED.targetFolderId)).toEqual(['report.pdf']);
    expect(r.emu.state.getDentry(SEED.existingTargetFileId)?.version).toBe(1);
  });
});

describe('asynchronous copies and copyTask', () => {
  it('a mixed sync/async/failed answer is CopyAccepted with a RUNNING task for the async item', async () => {
    const r = await rig();
    const outcome = must(await r.copy({ dentryIds: ['d-file-2', SEED.folderId, 'd-missing'] }));
    expect(outcome.__typename).toBe('CopyAccepted');
    expect(outcome.items.map((i) => i.status)).toEqual(['SUCCEEDED', 'PENDING', 'FAILED']);
    expect(outcome.summary).toEqual({ total: 3, succeeded: 1, failed: 1, pending: 1, unknown: 0 });
    const pending = outcome.items[1] as ItemOut;
    // The copied root exists already (DingTalk returns targetDentryId for async items).
    expect(r.emu.state.getDentry(pending.result ?? '')?.name).toBe('projects');
    const task = outcome.task as TaskOut;
    expect(task).toMatchObject({ provider: 'DINGTALK', state: 'RUNNING', done: false });
    expect(task.id).toMatch(/^ct2_/);
    expect(task.upstreamTaskIds).toEqual([r.emu.stats.copyRequests[0]?.resultItems[1]?.taskId]);
    expect(task.items.map((i) => [i.index, i.source, i.status, i.result])).toEqual([
      [1, SEED.folderId, 'PENDING', pending.result],
    ]);
  });

  it('copyTask follows the task from RUNNING to SUCCEEDED as the emulator clock moves', async () => {
    const r = await rig();
    const outcome = must(await r.copy({ dentryIds: [SEED.folderId] }));
    const id = outcome.task?.id ?? '';
    const root = outcome.items[0]?.result;

    const running = (await r.tasks(id)).a as TaskOut;
    expect(running).toMatchObject({ id, state: 'RUNNING', done: false, upstreamTaskIds: ['task-1'] });
    expect(running.items.map((i) => i.status)).toEqual(['PENDING']);
    // summary counts the request's items (one folder), never DingTalk's sub-entries (three below it).
    expect(running.summary).toEqual({ total: 1, succeeded: 0, failed: 0, pending: 1, unknown: 0 });
    expect(outcome.summary.total).toBe(running.summary.total);

    r.clock.advance(TASK_MS);
    const done = (await r.tasks(id)).a as TaskOut;
    expect(done).toMatchObject({ id, state: 'SUCCEEDED', done: true });
    expect(done.items).toHaveLength(1);
    expect(done.items[0]).toMatchObject({
      index: 0,
      status: 'SUCCEEDED',
      source: SEED.folderId,
      result: root,
      renamed: false,
      error: null,
    });
    expect(done.summary).toEqual({ total: 1, succeeded: 1, failed: 0, pending: 0, unknown: 0 });
    expect(Number.isNaN(Date.parse(done.checkedAt))).toBe(false);
    // The whole tree was copied under the root the batch answer named.
    const tree = r.emu.state.tree(SEED.targetSpaceId, root ?? '');
    expect(tree.map((n) => n.name).sort()).toEqual(['archive', 'plan.docx']);
  });

  it('a folder copy whose entries partly fail is FAILED PARTIALLY_COPIED with its result, task PARTIALLY_FAILED', async () => {
    const r = await rig();
    r.emu.state.failOnCopy('d-file-5', 'permissionDenied');
    const accepted = must(await r.copy({ dentryIds: [SEED.folderId], conflictStrategy: 'RENAME' }));
    const root = accepted.items[0]?.result;
    r.clock.advance(TASK_MS);
    const task = (await r.tasks(accepted.task?.id ?? '')).a as TaskOut;
    expect(task).toMatchObject({ state: 'PARTIALLY_FAILED', done: true });
    expect(task.summary).toEqual({ total: 1, succeeded: 0, failed: 1, pending: 0, unknown: 0 });
    expect(task.items[0]).toMatchObject({ status: 'FAILED', result: root });
    expect(task.items[0]?.error).toMatchObject({
      code: 'PARTIALLY_COPIED',
      retryable: false,
      upstream: { provider: 'DINGTALK', code: 'permissionDenied' },
    });
    expect(task.items[0]?.error?.message).toContain('2 of 3 entries copied');
    // What ran stays: the root and the two entries that were copied.
    expect(
      r.emu.state
        .tree(SEED.targetSpaceId, root ?? '')
        .map((n) => n.name)
        .sort(),
    ).toEqual(['archive', 'plan.docx']);
  });

  it('a folder copy whose entries all fail still left its root: PARTIALLY_COPIED, never "not run"', async () => {
    const r = await rig();
    r.emu.state.failOnCopy('d-file-4');
    r.emu.state.failOnCopy('d-folder-3');
    const accepted = must(await r.copy({ dentryIds: [SEED.folderId] }));
    const root = accepted.items[0]?.result;
    r.clock.advance(TASK_MS);
    const task = (await r.tasks(accepted.task?.id ?? '')).a as TaskOut;
    expect(task).toMatchObject({ state: 'PARTIALLY_FAILED', done: true });
    expect(task.summary).toEqual({ total: 1, succeeded: 0, failed: 1, pending: 0, unknown: 0 });
    expect(task.items[0]).toMatchObject({ status: 'FAILED', result: root });
    expect(task.items[0]?.error).toMatchObject({
      code: 'PARTIALLY_COPIED',
      retryable: false,
      upstream: { code: 'systemError' },
    });
    expect(r.emu.state.tree(SEED.targetSpaceId, root ?? '')).toEqual([]);
  });

  it('several async items share one CopyTask; copyTask makes one GET per distinct upstream task', async () => {
    const r = await rig({}, 'managed');
    // A third non-empty folder: the same id twice would be refused as a duplicate.
    r.emu.state.createFolder(SEED.sourceSpaceId, 'more', { id: 'd-folder-more' });
    r.emu.state.createFile(SEED.sourceSpaceId, 'more.txt', { id: 'd-file-more', parentId: 'd-folder-more' });
    const outcome = must(
      await r.copy({
        dentryIds: [SEED.folderId, 'd-file-2', 'd-folder-3', 'd-file-3', 'd-folder-more'],
        conflictStrategy: 'RENAME',
      }),
    );
    expect(outcome.__typename).toBe('CopyAccepted');
    expect(outcome.items.map((i) => i.status)).toEqual([
      'PENDING',
      'SUCCEEDED',
      'PENDING',
      'SUCCEEDED',
      'PENDING',
    ]);
    const upstream = r.emu.stats.copyRequests.flatMap((c) => c.resultItems.flatMap((i) => i.taskId ?? []));
    expect(upstream).toHaveLength(3);
    const task = outcome.task as TaskOut;
    expect([...task.upstreamTaskIds].sort()).toEqual([...new Set(upstream)].sort());
    expect(task.items.map((i) => i.index)).toEqual([0, 2, 4]);

    // The same task twice in one query (aliases): still one GET per upstream task.
    const before = r.taskCalls();
    const { a, b, errors } = await r.tasks(task.id, task.id);
    expect(errors).toBeUndefined();
    expect(r.taskCalls() - before).toBe(3);
    expect(a).toEqual(b);
    expect(a?.state).toBe('RUNNING');
    // The task's three items (0, 2, 4), not the entries below the folders.
    expect(a?.summary).toEqual({ total: 3, succeeded: 0, failed: 0, pending: 3, unknown: 0 });

    r.clock.advance(TASK_MS);
    const done = (await r.tasks(task.id)).a as TaskOut;
    expect(r.taskCalls() - before).toBe(6);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.items.map((i) => i.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  it('items that name the same upstream task cost one GET (no assumption that tasks are distinct)', async () => {
    const r = await rig();
    const upstreamTask = must(await r.copy({ dentryIds: [SEED.folderId] })).task?.upstreamTaskIds[0] ?? '';
    const shared = encodeTaskId({
      provider: 'DINGTALK',
      unionId: SEED.unionId,
      parts: [
        { taskId: upstreamTask, index: 0, source: 'a' },
        { taskId: upstreamTask, index: 1, source: 'b' },
      ],
    });
    const before = r.taskCalls();
    const task = (await r.tasks(shared)).a as TaskOut;
    expect(r.taskCalls() - before).toBe(1);
    expect(task.upstreamTaskIds).toEqual([upstreamTask]);
    expect(task.items.map((i) => [i.index, i.source, i.status])).toEqual([
      [0, 'a', 'PENDING'],
      [1, 'b', 'PENDING'],
    ]);
    expect(task.summary.total).toBe(2);
  });

  it('an upstream task DingTalk does not know is null; a malformed id is BAD_USER_INPUT', async () => {
    const r = await rig();
    const unknown = encodeTaskId({
      provider: 'DINGTALK',
      unionId: SEED.unionId,
      parts: [{ taskId: 'task-404', index: 0, source: 'x' }],
    });
    const gone = await r.tasks(unknown);
    expect(gone.errors).toBeUndefined();
    expect(gone.a).toBeNull();
    expect(r.taskCalls()).toBe(1);

    for (const bad of ['not-a-task', 'ct1_%%%', `ct1_${Buffer.from('{}').toString('base64url')}`]) {
      const answer = await r.tasks(bad);
      expect(answer.a).toBeNull();
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    }
    expect(r.taskCalls()).toBe(1);
  });
});

describe('throttling', () => {
  it.each([
    ['operationConcurrentControl (400)', dingTalkFaults.concurrentControl()],
    ['QPS limit (403)', dingTalkFaults.qpsLimit()],
    ['global QPS limit (403)', dingTalkFaults.qpsLimitGlobal()],
    ['an HTML throttle page (403)', dingTalkFaults.html(403)],
    ['an HTML throttle page (429)', dingTalkFaults.html(429)],
  ])('%s once: retried, then succeeds with 2 upstream calls', async (_name, fault) => {
    const r = await rig();
    r.emu.faults.add({ ...fault, pathIncludes: '/batchCopy', times: 1 });
    const outcome = must(await r.copy({ dentryIds: ['d-file-2', 'd-file-3'] }));
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(r.copyCalls()).toBe(2);
    expect(executedChunks(r.emu)).toEqual([['d-file-2', 'd-file-3']]);
    expect(names(r.emu)).toEqual(['notes.txt', 'photo.png', 'target']);
  });

  it('exhausted retries leave that chunk FAILED with THROTTLED (retryable); other chunks keep their results', async () => {
    const r = await rig({ DINGTALK_THROTTLE_RETRIES: '2', DINGTALK_CONCURRENCY: '1' });
    // Every attempt of the first chunk (1 + 2 retries) is refused.
    r.emu.faults.add({ ...dingTalkFaults.concurrentControl(), pathIncludes: '/batchCopy', times: 3 });
    const outcome = must(await r.copy({ dentryIds: ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4'] }));
    expect(r.copyCalls()).toBe(4);
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items.map((i) => i.status)).toEqual(['FAILED', 'FAILED', 'FAILED', 'SUCCEEDED']);
    for (const item of outcome.items.slice(0, 3)) {
      expect(item.error).toMatchObject({
        code: 'THROTTLED',
        retryable: true,
        upstream: { provider: 'DINGTALK', httpStatus: 400, code: 'operationConcurrentControl' },
      });
      expect(item.error?.upstream?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    }
    expect(executedChunks(r.emu)).toEqual([['d-file-4']]);
  });

  it('a request throttled in every chunk is CopyRejected with THROTTLED, retryable', async () => {
    const r = await rig({ DINGTALK_THROTTLE_RETRIES: '1' });
    r.emu.faults.add({ ...dingTalkFaults.qpsLimit(), pathIncludes: '/batchCopy' });
    const outcome = must(await r.copy({ dentryIds: ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4'] }));
    expect(r.copyCalls()).toBe(4);
    expect(outcome.__typename).toBe('CopyRejected');
    expect(outcome.error).toMatchObject({
      code: 'THROTTLED',
      retryable: true,
      upstream: { httpStatus: 403, code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' },
    });
    expect(outcome.items.map((i) => i.status)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
    expect(outcome.items.every((i) => i.error?.code === 'THROTTLED' && i.error.retryable)).toBe(true);
    expect(r.emu.stats.executedCopies).toBe(0);
  });

  it('waits for Retry-After before retrying', async () => {
    const r = await rig();
    r.emu.faults.add({ ...dingTalkFaults.qpsLimit(1), pathIncludes: '/batchCopy', times: 1 });
    const started = performance.now();
    const outcome = must(await r.copy({ dentryIds: ['d-file-2'] }));
    const elapsed = performance.now() - started;
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(r.copyCalls()).toBe(2);
    // Without Retry-After the first backoff is at most 100 ms; with it, about a second.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
  });
});

describe('failures whose outcome is unknown are never re-sent', () => {
  const ids = ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4', 'd-file-5', 'd-folder-2'];
  const allNames = ['empty', 'notes.txt', 'old.txt', 'photo.png', 'plan.docx', 'report.pdf', 'target'];

  it.each([
    ['500 systemError', dingTalkFaults.systemError(), 'UPSTREAM_ERROR', 500, 'systemError'],
    ['500 unknownError', dingTalkFaults.unknownError(), 'UPSTREAM_ERROR', 500, 'unknownError'],
    ['503 operationTimeout', dingTalkFaults.operationTimeout(), 'UPSTREAM_TIMEOUT', 503, 'operationTimeout'],
    ['a 503 HTML page', dingTalkFaults.html(503), 'UPSTREAM_PROTOCOL_ERROR', 503, null],
  ])(
    '%s after the work ran: that chunk UNKNOWN, not re-sent, the others intact',
    async (_name, fault, code, httpStatus, upstreamCode) => {
      const r = await rig();
      // The second chunk to arrive does the work, then its answer is replaced by the fault.
      faultCopyCalls(r.emu, { 2: { fault, after: true } });
      const outcome = must(await r.copy({ dentryIds: ids }));

      expect(r.copyCalls()).toBe(2);
      expect(outcome.__typename).toBe('CopyPartiallyFailed');
      // Whichever chunk drew the fault: its items are UNKNOWN, the other chunk's SUCCEEDED.
      const faulted = r.emu.stats.copyRequests[1]?.dentryIds ?? [];
      expect(faulted).toHaveLength(3);
      for (const item of outcome.items) {
        expect(item.source).toBe(ids[item.index]);
        if (faulted.includes(item.source)) {
          expect(item.status).toBe('UNKNOWN');
          expect(item.result).toBeNull();
          expect(item.error).toMatchObject({
            code,
            retryable: false,
            upstream: { provider: 'DINGTALK', httpStatus, code: upstreamCode },
          });
          expect(item.error?.message).toMatch(/may or may not have happened/);
        } else {
          expect(item.status).toBe('SUCCEEDED');
          expect(r.emu.state.getDentry(item.result ?? '')?.name).toBe(SOURCE_NAME[item.source]);
        }
      }
      expect(outcome.summary).toMatchObject({ succeeded: 3, unknown: 3, failed: 0 });
      // The emulator really did all six copies, each exactly once.
      expect(r.emu.stats.executedCopies).toBe(6);
      expect(executedChunks(r.emu).flat().sort()).toEqual([...ids].sort());
      expect(names(r.emu)).toEqual(allNames);
    },
  );

  it('a timeout (answer later than UPSTREAM_TIMEOUT_MS) is UNKNOWN/UPSTREAM_TIMEOUT and not re-sent', async () => {
    // undici checks header timeouts on a coarse clock (about a second), so the late answer must be
    // later than the timeout by more than that to be sure the timeout wins.
    const r = await rig({ UPSTREAM_TIMEOUT_MS: '100', DINGTALK_CONCURRENCY: '1' });
    faultCopyCalls(r.emu, { 1: { fault: dingTalkFaults.latency(2500), after: true } });
    const started = performance.now();
    const outcome = must(await r.copy({ dentryIds: ids }));
    // The gateway gave up long before the answer came.
    expect(performance.now() - started).toBeLessThan(2300);
    expect(r.copyCalls()).toBe(2);
    expect(outcome.__typename).toBe('CopyPartiallyFailed');
    expect(outcome.items.map((i) => i.status)).toEqual([
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    expect(outcome.items[0]?.error).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      retryable: false,
      upstream: { provider: 'DINGTALK', httpStatus: null },
    });
    expect(r.emu.stats.executedCopies).toBe(6);
    expect(names(r.emu)).toEqual(allNames);
  });

  it('a lost answer next to an async item is CopyAccepted, with UNKNOWN and PENDING items', async () => {
    const r = await rig({ DINGTALK_CONCURRENCY: '1' });
    faultCopyCalls(r.emu, { 1: { fault: dingTalkFaults.operationTimeout(), after: true } });
    const outcome = must(await r.copy({ dentryIds: ['d-file-2', 'd-file-3', 'd-file-1', SEED.folderId] }));
    expect(r.copyCalls()).toBe(2);
    expect(outcome.__typename).toBe('CopyAccepted');
    expect(outcome.items.map((i) => i.status)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'PENDING']);
    expect(outcome.items[0]?.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', retryable: false });
    expect(outcome.summary).toEqual({ total: 4, succeeded: 0, failed: 0, pending: 1, unknown: 3 });
    expect(outcome.task?.items.map((i) => [i.index, i.source])).toEqual([[3, SEED.folderId]]);
    expect(r.emu.stats.executedCopies).toBe(4);
  });

  it('a connection reset after the work ran is UNKNOWN and not re-sent', async () => {
    const r = await rig({ DINGTALK_CONCURRENCY: '1' });
    faultCopyCalls(r.emu, { 1: { fault: dingTalkFaults.reset(), after: true } });
    const outcome = must(await r.copy({ dentryIds: ids }));
    expect(r.copyCalls()).toBe(2);
    expect(outcome.items.map((i) => i.status)).toEqual([
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    expect(outcome.items[0]?.error?.retryable).toBe(false);
    expect(r.emu.stats.executedCopies).toBe(6);
  });
});

describe('request-level refusals', () => {
  it('a missing source space is CopyRejected with the upstream status, code and lowercase requestid', async () => {
    const r = await rig();
    const outcome = must(await r.copy({ spaceId: 'no-such-space', dentryIds: ['d-file-1', 'd-file-2'] }));
    expect(outcome.__typename).toBe('CopyRejected');
    const requestId = r.emu.stats.lastRequests.batchCopy?.requestId;
    expect(outcome.error).toMatchObject({
      code: 'NOT_FOUND',
      retryable: false,
      upstream: { provider: 'DINGTALK', httpStatus: 404, code: 'spaceNotExist', requestId },
    });
    expect(outcome.items.map((i) => [i.source, i.status, i.error?.code])).toEqual([
      ['d-file-1', 'FAILED', 'NOT_FOUND'],
      ['d-file-2', 'FAILED', 'NOT_FOUND'],
    ]);
    expect(outcome.summary).toEqual({ total: 2, succeeded: 0, failed: 2, pending: 0, unknown: 0 });
  });

  it('a paramError (chunk larger than the upstream allows) is CopyRejected with INVALID_ARGUMENT', async () => {
    const r = await rig({ DINGTALK_CHUNK_SIZE: '4' });
    const outcome = must(await r.copy({ dentryIds: ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4'] }));
    expect(r.copyCalls()).toBe(1);
    expect(outcome.__typename).toBe('CopyRejected');
    expect(outcome.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      retryable: false,
      upstream: { httpStatus: 400, code: 'paramError.dentryIds' },
    });
    expect(outcome.error?.message).toContain('dentryIds size exceed 3');
  });

  it('reads the request id from the lowercase requestid body field before the header', async () => {
    const r = await rig();
    r.emu.faults.add({
      kind: 'status',
      status: 400,
      code: 'paramError.targetFolderId',
      message: 'bad folder',
      headers: { 'x-acs-request-id': 'FROM-HEADER' },
      pathIncludes: '/batchCopy',
    });
    const outcome = must(await r.copy({ dentryIds: ['d-file-1'] }));
    const bodyId = r.emu.stats.lastRequests.batchCopy?.requestId;
    expect(bodyId).toMatch(/^[0-9A-F-]{36}$/);
    expect(outcome.error?.upstream).toEqual({
      provider: 'DINGTALK',
      httpStatus: 400,
      code: 'paramError.targetFolderId',
      requestId: bodyId,
    });
  });

  it('an invalid pass-through token is a GraphQL UNAUTHENTICATED error, never echoed', async () => {
    const r = await rig();
    const bogus = 'caller-token-that-is-not-valid-0123456789';
    r.secrets.add(bogus);
    const answer = await r.copy({ dentryIds: ['d-file-1'] }, { [TOKEN_HEADER]: bogus });
    expect(answer.outcome).toBeUndefined();
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(answer.errors?.[0]?.extensions?.upstream).toMatchObject({
      httpStatus: 400,
      code: 'InvalidAuthentication',
    });
    expect(r.emu.stats.executedCopies).toBe(0);
  });

  it('no token at all (no header, no managed credential) is UNAUTHENTICATED before any upstream call', async () => {
    const r = await rig();
    const answer = await r.copy({ dentryIds: ['d-file-1'] }, {});
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(r.copyCalls()).toBe(0);
  });

  it('managed mode: a revoked token is replaced once and the copy goes through', async () => {
    const r = await rig({}, 'managed');
    must(await r.copy({ dentryIds: ['d-file-2'] }));
    const first = r.emu.stats.lastRequests.batchCopy?.headers[TOKEN_HEADER] ?? '';
    r.secrets.add(first);
    r.emu.state.tokens.revoke(first);
    const outcome = must(await r.copy({ dentryIds: ['d-file-3'] }));
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(r.emu.stats.tokenRequests).toBe(2);
    expect(r.copyCalls()).toBe(3);
    expect(r.emu.stats.lastRequests.batchCopy?.headers[TOKEN_HEADER]).not.toBe(first);
  });

  it('managed mode with a wrong app secret: UNAUTHENTICATED, the secret named nowhere', async () => {
    const wrong = 'wrong-secret-value-42';
    const r = await rig({ DINGTALK_APP_KEY: SEED.appKey, DINGTALK_APP_SECRET: wrong });
    r.secrets.add(wrong);
    const answer = await r.copy({ dentryIds: ['d-file-1'] }, {});
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(r.emu.stats.tokenRequests).toBe(1);
    expect(r.copyCalls()).toBe(0);
  });
});

describe('input validation: BAD_USER_INPUT and no upstream request', () => {
  it.each([
    ['empty dentryIds', { dentryIds: [] }],
    ['more than DINGTALK_MAX_ITEMS', { dentryIds: ['a', 'b', 'c', 'd', 'e', 'f'] }],
    ['an empty id', { dentryIds: ['d-file-1', ''] }],
    ['a blank id', { dentryIds: ['d-file-1', '   '] }],
    ['a control character in an id', { dentryIds: ['d-file-1', 'd-file\u0001'] }],
    ['a newline in an id', { dentryIds: ['d-file\n1'] }],
    ['a slash in an id', { dentryIds: ['d-file-1', '../d-file-2'] }],
    ['a control character in spaceId', { spaceId: 'space\u0000src', dentryIds: ['d-file-1'] }],
    ['an empty targetFolderId', { targetFolderId: '', dentryIds: ['d-file-1'] }],
  ] as const)('%s', async (_name, input) => {
    const r = await rig({ DINGTALK_MAX_ITEMS: '5' }, 'managed');
    const answer = await r.copy({ ...input, dentryIds: [...input.dentryIds] });
    expect(answer.outcome).toBeUndefined();
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(r.emu.stats.requestsByRoute).toEqual({});
  });

  it('accepts exactly DINGTALK_MAX_ITEMS', async () => {
    const r = await rig({ DINGTALK_MAX_ITEMS: '5' });
    const outcome = must(
      await r.copy({ dentryIds: ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-4', 'd-file-5'] }),
    );
    expect(outcome.__typename).toBe('CopySucceeded');
    expect(r.copyCalls()).toBe(2);
  });
});

describe('secrets', () => {
  it('neither token nor app secret reaches a log line or a response, on success and failure paths', async () => {
    for (const mode of ['pass-through', 'managed'] as const) {
      const r = await rig({ DINGTALK_THROTTLE_RETRIES: '1' }, mode);
      r.emu.faults.add({ ...dingTalkFaults.qpsLimit(), pathIncludes: '/batchCopy', times: 1 });
      must(await r.copy({ dentryIds: ['d-file-2', SEED.folderId] }));
      faultCopyCalls(r.emu, { 1: { fault: dingTalkFaults.reset(), after: false } });
      must(await r.copy({ dentryIds: ['d-file-3'] }));
      must(await r.copy({ spaceId: 'no-such-space', dentryIds: ['d-file-3'] }));
      const token = r.emu.stats.lastRequests.batchCopy?.headers[TOKEN_HEADER] ?? '';
      expect(token).toMatch(/^[0-9a-f]{32}/);
      r.secrets.add(token);
      // The check is meaningful: upstream calls and their failures are logged (at debug and warn).
      expect(r.gw.logs.some((l) => l.includes('"upstream call"'))).toBe(true);
      expect(r.gw.logs.some((l) => l.includes('"upstream call failed"'))).toBe(true);
      // afterEach checks every captured log line and response body against r.secrets.
    }
  });
});
