import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDingTalkEmulator,
  type DingTalkEmulator,
  DINGTALK_SEED,
} from '../../src/emulators/dingtalk/index.js';
import {
  type FaultRule,
  startSmhEmulator,
  type SmhEmulator,
  DEMO_LIBRARY_ID,
} from '../../src/emulators/smh/index.js';
import { managedDemoEnv, startGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Fault soak: both emulators inject faults into about 5 % of upstream calls while many concurrent
 * clients run batchCopy and copyTask operations. Bounded in count and time; loopback only.
 * SOAK_OPS and SOAK_CONCURRENCY make a larger run; SOAK_UNKNOWN_RESOLUTION picks the resolution mode;
 * SOAK_REDIS=1 runs the gateway with Redis. Items whose answer was lost are settled by looking
 * at their targets; the figures count them (resolved, remaining, wrong), checked against the
 * emulators' records of what actually ran.
 */
const OPS = Number(process.env.SOAK_OPS ?? 20_000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 48);
// The time limit follows the operation count (7.5 ms per operation, at least a minute): a larger run gets
// a proportionally longer limit. The post-run checks read the emulators' indexes, so they stay linear.
const TIME_LIMIT_MS = Number(process.env.SOAK_TIME_LIMIT_MS ?? Math.max(60_000, OPS * 7.5));
/**
 * Looks at lost answers start soon and go on for a while after the load ends: under the soak's load the
 * circuit breaker opens often, and looks respect it like any other call.
 */
const GRACE_MS = 100;
const WINDOW_SECONDS = Number(process.env.SOAK_UNKNOWN_WINDOW_SECONDS ?? 30);
/** `UNKNOWN_RESOLUTION` of the gateway under soak: `lookup` (the default) or `snapshot`. */
const RESOLUTION = process.env.SOAK_UNKNOWN_RESOLUTION ?? 'lookup';
/** SOAK_REDIS=1: the gateway under soak keeps its state (and its own results, for looks) in Redis at REDIS_URL. */
const REDIS = process.env.SOAK_REDIS === '1';

const SMH_BATCH = '/api/v1/batch/';
const SMH_TASK = '/api/v1/task/';
const DT_BATCH = '/dentries/batchCopy';
const DT_TASK = '/v1.0/storage/tasks/';

/** About 5 % of calls on each route get a fault; `after: true` ones run the copy first, then fail the answer. */
const SMH_FAULTS: FaultRule[] = [
  {
    pathIncludes: SMH_BATCH,
    rate: 0.01,
    after: true,
    kind: 'status',
    status: 500,
    code: 'InternalServerError',
  },
  { pathIncludes: SMH_BATCH, rate: 0.01, after: true, kind: 'reset' },
  { pathIncludes: SMH_BATCH, rate: 0.01, after: true, kind: 'latency', ms: 700 },
  { pathIncludes: SMH_BATCH, rate: 0.01, after: true, kind: 'html', status: 502 },
  { pathIncludes: SMH_BATCH, rate: 0.01, kind: 'status', status: 429, code: 'RateLimitExceeded' },
  { pathIncludes: SMH_TASK, rate: 0.03, kind: 'status', status: 500, code: 'InternalServerError' },
  { pathIncludes: SMH_TASK, rate: 0.02, kind: 'truncated' },
];
const DINGTALK_FAULTS: FaultRule[] = [
  { pathIncludes: DT_BATCH, rate: 0.01, kind: 'status', status: 400, code: 'operationConcurrentControl' },
  { pathIncludes: DT_BATCH, rate: 0.01, after: true, kind: 'status', status: 500, code: 'systemError' },
  { pathIncludes: DT_BATCH, rate: 0.01, after: true, kind: 'status', status: 503, code: 'operationTimeout' },
  { pathIncludes: DT_BATCH, rate: 0.005, after: true, kind: 'reset' },
  { pathIncludes: DT_BATCH, rate: 0.005, kind: 'html', status: 403 },
  { pathIncludes: DT_BATCH, rate: 0.01, after: true, kind: 'latency', ms: 700 },
  { pathIncludes: DT_TASK, rate: 0.05, kind: 'status', status: 500, code: 'systemError' },
];

interface Item {
  index: number;
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'UNKNOWN';
  source: string;
  target: string | null;
  result: string | null;
  evidence: string;
  error: { code: string } | null;
}

/** An item whose answer was lost: where it went, and what the gateway said of it in the end. */
interface Lost {
  provider: 'smh' | 'dingtalk';
  source: string;
  target: string;
  /** Its final item: from the answer when a look settled it inline, else from its task. */
  final?: Item;
  task?: string;
}

interface Tally {
  items: Record<Item['status'], number>;
  outcomes: Record<string, number>;
  errorCodes: Record<string, number>;
  taskStates: Record<string, number>;
}

const newTally = (): Tally => ({
  items: { SUCCEEDED: 0, FAILED: 0, PENDING: 0, UNKNOWN: 0 },
  outcomes: {},
  errorCodes: {},
  taskStates: {},
});
const bump = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);

