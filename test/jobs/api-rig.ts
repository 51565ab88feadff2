/**
 * Background jobs through the API: gateways (the test rig's, and more replicas on the same Redis)
 * against real DingTalk and SMH emulators, on either job backend, with the GraphQL documents and
 * the reads the job API tests share.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import {
  DINGTALK_SEED,
  startDingTalkEmulator,
  type DingTalkEmulator,
} from '../../src/emulators/dingtalk/index.js';
import { DEMO_LIBRARY_ID, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { dingtalk } from '../../src/providers/dingtalk/index.js';
import { providers as registry } from '../../src/providers/registry.js';
import { smh } from '../../src/providers/smh/index.js';
import { startGateway, TASK_ID_SECRET, type TestGateway } from '../helpers/gateway.js';
import { startRig, type Rig, type RigUpstream } from '../helpers/rig.js';
import { copiesPerId, seedFiles, type Backend } from './rig.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface JobUpstreams extends RigUpstream {
  dingtalk?: DingTalkEmulator;
  smh?: SmhEmulator;
}

/** The environment that puts a gateway on `backend`: Redis with a key prefix of the test's own, or memory. */
export function backendEnv(backend: Backend, prefix = `test-jobs-${randomUUID()}:`): Record<string, string> {
  return backend === 'redis'
    ? { REDIS_URL, JOBS_KEY_PREFIX: prefix, JOB_LOCK_MS: '2000', TASK_POLL_INTERVAL_MS: '100' }
    : { TASK_POLL_INTERVAL_MS: '100' };
}

/** Both providers' emulators (seeded; pass-through tokens) behind one rig. */
export async function startJobRig(
  backend: Backend,
  env: Record<string, string> = {},
): Promise<Rig<JobUpstreams> & { env: Record<string, string> }> {
  const full = { ...backendEnv(backend), ...env };
  const rig = await startRig<JobUpstreams>({
    providers: [
      {
        module: dingtalk,
        async start() {
          const emu = await startDingTalkEmulator({ seed: true, taskDurationMs: 300 });
          const token = emu.issueToken();
          return {
            dingtalk: emu,
            url: emu.url,
            env: (baseUrl) => ({ DINGTALK_BASE_URL: baseUrl }),
            headers: { [dingtalk.credentialHeader]: token },
            secrets: [token],
            close: () => emu.close(),
          };
        },
      },
      {
        module: smh,
        async start() {
          const emu = await startSmhEmulator({ seed: true, taskDurationMs: 300 });
          const token = emu.issueToken({ libraryId: DEMO_LIBRARY_ID, grants: ['admin'] });
          return {
            smh: emu,
            url: emu.url,
            env: (baseUrl) => ({ SMH_BASE_URL: baseUrl }),
            headers: { [smh.credentialHeader]: token },
            secrets: [token],
            close: () => emu.close(),
          };
        },
      },
    ],
    env: full,
  });
  return Object.assign(rig, { env: full });
}

/** Another replica of the rig's gateway (same upstreams through the same proxies, same Redis keys). */
export async function replica(rig: Rig<JobUpstreams>, env: Record<string, string>): Promise<TestGateway> {
  const base: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ALLOW_ANONYMOUS: '1',
    // The rig's gateway's: ids and jobs' sealed tokens read alike on both.
    TASK_ID_SECRET,
    UNKNOWN_RESOLUTION: 'off',
    DINGTALK_BASE_URL: rig.gw.config.providers.DINGTALK?.baseUrl as string,
    SMH_BASE_URL: rig.gw.config.providers.SMH?.baseUrl as string,
    ...env,
  };
  return startGateway(base, { providers: registry, override: () => loadConfig(base, registry) });
}

export const dingtalkOf = (rig: Rig<JobUpstreams>) => rig.entries.get('DINGTALK')!.upstream;
export const smhOf = (rig: Rig<JobUpstreams>) => rig.entries.get('SMH')!.upstream;

/** The caller headers of the rig (both providers' pass-through tokens). */
export function callerHeaders(rig: Rig<JobUpstreams>): Record<string, string> {
  return Object.assign({}, ...[...rig.entries.values()].map((e) => e.upstream.headers));
}

export const TASK_FIELDS = /* GraphQL */ `
  id
  provider
  state
  done
  summary { total succeeded failed pending unknown }
  progress { total completed fraction source }
  items { index status source target result evidence error { code retryable message } }
  retryOf { id state }
`;

export const COPY = /* GraphQL */ `
  mutation Copy($input: BatchCopyInput!) {
    batchCopy(input: $input) {
      __typename
      ... on CopyOutcome {
        summary { total succeeded failed pending unknown }
        items { index status source }
        finished: task { ${TASK_FIELDS} }
      }
      ... on CopyAccepted { task { ${TASK_FIELDS} } }
      ... on CopyRejected { error { code message } }
    }
  }
`;

