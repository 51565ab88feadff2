import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { providers } from '../../src/providers/registry.js';
import { memoryProvider } from '../fixtures/memory-provider.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

/** A provider module from test/ joins the gateway with no change to any file of src/. */
describe('a provider that is not in the registry', () => {
  const modules = [...providers, memoryProvider];
  let gw: TestGateway;

  beforeAll(async () => {
    const config = loadConfig(
      { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', MEMORY_URL: 'http://memory.invalid' },
      modules,
    );
    gw = await startGateway({}, { providers: modules, override: () => config });
  });
  afterAll(() => gw.close());

  it('adds its Provider value and its BatchCopyInput field to the schema', async () => {
    const { body } = await gw.graphql<{
      provider: { enumValues: { name: string }[] };
      input: { inputFields: { name: string }[] };
    }>(
      '{ provider: __type(name: "Provider") { enumValues { name } } input: __type(name: "BatchCopyInput") { inputFields { name } } }',
    );
    expect(body.data?.provider.enumValues.map((v) => v.name).sort()).toEqual(['DINGTALK', 'MEMORY', 'SMH']);
    expect(body.data?.input.inputFields.map((f) => f.name)).toEqual(['smh', 'dingtalk', 'memory']);
  });

  it('copies through its adapter, and its task ids come back to it', async () => {
    const { body } = await gw.graphql<{
      batchCopy: { __typename: string; provider: string; items: { status: string }[]; task?: { id: string } };
    }>(
      'mutation { batchCopy(input: { memory: { items: ["a", "b~"] } }) { __typename ... on CopyOutcome { provider items { status } } ... on CopyAccepted { task { id } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.batchCopy).toMatchObject({
      __typename: 'CopyAccepted',
      provider: 'MEMORY',
      items: [{ status: 'SUCCEEDED' }, { status: 'PENDING' }],
    });
    const id = body.data?.batchCopy.task?.id as string;
    const task = await gw.graphql<{ copyTask: { provider: string; state: string } }>(
      'query ($id: ID!) { copyTask(id: $id) { provider state } }',
      { id },
    );
    expect(task.body.data?.copyTask).toEqual({ provider: 'MEMORY', state: 'SUCCEEDED' });
  });
});
