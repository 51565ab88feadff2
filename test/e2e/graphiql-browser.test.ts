import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EXAMPLES } from '../../src/demo/examples.js';
import {
  startDingTalkEmulator,
  type DingTalkEmulator,
  DINGTALK_SEED,
} from '../../src/emulators/dingtalk/index.js';
import { startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// In CI a missing browser is a failure, unless .ci/run said loudly that it could not install one.
if (!haveChromium && process.env.CI && !process.env.CHROMIUM_UNAVAILABLE) {
  throw new Error(`Chromium is missing at ${CHROMIUM}: .ci/run should have installed it`);
}
if (!haveChromium) console.warn(`skipping the GraphiQL browser test: no Chromium at ${CHROMIUM}`);

describe.runIf(haveChromium)('GraphiQL in a real browser, offline', () => {
  let smh: SmhEmulator;
  let dingtalk: DingTalkEmulator;
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true });
    dingtalk = await startDingTalkEmulator({ seed: true, taskDurationMs: 500 });
    gateway = await startGateway(
      {
        ...managedDemoEnv(smh.url, dingtalk.url),
        TASK_POLL_INTERVAL_MS: '100',
      },
      { examples: DEMO_EXAMPLES },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await smh?.close();
    await dingtalk?.close();
  });

  it('loads everything from the gateway, opens with the examples and runs one', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(gateway.url) && !request.url().startsWith('data:'))
        foreign.push(request.url());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${gateway.url}/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    // Page-side checks are strings: this file is type-checked without the DOM library.
    // The first tab holds the SMH example; run it with GraphiQL's own button.
    await page.waitForFunction("document.body.innerText.includes('SmhBatchCopy')", undefined, {
      timeout: 10_000,
    });
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(
      "document.querySelector('.result-window')?.textContent?.includes('CopySucceeded')",
      undefined,
      {
        timeout: 15_000,
      },
    );
    const result = (await page.textContent('.result-window')) ?? '';
    expect(result).toContain('"renamed": true');
    expect(result).toContain('bar/1 (1).jpg');
    await page.screenshot({ path: 'test/e2e/.graphiql.png' }).catch(() => undefined);

    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('follows a task live with the subscription tab (WebSocket)', async () => {
    const copy = await gateway.graphql<{ batchCopy: { task: { id: string } } }>(
      `mutation { batchCopy(input: { dingtalk: { spaceId: "${DINGTALK_SEED.sourceSpaceId}", unionId: "${DINGTALK_SEED.unionId}",
        targetSpaceId: "${DINGTALK_SEED.targetSpaceId}", targetFolderId: "0", dentryIds: ["${DINGTALK_SEED.folderId}"] } }) {
        ... on CopyAccepted { task { id } } } }`,
    );
    const id = copy.body.data?.batchCopy.task.id as string;
    expect(id).toMatch(/^ct2_/);
    const page = await browser.newPage();
    await page.goto(`${gateway.url}/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    await page.click('text=WatchCopyTask');
    await page.click('.graphiql-editor-tool .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(JSON.stringify({ id }));
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(
      "document.querySelector('.result-window')?.textContent?.includes('SUCCEEDED')",
      undefined,
      {
        timeout: 15_000,
      },
    );
    expect((await page.textContent('.result-window')) ?? '').toContain('"done": true');
    await page.close();
  }, 60_000);
});
