import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDingTalkEmulator, type DingTalkEmulator } from '../../src/emulators/dingtalk/index.js';
import { startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';

/** The README's "one example per union member", each headed by `# <Member>: why`. */
function readmeExamples(): { member: string; operation: string }[] {
  const readme = readFileSync('README.md', 'utf8');
  const block =
    readme.split('One example per union member')[1]?.split('```graphql')[1]?.split('```')[0] ?? '';
  return block
    .split(/^(?=# )/m)
    .map((chunk) => ({ member: /^# (Copy\w+):/.exec(chunk)?.[1] ?? '', operation: chunk }))
    .filter((example) => example.member !== '');
}

describe('the README examples', () => {
  let smh: SmhEmulator;
  let dingtalk: DingTalkEmulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    // The demo's setup: seeded emulators and their demo credentials.
    [smh, dingtalk] = await Promise.all([
      startSmhEmulator({ seed: true }),
      startDingTalkEmulator({ seed: true }),
    ]);
    gateway = await startGateway({
      ...managedDemoEnv(smh.url, dingtalk.url),
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([smh.close(), dingtalk.close()]);
  });

  it('gives each union member the README promises, on fresh and on used demo data', async () => {
    const examples = readmeExamples();
    expect(examples.map((e) => e.member)).toEqual([
      'CopySucceeded',
      'CopyPartiallyFailed',
      'CopyAccepted',
      'CopyRejected',
    ]);
    // Twice: the second run meets the demo data the first one changed, as a reader's second try does.
    for (const round of [1, 2]) {
      for (const { member, operation } of examples) {
        const { body } = await gateway.graphql<{ batchCopy: { __typename: string } | null }>(operation);
        expect(body.errors, `${member}, run ${round}`).toBeUndefined();
        expect(body.data?.batchCopy?.__typename, `${member}, run ${round}`).toBe(member);
      }
    }
  });
});
