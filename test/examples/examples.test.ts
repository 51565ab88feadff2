import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient, startCopy, waitForTask } from '../../examples/apollo-client.js';
import introspection from '../../examples/generated/possible-types.js';
import { followTask } from '../../examples/subscription.js';
import { CopyFiles, request } from '../../examples/typed-client.js';
import { loadConfig } from '../../src/config.js';
import { startDemo, type Demo } from '../../src/demo/start.js';
import { DINGTALK_SEED } from '../../src/emulators/dingtalk/index.js';
import { DEMO_LIBRARY_ID } from '../../src/emulators/smh/index.js';
import { createLogger } from '../../src/log.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** Copies the seeded non-empty folder (three entries below it): DingTalk runs that asynchronously. */
const copyFolder = {
  spaceId: DINGTALK_SEED.sourceSpaceId,
  unionId: DINGTALK_SEED.unionId,
  targetSpaceId: DINGTALK_SEED.targetSpaceId,
  targetFolderId: '0',
  dentryIds: [DINGTALK_SEED.folderId],
  conflictStrategy: 'RENAME' as const,
};

describe('the clients in examples/, against the gateway in demo mode', () => {
  let demo: Demo;
  let gateway: TestGateway;

  beforeAll(async () => {
    // The demo, as `npm start` runs it with nothing configured, polling upstream tasks every 200 ms.
    demo = await startDemo(loadConfig({ TASK_POLL_INTERVAL_MS: '200' }), createLogger('silent'));
    gateway = await startGateway({}, { override: () => demo.config });
  });
  afterAll(async () => {
    await gateway.close();
    await demo.close();
  });

  it('Apollo Client: possibleTypes from the schema, a batch copy accepted, its task polled to the end', async () => {
    expect(introspection.possibleTypes.CopyOutcome).toEqual([
      'CopyAccepted',
      'CopyPartiallyFailed',
      'CopyRejected',
      'CopySucceeded',
    ]);
    const client = createGatewayClient(gateway.url);
    const started = await startCopy(client, copyFolder);
    expect(started).toMatchObject({
      outcome: 'CopyAccepted',
      summary: { total: 1, succeeded: 0, pending: 1, failed: 0 },
      taskId: expect.any(String),
    });
    const task = await waitForTask(client, started.taskId!, 200);
    expect(task).toMatchObject({ id: started.taskId, state: 'SUCCEEDED', done: true });
    // summary counts the request's items (one folder), as batchCopy does, not the entries below it.
    expect(task.summary).toEqual({ __typename: 'CopySummary', total: 1, succeeded: 1, failed: 0 });
    client.stop();
  });

  it('graphql-ws: a subscription follows a DingTalk task until it is done', async () => {
    const client = createGatewayClient(gateway.url);
    const { taskId } = await startCopy(client, copyFolder);
    client.stop();
    const updates = await followTask(gateway.url, taskId!);
    expect(updates[0]).toMatchObject({ state: 'RUNNING', done: false });
    expect(updates.at(-1)).toEqual({
      state: 'SUCCEEDED',
      done: true,
      summary: { total: 1, succeeded: 1, pending: 0 },
    });
    expect(updates.filter((update) => update.done)).toHaveLength(1);
  });

  it('typed client: an SMH batch copy with typed variables and result', async () => {
    const data = await request(gateway.url, CopyFiles, {
      libraryId: DEMO_LIBRARY_ID,
      items: [
        { from: 'foo/1.jpg', to: 'bar/1.jpg' },
        { from: 'foo/2.jpg', to: 'foo/2 copy.jpg' },
      ],
    });
    const outcome = data.batchCopy;
    // The result type is a union: `__typename` narrows it, and only CopyOutcome members carry `summary`.
    if (outcome?.__typename !== 'CopySucceeded')
      throw new Error(`expected CopySucceeded: ${JSON.stringify(outcome)}`);
    expect(outcome.summary).toEqual({ total: 2, succeeded: 2, failed: 0, unknown: 0 });
    expect(outcome.items.map(({ source, result, renamed }) => ({ source, result, renamed }))).toEqual([
      { source: 'foo/1.jpg', result: 'bar/1 (1).jpg', renamed: true },
      { source: 'foo/2.jpg', result: 'foo/2 copy.jpg', renamed: false },
    ]);
  });
});