export const TASK = /* GraphQL */ `
  query Task($id: ID!) { copyTask(id: $id) { ${TASK_FIELDS} } node(id: $id) { id } }
`;

export interface Item {
  index: number;
  status: string;
  source: string;
  target: string | null;
  result: string | null;
  evidence: string;
  error: { code: string; retryable: boolean; message: string } | null;
}
export interface Task {
  id: string;
  provider: string;
  state: string;
  done: boolean;
  summary: { total: number; succeeded: number; failed: number; pending: number; unknown: number };
  progress: { total: number; completed: number; fraction: number; source: string };
  items: Item[];
  retryOf: { id: string; state: string } | null;
}
export interface CopyAnswer {
  batchCopy: {
    __typename: string;
    summary: Task['summary'];
    items: { index: number; status: string; source: string }[];
    /** CopyAccepted's task. */
    task?: Task;
    /** The task the outcome runs or ran as (`CopyOutcome.task`), or null. */
    finished?: Task | null;
    error?: { code: string; message: string };
  };
}

/** A DingTalk batch of `ids` into the seeded target folder. */
export function dingTalkInput(ids: string[], extra: Record<string, unknown> = {}) {
  return {
    dingtalk: {
      spaceId: DINGTALK_SEED.sourceSpaceId,
      unionId: DINGTALK_SEED.unionId,
      targetSpaceId: DINGTALK_SEED.targetSpaceId,
      targetFolderId: DINGTALK_SEED.targetFolderId,
      dentryIds: ids,
      conflictStrategy: 'RENAME',
      ...extra,
    },
  };
}

/** An SMH batch copying `count` new files under `tag/` into `tag-copy/`; the sources are created. */
export function smhBatch(emu: SmhEmulator, count: number, tag = randomUUID().slice(0, 8)) {
  const items = Array.from({ length: count }, (_, i) => {
    emu.state.putFile(DEMO_LIBRARY_ID, '-', `${tag}/f${i}.txt`, { content: `${i}` });
    return { from: `${tag}/f${i}.txt`, to: `${tag}-copy/f${i}.txt` };
  });
  emu.state.mkdir(DEMO_LIBRARY_ID, '-', `${tag}-copy`);
  return items;
}

export function smhInput(items: { from: string; to: string }[], extra: Record<string, unknown> = {}) {
  return { smh: { libraryId: DEMO_LIBRARY_ID, items, ...extra } };
}

/** Creates `count` files in the DingTalk emulator's seeded source space; returns their ids. */
export const dingTalkFiles = seedFiles;
/** How many times the DingTalk emulator copied each id (executed items only). */
export const dingTalkCopies = copiesPerId;

type Graphql = (
  query: string,
  variables: Record<string, unknown>,
  headers?: Record<string, string>,
) => Promise<{
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}>;

/** The task as `gw` reads it (copyTask), or null. */
export async function readTask(gw: { graphql: Graphql }, id: string, headers: Record<string, string>) {
  const { body } = await gw.graphql(TASK, { id }, headers);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const data = body.data as { copyTask: Task | null; node: { id: string } | null };
  return data.copyTask;
}

/** Reads the task until `ok`, every 50 ms, for at most `ms`. */
export async function readUntil(
  gw: { graphql: Graphql },
  id: string,
  headers: Record<string, string>,
  ok: (task: Task) => boolean = (t) => t.done,
  ms = 20_000,
): Promise<Task> {
  const deadline = Date.now() + ms;
  for (;;) {
    const task = await readTask(gw, id, headers);
    if (task && ok(task)) return task;
    if (Date.now() > deadline)
      throw new Error(`task not there within ${ms} ms: ${JSON.stringify(task)?.slice(0, 400)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Follows a task with `copyTaskUpdated` on `url` until it completes; every update, in order. */
export async function follow(
  url: string,
  id: string,
  headers: Record<string, string>,
  fields = 'state done progress { completed total fraction source } summary { succeeded }',
): Promise<
  Array<{ state: string; done: boolean; progress: Task['progress']; summary: { succeeded: number } }>
> {
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: headers,
    retryAttempts: 0,
  });
  const updates: Array<{
    state: string;
    done: boolean;
    progress: Task['progress'];
    summary: { succeeded: number };
  }> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: `subscription($id: ID!) { copyTaskUpdated(id: $id) { ${fields} } }`, variables: { id } },
        {
          next: (value) => {
            if (value.errors) reject(new Error(JSON.stringify(value.errors)));
            updates.push((value.data as { copyTaskUpdated: (typeof updates)[number] }).copyTaskUpdated);
          },
          error: reject,
          complete: resolve,
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return updates;
}
