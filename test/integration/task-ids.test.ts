import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTaskId } from '../helpers/task-ids.js';
import { loadConfig } from '../../src/config.js';
import {
  DINGTALK_SEED,
  ManualClock,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { DEMO_LIBRARY_ID, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';

/** Task ids are capabilities: signed with TASK_ID_SECRET and scoped to the API key they were issued to. */
const ALICE = 'alice-key-0123456789abcdef';
const MALLORY = 'mallory-key-0123456789abcdef';
const as = (key: string) => ({ authorization: `Bearer ${key}` });
const TASK = 'query($id: ID!) { copyTask(id: $id) { id state upstreamTaskIds } }';
const COPY_FOLDER = `mutation { batchCopy(input: { dingtalk: { spaceId: "${DINGTALK_SEED.sourceSpaceId}",
  unionId: "${DINGTALK_SEED.unionId}", targetSpaceId: "${DINGTALK_SEED.targetSpaceId}", targetFolderId: "0",
  dentryIds: ["${DINGTALK_SEED.folderId}"] } }) { __typename ... on CopyAccepted { task { id } } } }`;

interface TaskAnswer {
  copyTask: { id: string; state: string; upstreamTaskIds: string[] } | null;
}

/** The JSON inside a ct2 id's payload, and the id with that JSON replaced (its tag kept). */
function payloadOf(id: string): Record<string, unknown> {
  const body = id.slice(4).split('.')[0] as string;
  return JSON.parse(inflateRawSync(Buffer.from(body, 'base64url')).toString()) as Record<string, unknown>;
}
function withPayload(id: string, json: unknown): string {
  const tag = id.split('.')[1];
  return `ct2_${deflateRawSync(JSON.stringify(json)).toString('base64url')}${tag ? `.${tag}` : ''}`;
}

describe('signed task ids (managed mode, API keys)', () => {
  let smh: SmhEmulator;
  let dingtalk: DingTalkEmulator;
  let gateway: TestGateway;
  let aliceTaskId = '';
  const upstreamCalls = () =>
    smh.stats.requestsTotal +
    Object.entries(dingtalk.stats.requestsByRoute)
      .filter(([route]) => route !== 'admin')
      .reduce((sum, [, n]) => sum + (n ?? 0), 0);

  beforeAll(async () => {
    [smh, dingtalk] = await Promise.all([
      startSmhEmulator({ seed: true }),
      startDingTalkEmulator({ seed: true, clock: new ManualClock(), taskDurationMs: 3000 }),
    ]);
    gateway = await startGateway({
      ...managedDemoEnv(smh.url, dingtalk.url),
      SMH_LIBRARIES: 'other-library:other-library-secret',
      GATEWAY_API_KEYS: `alice:${ALICE},mallory:${MALLORY}`,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([smh.close(), dingtalk.close()]);
  });

  it("gives the caller a signed ct2 id; another key's holder, a forged or an altered id get NOT_FOUND with nothing sent", async () => {
    const copy = await gateway.graphql<{ batchCopy: { task: { id: string } } }>(COPY_FOLDER, {}, as(ALICE));
    const id = copy.body.data?.batchCopy.task.id as string;
    aliceTaskId = id;
    expect(id).toMatch(/^ct2_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const mine = await gateway.graphql<TaskAnswer>(TASK, { id }, as(ALICE));
    expect(mine.body.data?.copyTask).toMatchObject({ id, state: 'RUNNING' });

    const before = { calls: upstreamCalls(), tokens: dingtalk.stats.tokenRequests };
    const notFound = async (taskId: string, key = ALICE) => {
      const { body } = await gateway.graphql<TaskAnswer>(TASK, { id: taskId }, as(key));
      expect(body.data?.copyTask ?? null).toBeNull();
      return body.errors?.[0];
    };
    // Mallory holds the id (it leaked) but it was issued to Alice.
    expect(await notFound(id, MALLORY)).toMatchObject({
      message: 'No task with this id for this caller.',
      extensions: { code: 'NOT_FOUND' },
    });
    // Alice's id altered to name another DingTalk user (the app token would read anyone's task).
    const wire = payloadOf(id);
    expect((await notFound(withPayload(id, { ...wire, u: 'union-someone-else' })))?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    // A made-up SMH id naming another configured library (its secret would fetch a token).
    const madeUp = encodeTaskId({
      provider: 'SMH',
      libraryId: 'other-library',
      spaceId: '-',
      parts: [{ taskId: '1', offset: 0, count: 1 }],
    });
    expect(
      (await notFound(withPayload(`ct2_${madeUp.slice(4)}.${'A'.repeat(22)}`, payloadOf(madeUp))))?.extensions
        ?.code,
    ).toBe('NOT_FOUND');
    expect((await notFound(`ct2_${madeUp.slice(4)}`))?.extensions?.code).toBe('NOT_FOUND'); // no tag at all
    // An id of 50 KB: refused by its tag or its length before it is read.
    const huge = encodeTaskId({
      provider: 'DINGTALK',
      unionId: DINGTALK_SEED.unionId,
      parts: Array.from({ length: 5000 }, (_v, i) => ({ taskId: `t${i * 7919}`, index: i, source: `d${i}` })),
    });
    expect(huge.length).toBeGreaterThan(20_000);
    expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(
      (await notFound(`ct2_${huge.slice(4)}.${'B'.repeat(22)}`))?.extensions?.code,
    );
    // Ids from before signing are refused here, saying why.
    const old = await notFound(
      encodeTaskId({
        provider: 'DINGTALK',
        unionId: DINGTALK_SEED.unionId,
        parts: [{ taskId: 'task-1', index: 0, source: 'd' }],
      }),
    );
    expect(old).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(old?.message).toMatch(/ct1_ were issued unsigned.*managed credentials it accepts signed ids only/);

    expect(upstreamCalls()).toBe(before.calls);
    expect(dingtalk.stats.tokenRequests).toBe(before.tokens);
  });

  it('node(id) with a foreign id is NOT_FOUND before any upstream read', async () => {
    const id = aliceTaskId;
    const before = upstreamCalls();
    const { body } = await gateway.graphql<TaskAnswer>(
      'query($id: ID!) { node(id: $id) { id } }',
      { id },
      as(MALLORY),
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(upstreamCalls()).toBe(before);
  });
});

describe('task ids in pass-through mode without TASK_ID_SECRET', () => {
  let smh: SmhEmulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true, asyncThreshold: 'always' });
    gateway = await startGateway({ SMH_BASE_URL: smh.url, TASK_ID_SECRET: '' });
  });
  afterAll(async () => {
    await gateway.close();
    await smh.close();
  });

  it('are unsigned (the start-up log says so), old ct1 ids still read, and a 50 KB made-up id sends nothing', async () => {
    expect(gateway.logs.join('')).toMatch(/TASK_ID_SECRET is not set: task ids are unsigned/);
    const token = smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'] });
    const headers = { 'x-smh-access-token': token };
    const copy = await gateway.graphql<{ batchCopy: { task: { id: string; upstreamTaskIds: string[] } } }>(
      `mutation { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", items: [{ from: "foo/1.jpg", to: "foo/pt-${Date.now()}.jpg" }] } }) { ... on CopyAccepted { task { id upstreamTaskIds } } } }`,
      {},
      headers,
    );
    const task = copy.body.data?.batchCopy.task;
    expect(task?.id).toMatch(/^ct2_[A-Za-z0-9_-]+$/);
    const v1 = `ct1_${task?.id.slice(4)}`;
    const read = await gateway.graphql<TaskAnswer>(TASK, { id: v1 }, headers);
    expect(read.body.data?.copyTask?.upstreamTaskIds).toEqual(task?.upstreamTaskIds);

    const before = smh.stats.requestsTotal;
    const huge = encodeTaskId({
      provider: 'SMH',
      libraryId: DEMO_LIBRARY_ID,
      spaceId: '-',
      parts: Array.from({ length: 5000 }, (_v, i) => ({ taskId: String(i * 7919), offset: i, count: 1 })),
    });
    for (const id of [huge, `ct2_${huge.slice(4)}`]) {
      const { body } = await gateway.graphql<TaskAnswer>(TASK, { id }, headers);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(smh.stats.requestsTotal).toBe(before);
  });

  it('background task ids are unsigned too, as the start-up log says: cj1_ and 22 characters, read only by their caller', async () => {
    expect(gateway.logs.join('')).toMatch(/background task ids \(cj1_, 26 characters\) included/);
    const token = smh.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'] });
    const headers = { 'x-smh-access-token': token };
    const copy = await gateway.graphql<{ batchCopy: { task: { id: string } } }>(
      `mutation { batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", execution: BACKGROUND, items: [{ from: "foo/1.jpg", to: "foo/pt-job-${Date.now()}.jpg" }] } }) { ... on CopyAccepted { task { id } } } }`,
      {},
      headers,
    );
    const id = copy.body.data?.batchCopy.task.id;
    expect(id).toMatch(/^cj1_[A-Za-z0-9_-]{22}$/);
    expect((await gateway.graphql<TaskAnswer>(TASK, { id }, headers)).body.data?.copyTask?.id).toBe(id);
    const stranger = await gateway.graphql<TaskAnswer>(
      TASK,
      { id },
      { 'x-smh-access-token': 'another-token' },
    );
    expect(stranger.body.data?.copyTask).toBeNull();
  });
});

describe('TASK_ID_SECRET at start-up', () => {
  it('is required with managed credentials outside demo mode, and must be long enough', () => {
    const managed = {
      SMH_BASE_URL: 'http://127.0.0.1:1',
      SMH_LIBRARY_ID: 'l',
      SMH_LIBRARY_SECRET: 's',
      ALLOW_ANONYMOUS: '1',
    };
    expect(() => loadConfig(managed)).toThrow(/^TASK_ID_SECRET: expected a secret of at least 32 characters/);
    expect(() => loadConfig({ ...managed, TASK_ID_SECRET: 'short' })).toThrow(/^TASK_ID_SECRET/);
    expect(loadConfig({ ...managed, TASK_ID_SECRET: 'x'.repeat(32) }).taskIdSecret).toBe('x'.repeat(32));
    expect(loadConfig({ SMH_BASE_URL: 'http://127.0.0.1:1' }).taskIdSecret).toBeUndefined();
  });
});