const OUTCOME = `__typename
  ... on CopyOutcome { items { index status source target result evidence error { code message retryable } } }
  ... on CopyAccepted { task { id } }
  ... on CopyRejected { error { code } }`;

const SMH_MUTATION = `mutation($items: [SmhCopyItemInput!]!) {
  batchCopy(input: { smh: { libraryId: "${DEMO_LIBRARY_ID}", items: $items } }) { ${OUTCOME} } }`;
const DINGTALK_MUTATION = `mutation($ids: [NonEmptyString!]!, $folder: NonEmptyString!) {
  batchCopy(input: { dingtalk: { spaceId: "${DINGTALK_SEED.sourceSpaceId}", unionId: "${DINGTALK_SEED.unionId}",
    targetSpaceId: "${DINGTALK_SEED.targetSpaceId}", targetFolderId: $folder, dentryIds: $ids } }) { ${OUTCOME} } }`;
const TASK_QUERY = `query($id: ID!) { copyTask(id: $id) { state done summary { total } } }`;
const TASK_ITEMS = `query($id: ID!) { copyTask(id: $id) { done items { index status source target result evidence } } }`;

describe('fault soak', () => {
  let smh: SmhEmulator;
  let dingtalk: DingTalkEmulator;
  let gateway: TestGateway;
  const client = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });

  beforeAll(async () => {
    [smh, dingtalk] = await Promise.all([
      startSmhEmulator({ seed: true, asyncThreshold: 3, taskDurationMs: 100 }),
      startDingTalkEmulator({ seed: true, taskDurationMs: 100 }),
    ]);
    smh.state.mkdir(DEMO_LIBRARY_ID, '-', 'soak');
    gateway = await startGateway({
      LOG_LEVEL: 'warn',
      UPSTREAM_TIMEOUT_MS: '300',
      ...managedDemoEnv(smh.url, dingtalk.url),
      UNKNOWN_RESOLUTION: RESOLUTION,
      UNKNOWN_GRACE_MS: String(GRACE_MS),
      UNKNOWN_WINDOW_SECONDS: String(WINDOW_SECONDS),
      ...(REDIS
        ? {
            REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
            JOBS_KEY_PREFIX: `test-soak-${randomUUID()}:`,
          }
        : {}),
    });
    SMH_FAULTS.forEach((rule) => smh.faults.add(rule));
    DINGTALK_FAULTS.forEach((rule) => dingtalk.faults.add(rule));
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([smh?.close(), dingtalk?.close(), client.close()]);
  });

  it(
    `survives ${OPS} operations with ~5 % upstream faults`,
    async () => {
      const rssBefore = process.memoryUsage().rss;
      const smhTally = newTally();
      const dtTally = newTally();
      const taskTally = newTally();
      const malformed: string[] = [];
      const smhSucceeded: string[] = [];
      const dtSucceeded: string[] = [];
      const acceptedTasks: string[] = [];
      const lost: Lost[] = [];
      const started = Date.now();
      let next = 0;
      let httpErrors = 0;

      const post = async (query: string, variables: Record<string, unknown>) => {
        const response = await request(`${gateway.url}/graphql`, {
          dispatcher: client,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        const text = await response.body.text();
        let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: unknown } }[] };
        try {
          body = JSON.parse(text);
        } catch {
          malformed.push(`${response.statusCode} not JSON: ${text.slice(0, 100)}`);
          return undefined;
        }
        if (response.statusCode !== 200) httpErrors += 1;
        const wellFormed =
          (body.data !== undefined && body.data !== null) ||
          (Array.isArray(body.errors) && body.errors.length > 0);
        if (!wellFormed)
          malformed.push(`${response.statusCode} neither data nor errors: ${text.slice(0, 100)}`);
        for (const error of body.errors ?? []) {
          if (typeof error.extensions?.code !== 'string')
            malformed.push(`error without code: ${JSON.stringify(error)}`);
        }
        return body;
      };

      const record = (
        tally: Tally,
        body: Awaited<ReturnType<typeof post>>,
        succeeded: string[],
        provider: Lost['provider'],
      ) => {
        for (const error of body?.errors ?? []) bump(tally.errorCodes, String(error.extensions?.code));
        const outcome = body?.data?.batchCopy as
          { __typename: string; items: Item[]; task?: { id: string } } | undefined;
        if (!outcome) return;
        bump(tally.outcomes, outcome.__typename);
        if (outcome.task) acceptedTasks.push(outcome.task.id);
        for (const item of outcome.items) {
          // Lost answers: settled by a look already, or still UNKNOWN (then its task keeps looking).
          if (item.evidence === 'TARGET_LOOKUP' || item.status === 'UNKNOWN') {
            lost.push({
              provider,
              source: item.source,
              target: item.target ?? '',
              ...(item.status === 'UNKNOWN' ? { task: outcome.task?.id } : { final: item }),
            });
          }
          tally.items[item.status] += 1;
          if (item.error) bump(tally.errorCodes, item.error.code);
          else if (item.status === 'FAILED' || item.status === 'UNKNOWN')
            malformed.push(`item ${item.status} without error`);
          if (item.status === 'SUCCEEDED' && item.result) succeeded.push(item.result);
        }
      };

      const worker = async () => {
        while (next < OPS && Date.now() - started < TIME_LIMIT_MS) {
          const op = next++;
          const kind = op % 10;
          if (kind < 5) {
            // SMH: 1–5 files to unique targets in a folder of their own; more than 3 items runs as an
            // upstream task.
            const count = 1 + (op % 5);
            smh.state.mkdir(DEMO_LIBRARY_ID, '-', `soak/op${op}`);
            const items = Array.from({ length: count }, (_, i) => ({
              from: i % 2 === 0 ? 'foo/1.jpg' : 'foo/2.jpg',
              to: `soak/op${op}/${i}.jpg`,
            }));
            record(smhTally, await post(SMH_MUTATION, { items }), smhSucceeded, 'smh');
          } else if (kind < 9) {
            // DingTalk: 1–5 distinct ids (chunks of 3) into a fresh folder; the non-empty folder copies asynchronously.
            const pool = ['d-file-1', 'd-file-2', 'd-file-3', 'd-folder-1', 'd-folder-2'];
            const ids = Array.from(
              { length: 1 + (op % 5) },
              (_, i) => pool[(op + i) % pool.length] as string,
            );
            const folder = dingtalk.state.createFolder(DINGTALK_SEED.targetSpaceId, `op${op}`).id;
            record(dtTally, await post(DINGTALK_MUTATION, { ids, folder }), dtSucceeded, 'dingtalk');
          } else {
            const id = acceptedTasks[op % Math.max(1, acceptedTasks.length)];
            if (!id) continue;
            const body = await post(TASK_QUERY, { id });
            for (const error of body?.errors ?? [])
              bump(taskTally.errorCodes, String(error.extensions?.code));
            const task = body?.data?.copyTask as { state: string } | null | undefined;
            bump(taskTally.taskStates, task ? task.state : 'null');
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const elapsedMs = Date.now() - started;

      // Let every upstream task finish and every look end, then compare what ran with what the gateway
      // reported.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const finals = new Map<string, Item[]>();
      const open = new Set(lost.flatMap((l) => (l.task ? [l.task] : [])));
      const lookEnd = Date.now() + WINDOW_SECONDS * 1000 + 5000;
      while (open.size > 0 && Date.now() < lookEnd) {
        for (const id of [...open]) {
          const body = await post(TASK_ITEMS, { id });
          const task = body?.data?.copyTask as { done: boolean; items: Item[] } | null | undefined;
          finals.set(id, task?.items ?? []);
          if (!task || task.done) open.delete(id);
        }
        if (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const resolutionWaitMs = Date.now() - lookEnd + WINDOW_SECONDS * 1000 + 5000;
      for (const item of lost) {
        if (!item.task) continue;
        item.final = finals.get(item.task)?.find((i) => i.source === item.source && i.target === item.target);
      }
      smh.settleTasks();
      const smhExecuted = smh.stats.executedItems;
      const dtExecuted = dingtalk.stats.executedCopies;
      const rssAfter = process.memoryUsage().rss;
      const verifyStarted = Date.now();

      // What actually ran for each lost answer, by the emulators' records.
      const ran = (item: Lost): string | undefined => {
        if (item.provider === 'smh')
          return smh.stats.copiesTo('-', item.target).length > 0 ? item.target : undefined;
        return dingtalk.stats
          .copiesOf(item.source)
          .find((r) => dingtalk.state.getDentry(r.targetDentryId)?.parentId === item.target)?.targetDentryId;
      };
      const resolution = { lost: lost.length, ran: 0, resolved: 0, resolvedOfRan: 0, remaining: 0, wrong: 0 };
      const wrong: string[] = [];
      for (const item of lost) {
        const copy = ran(item);
        const final = item.final;
        if (copy !== undefined) resolution.ran += 1;
        if (!final || final.status === 'UNKNOWN') {
          resolution.remaining += 1;
          continue;
        }
        resolution.resolved += 1;
        if (copy !== undefined) resolution.resolvedOfRan += 1;
        const right =
          final.evidence === 'TARGET_LOOKUP' &&
          (final.status === 'SUCCEEDED' ? copy !== undefined && final.result === copy : copy === undefined);
        if (!right)
          wrong.push(
            `${item.provider} ${item.source} → ${item.target}: ${JSON.stringify(final)} (ran: ${copy})`,
          );
      }
      resolution.wrong = wrong.length;

      const figures = {
        operations: next,
        elapsedMs,
        opsPerSecond: Math.round((next / elapsedMs) * 1000),
        faultsInjected: { smh: smh.faults.firedCount, dingtalk: dingtalk.faults.firedCount },
        smh: { ...smhTally, executedUpstream: smhExecuted },
        dingtalk: { ...dtTally, executedUpstream: dtExecuted },
        copyTask: taskTally,
        unknownResolution: {
          ...resolution,
          waitAfterRunMs: resolutionWaitMs,
          resolvedPercentOfRan:
            resolution.ran === 0 ? 100 : Math.round((resolution.resolvedOfRan / resolution.ran) * 1000) / 10,
        },
        non200: httpErrors,
        rssMiB: { before: Math.round(rssBefore / 2 ** 20), after: Math.round(rssAfter / 2 ** 20) },
      };
      console.warn(`fault soak figures: ${JSON.stringify(figures, null, 2)}`);

      expect(malformed.slice(0, 5)).toEqual([]);
      // A look never settles an item wrongly: SUCCEEDED only with the copy that ran, FAILED only when none ran.
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(next).toBeGreaterThanOrEqual(Math.min(OPS, 1000));
      expect(smh.faults.firedCount + dingtalk.faults.firedCount).toBeGreaterThan(0);
      // No item that may have run was sent twice: the upstream executed at most what the gateway
      // reported as done, unknown or running, and at least what it reported done synchronously.
      const upperSmh = smhTally.items.SUCCEEDED + smhTally.items.UNKNOWN + smhTally.items.PENDING;
      expect(smhExecuted).toBeLessThanOrEqual(upperSmh);
      expect(smhExecuted).toBeGreaterThanOrEqual(smhTally.items.SUCCEEDED);
      const upperDt = dtTally.items.SUCCEEDED + dtTally.items.UNKNOWN + dtTally.items.PENDING;
      expect(dtExecuted).toBeLessThanOrEqual(upperDt);
      expect(dtExecuted).toBeGreaterThanOrEqual(dtTally.items.SUCCEEDED);
      // Nothing reported SUCCEEDED is missing upstream.
      const missingSmh = smhSucceeded.filter((path) => !smh.state.exists(DEMO_LIBRARY_ID, '-', path));
      const missingDt = dtSucceeded.filter((id) => !dingtalk.state.getDentry(id));
      expect(missingSmh).toEqual([]);
      expect(missingDt).toEqual([]);
      // Each reported copy ran exactly once, by the emulators' per-target records (one lookup each).
      const notOnceSmh = smhSucceeded.filter((path) => smh.stats.copiesTo('-', path).length !== 1);
      const unrecordedDt = dtSucceeded.filter((id) => dingtalk.stats.copyTo(id) === undefined);
      expect(notOnceSmh.slice(0, 5)).toEqual([]);
      expect(unrecordedDt.slice(0, 5)).toEqual([]);
      console.warn(`fault soak verification took ${Date.now() - verifyStarted} ms`);
      // Bounded memory: the emulators' trees grow with every copy, so allow generous room.
      expect(rssAfter - rssBefore).toBeLessThan(768 * 2 ** 20);
    },
    TIME_LIMIT_MS + 60_000 + WINDOW_SECONDS * 1000,
  );
});
