/**
 * The hook for work that keeps its own records of items (background jobs): CopyService.followUnknown
 * looks at the targets of an answer's UNKNOWN items in the background and hands each look's items
 * over, never sending anything again. Real HTTP from the SMH adapter to the SMH emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/copy/call.js';
import { MemoryResolutionStore } from '../../src/copy/resolution-records.js';
import { UnknownResolver } from '../../src/copy/resolution.js';
import { CopyService } from '../../src/copy/service.js';
import type { CopyItemResult } from '../../src/copy/types.js';
import { passThroughOnly } from '../../src/credentials/pass-through.js';
import { DEMO_LIBRARY_ID as LIB, startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { createLogger } from '../../src/log.js';
import { UpstreamCallBudget } from '../../src/providers/kit/budget.js';
import { smh } from '../../src/providers/smh/index.js';
import { UpstreamHttpClient } from '../../src/upstream/http.js';

let emu: SmhEmulator;
let service: CopyService;
let adapter: ReturnType<typeof smh.createAdapter>;
let token: string;
const logger = createLogger('silent');

beforeAll(async () => {
  // SMH copies as a task, 3.5 s after the send: without a snapshot (a background job takes none), only
  // a copy made well after the send is provably new by its time.
  emu = await startSmhEmulator({ seed: true, asyncThreshold: 'always', taskDurationMs: 3500 });
  token = emu.issueToken({ libraryId: LIB, grants: ['admin'] });
  adapter = smh.createAdapter(
    {
      baseUrl: emu.url,
      managed: false,
      libraries: [],
      chunkSize: 1000,
      maxItems: 1000,
      concurrency: 2,
      maxCallsPerSecond: 0,
    },
    {
      http: () => new UpstreamHttpClient('SMH', emu.url, { displayName: 'SMH', timeoutMs: 2000, logger }),
      tokens: {
        managed: () => passThroughOnly('SMH', smh.credentialHeader),
        passThrough: () => passThroughOnly('SMH', smh.credentialHeader),
      },
      logger,
      now: Date.now,
    },
  );
  const resolver = new UnknownResolver(
    { mode: 'lookup', graceMs: 30, windowMs: 10_000 },
    new MemoryResolutionStore(),
    logger,
  );
  service = new CopyService(
    { providers: [smh], adapters: [adapter] },
    undefined,
    undefined,
    undefined,
    resolver,
  );
});

afterAll(async () => {
  await service?.close();
  await emu?.close();
});

const call = (): CallContext => ({
  log: logger,
  signal: new AbortController().signal,
  budget: new UpstreamCallBudget(100),
  callerTokens: { SMH: token },
});

describe('CopyService.followUnknown', () => {
  it('hands over the items after each look until the lost copy is found', async () => {
    emu.state.putFile(LIB, '-', 'follow/src/a.txt', { content: 'follow' });
    emu.state.mkdir(LIB, '-', 'follow/dst');
    emu.faults.add({ method: 'POST', pathIncludes: '/api/v1/batch/', times: 1, after: true, kind: 'reset' });
    const request = { libraryId: LIB, items: [{ from: 'follow/src/a.txt', to: 'follow/dst/a.txt' }] };
    const sentAt = Date.now();
    // The adapter's own answer: the item is UNKNOWN (what a background job records for its chunk).
    const outcome = await adapter.batchCopy(request, call());
    expect(outcome.items[0]).toMatchObject({ status: 'UNKNOWN', evidence: 'NONE' });
    const looks: { items: CopyItemResult[]; done: boolean }[] = [];
    const finished = new Promise<void>((resolve) => {
      const following = service.followUnknown('SMH', request, outcome, sentAt, call, (items, done) => {
        looks.push({ items, done });
        if (done) resolve();
      });
      expect(following).toBeInstanceOf(Promise);
    });
    await finished;
    expect(looks.at(-1)?.items[0]).toMatchObject({
      status: 'SUCCEEDED',
      result: 'follow/dst/a.txt',
      evidence: 'TARGET_LOOKUP',
    });
    expect(emu.stats.copiesTo('-', 'follow/dst/a.txt')).toHaveLength(1);
    // Nothing to follow in an answer without UNKNOWN items.
    const settled = { ...outcome, items: looks.at(-1)!.items };
    expect(service.followUnknown('SMH', request, settled, sentAt, call, () => undefined)).toBe(false);
  });
});
