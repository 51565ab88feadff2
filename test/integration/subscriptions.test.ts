import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  startDingTalkEmulator,
  type DingTalkEmulator,
  DINGTALK_SEED,
  ManualClock,
} from '../../src/emulators/dingtalk/index.js';
import { encodeTaskId } from '../helpers/task-ids.js';
import { sealTaskId, startGateway, type TestGateway } from '../helpers/gateway.js';

const API_KEY = 'subscriber-key-0123456789';

const COPY_FOLDER = `mutation { batchCopy(input: { dingtalk: { spaceId: "${DINGTALK_SEED.sourceSpaceId}",
  unionId: "${DINGTALK_SEED.unionId}", targetSpaceId: "${DINGTALK_SEED.targetSpaceId}", targetFolderId: "0",
  dentryIds: ["${DINGTALK_SEED.folderId}"] } }) { __typename ... on CopyAccepted { task { id } } } }`;

const WATCH = `subscription($id: ID!) { copyTaskUpdated(id: $id) { state done summary { total succeeded pending } } }`;

interface Update {
  data?: { copyTaskUpdated: { state: string; done: boolean } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

function client(url: string, connectionParams: Record<string, string>): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** Runs one subscription to its end and collects what it emitted (or how it failed). */
function collect(
  c: Client,
  query: string,
  variables: Record<string, unknown>,
  onUpdate?: (u: Update) => void,
) {
  return new Promise<{ updates: Update[]; error?: unknown }>((resolve) => {
    const updates: Update[] = [];
    c.subscribe(
      { query, variables },
      {
        next: (value) => {
          updates.push(value as Update);
          onUpdate?.(value as Update);
        },
        error: (error) => resolve({ updates, error }),
        complete: () => resolve({ updates }),
      },
    );
  });
}

describe('copyTaskUpdated over WebSocket', () => {
  let dingtalk: DingTalkEmulator;
  let gateway: TestGateway;
  const clock = new ManualClock();
  const auth = { authorization: `Bearer ${API_KEY}` };

  beforeAll(async () => {
    dingtalk = await startDingTalkEmulator({ seed: true, clock, taskDurationMs: 3000 });
    gateway = await startGateway({
      DINGTALK_BASE_URL: dingtalk.url,
      DINGTALK_APP_KEY: DINGTALK_SEED.appKey,
      DINGTALK_APP_SECRET: DINGTALK_SEED.appSecret,
      GATEWAY_API_KEYS: `ui:${API_KEY}`,
      TASK_POLL_INTERVAL_MS: '50',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await dingtalk.close();
  });

  it('emits the task now, again when it changes, and completes when it is done', async () => {
    const copy = await gateway.graphql<{ batchCopy: { __typename: string; task: { id: string } } }>(
      COPY_FOLDER,
      {},
      auth,
    );
    expect(copy.body.data?.batchCopy.__typename).toBe('CopyAccepted');
    const id = copy.body.data?.batchCopy.task.id as string;
    const c = client(gateway.url, auth);
    try {
      let first = true;
      const { updates, error } = await collect(c, WATCH, { id }, () => {
        // Once the first (running) state arrived, let the upstream task finish.
        if (first) clock.advance(5000);
        first = false;
      });
      expect(error).toBeUndefined();
      const states = updates.map((u) => u.data?.copyTaskUpdated.state);
      expect(states[0]).toBe('RUNNING');
      expect(states.at(-1)).toBe('SUCCEEDED');
      expect(updates.at(-1)?.data?.copyTaskUpdated.done).toBe(true);
      // Only changes are emitted: no state repeats back to back.
      expect(
        states.every((s, i) => i === 0 || JSON.stringify(updates[i]) !== JSON.stringify(updates[i - 1])),
      ).toBe(true);
    } finally {
      await c.dispose();
    }
  });

  it('stops polling the upstream as soon as the client unsubscribes', async () => {
    const fresh = dingtalk.state.createFolder(DINGTALK_SEED.targetSpaceId, 'watch-cancel').id;
    const copy = await gateway.graphql<{ batchCopy: { task: { id: string } } }>(
      COPY_FOLDER.replace('targetFolderId: "0"', `targetFolderId: "${fresh}"`),
      {},
      auth,
    );
    const id = copy.body.data?.batchCopy.task.id as string;
    const c = client(gateway.url, auth);
    let first: () => void = () => undefined;
    const gotFirst = new Promise<void>((resolve) => (first = resolve));
    const unsubscribe = c.subscribe(
      { query: WATCH, variables: { id } },
      { next: () => first(), error: () => undefined, complete: () => undefined },
    );
    await gotFirst;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const polls = () => dingtalk.stats.requestsByRoute.getTask ?? 0;
    expect(polls()).toBeGreaterThan(1); // it was polling (every 50 ms) while the task ran
    unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = polls();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(polls()).toBe(after);
    await c.dispose();
  });

  it('answers a malformed task id with BAD_USER_INPUT', async () => {
    const c = client(gateway.url, auth);
    try {
      const { updates } = await collect(c, WATCH, { id: 'nonsense' });
      expect(updates.at(-1)?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await c.dispose();
    }
  });

  it('ends with NOT_FOUND when the upstream no longer knows the task', async () => {
    const id = sealTaskId(
      encodeTaskId({
        provider: 'DINGTALK',
        unionId: DINGTALK_SEED.unionId,
        parts: [{ taskId: 'task-does-not-exist', index: 0, source: 'd' }],
      }),
      'ui',
    );
    const c = client(gateway.url, auth);
    try {
      const { updates, error } = await collect(c, WATCH, { id });
      expect(error).toBeUndefined();
      expect(updates).toHaveLength(1);
      expect(updates[0]?.data).toBeNull();
      expect(updates[0]?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      await c.dispose();
    }
  });

  it('needs the API key in the connection parameters', async () => {
    const c = client(gateway.url, { authorization: 'Bearer wrong-key-0123456789' });
    try {
      const { error } = await collect(c, WATCH, { id: 'x' });
      expect((error as { code?: number }).code).toBe(4403);
    } finally {
      await c.dispose();
    }
  });

  it('applies the document token limit to subscriptions too', async () => {
    const c = client(gateway.url, auth);
    try {
      const huge = `subscription { ${Array.from({ length: 7000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
      const { updates, error } = await collect(c, huge, {});
      expect(updates).toEqual([]);
      // An error for this subscription (the connection stays open), with the parser's message.
      expect(error).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/Document contains more that 20000 tokens/), // graphql-js spells it "that"
          extensions: { code: 'GRAPHQL_PARSE_FAILED', requestId: expect.stringMatching(/^[^:]+:\d+$/) },
        }),
      ]);
    } finally {
      await c.dispose();
    }
  });

  it('keeps queries and mutations on HTTP', async () => {
    const before = dingtalk.stats.requestsByRoute.batchCopy ?? 0;
    const c = client(gateway.url, auth);
    try {
      const { error } = await collect(c, COPY_FOLDER, {});
      expect(JSON.stringify(error)).toContain('Only subscriptions run over WebSocket');
      expect(dingtalk.stats.requestsByRoute.batchCopy ?? 0).toBe(before);
    } finally {
      await c.dispose();
    }
  });
});
