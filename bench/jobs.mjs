// A large background job against a DingTalk emulator whose every batch copy call takes 40 ms: wall time
// from the request to the job's end, against the ideal for an upstream allowing 200 calls a second,
// ⌈ids / 3⌉ / 200 s; on one gateway replica and on two sharing one Redis; each replica's RSS before and
// after. The gateways run as a user runs them (`node dist/main.js`, NODE_ENV=production, Redis, a
// TASK_ID_SECRET, pass-through tokens), paced at DINGTALK_MAX_CALLS_PER_SECOND=200 across the fleet.
//
// One job runs on one replica at a time (its chunks are sent by the replica that holds it), with
// JOB_CHUNK_CONCURRENCY calls in flight (default 16: more than the 8 that 200 calls a second of 40 ms
// need, so the pacing, not the latency, sets the rate). With two replicas the same ids go as two jobs
// of half the ids, one accepted by each replica, sharing the fleet's 200 calls a second.
//
// --jobs N splits the ids into N jobs instead (given to the replicas in turn), to see what turns cost:
// with --job-concurrency 1, jobs of one replica take turns every --turn-ms (JOB_TURN_MS; 0: one after
// the other), and the wall time is still set by the pacing when turns cost nothing.
//
// Usage: npm run build && node bench/jobs.mjs [--ids 10000 --latency-ms 40 --limit 200 --replicas 1,2
//                                              --in-flight 16 --jobs N --job-concurrency C --turn-ms T]
// BENCH_PROF=<dir> writes each gateway's CPU profile there.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { DINGTALK_SEED, startDingTalkEmulator } from '../dist/emulators/dingtalk/index.js';
import { freePort, rssBytes, startNode, stopAll } from './lib/processes.mjs';

const { values: options } = parseArgs({
  options: {
    ids: { type: 'string', default: '10000' },
    'latency-ms': { type: 'string', default: '40' },
    limit: { type: 'string', default: '200' },
    replicas: { type: 'string', default: '1,2' },
    'timeout-s': { type: 'string', default: '300' },
    // Calls in flight per job.
    'in-flight': { type: 'string', default: '16' },
    // How often the bench reads each job's state (every read builds the whole task).
    'poll-ms': { type: 'string', default: '250' },
    // Jobs the ids are split into (default: one per replica), JOB_CONCURRENCY and JOB_TURN_MS.
    jobs: { type: 'string' },
    'job-concurrency': { type: 'string' },
    'turn-ms': { type: 'string' },
  },
});
const IDS = Number(options.ids);
const LATENCY_MS = Number(options['latency-ms']);
const LIMIT = Number(options.limit);
const TIMEOUT_MS = Number(options['timeout-s']) * 1000;
const CHUNK = 3;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = `bench-task-id-secret-${randomUUID()}`;
const IN_FLIGHT = Number(options['in-flight']);
const POLL_MS = Number(options['poll-ms']);

const COPY = `mutation($input: DingTalkBatchCopyInput!) { batchCopy(input: { dingtalk: $input }) {
  __typename ... on CopyAccepted { task { id } } } }`;
const PROGRESS = `query($id: ID!) { copyTask(id: $id) { done state summary { succeeded failed unknown } } }`;

async function graphql(url, query, variables, headers) {
  const response = await request(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const json = await response.body.json();
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json.data;
}

async function startGateway(prefix) {
  const port = await freePort();
  const { child, started } = startNode(['dist/main.js'], {
    nodeArgs: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [],
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DINGTALK_BASE_URL: dingtalk.url,
      REDIS_URL,
      TASK_ID_SECRET: SECRET,
      JOBS_KEY_PREFIX: prefix,
      JOB_CHUNK_CONCURRENCY: String(IN_FLIGHT),
      DINGTALK_MAX_CALLS_PER_SECOND: String(LIMIT),
      UPSTREAM_RATE_KEY_PREFIX: `${prefix}call-rate`,
      TASK_POLL_INTERVAL_MS: '200',
      SHUTDOWN_DELAY_MS: '0',
      ...(options['job-concurrency'] ? { JOB_CONCURRENCY: options['job-concurrency'] } : {}),
      ...(options['turn-ms'] ? { JOB_TURN_MS: options['turn-ms'] } : {}),
    },
  });
  await started;
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await request(`${url}/readyz`)).statusCode === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url };
}

/** The most batch copy calls the emulator counted in one wall-clock second of the run. */
function busiestSecond() {
  return Math.max(0, ...Object.values(dingtalk.stats.callRates.toJSON().batchCopy ?? {}));
}

async function run(replicas) {
  const prefix = `bench-jobs-${randomUUID()}:`;
  const gateways = [];
  for (let r = 0; r < replicas; r++) gateways.push(await startGateway(prefix));
  const rssBefore = gateways.map((g) => rssBytes(g.child.pid));
  const ids = Array.from({ length: IDS }, (_, i) => {
    const id = `bench-${randomUUID().slice(0, 8)}-${i}`;
    dingtalk.state.createFile(DINGTALK_SEED.sourceSpaceId, `${id}.txt`, { id });
    return id;
  });
  const headers = { 'x-acs-dingtalk-access-token': dingtalk.issueToken() };
  const firstCall = dingtalk.stats.copyRequests.length;
  const jobs = Number(options.jobs ?? replicas);
  const share = Math.ceil(IDS / jobs);
  dingtalk.stats.callRates.reset();
  const started = performance.now();
  const accepted = await Promise.all(
    Array.from({ length: jobs }, async (_, r) => {
      const gateway = gateways[r % replicas];
      const t = performance.now();
      const data = await graphql(
        gateway.url,
        COPY,
        {
          input: {
            spaceId: DINGTALK_SEED.sourceSpaceId,
            unionId: DINGTALK_SEED.unionId,
            targetSpaceId: DINGTALK_SEED.targetSpaceId,
            targetFolderId: DINGTALK_SEED.targetFolderId,
            dentryIds: ids.slice(r * share, (r + 1) * share),
            conflictStrategy: 'RENAME',
            execution: 'BACKGROUND',
          },
        },
        headers,
      );
      return { gateway, id: data.batchCopy.task.id, acceptMs: performance.now() - t };
    }),
  );
  const finished = await Promise.all(
    accepted.map(async ({ gateway, id }) => {
      for (;;) {
        const { copyTask } = await graphql(gateway.url, PROGRESS, { id }, headers);
        if (copyTask.done) return copyTask;
        if (performance.now() - started > TIMEOUT_MS) throw new Error(`job not done in ${TIMEOUT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }),
  );
  const wallS = (performance.now() - started) / 1000;
  const peak = busiestSecond();
  const rssAfter = gateways.map((g) => rssBytes(g.child.pid));
  const calls = dingtalk.stats.copyRequests.length - firstCall;
  const ideal = Math.ceil(IDS / CHUNK) / LIMIT;
  const succeeded = finished.reduce((n, t) => n + t.summary.succeeded, 0);
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
  console.log(
    [
      `${replicas} replica${replicas > 1 ? 's' : ''}: ${IDS} ids in ${jobs} job${jobs > 1 ? 's' : ''}${options['job-concurrency'] ? ` (JOB_CONCURRENCY=${options['job-concurrency']})` : ''}${options['turn-ms'] ? ` (JOB_TURN_MS=${options['turn-ms']})` : ''}, ${calls} calls of ${LATENCY_MS} ms, ${IN_FLIGHT} in flight per job, paced at ${LIMIT}/s`,
      `  accepted in ${accepted.map((a) => `${a.acceptMs.toFixed(0)} ms`).join(' / ')}`,
      `  wall ${wallS.toFixed(2)} s; ideal ⌈${IDS}/3⌉/${LIMIT} = ${ideal.toFixed(2)} s; ratio ${(wallS / ideal).toFixed(3)}× (goal ≤ 1.1×)`,
      `  peak upstream calls in a second: ${peak}; items SUCCEEDED: ${succeeded}/${IDS}; states ${finished.map((t) => t.state).join(', ')}`,
      `  RSS before → after: ${gateways.map((_, r) => `${mb(rssBefore[r])} → ${mb(rssAfter[r])} MB`).join(' / ')}`,
    ].join('\n'),
  );
  await stopAll();
}

const dingtalk = await startDingTalkEmulator({ seed: true });
dingtalk.faults.add({ kind: 'latency', ms: LATENCY_MS, pathIncludes: '/batchCopy' });
try {
  for (const replicas of options.replicas.split(',').map(Number)) await run(replicas);
} finally {
  await stopAll();
  await dingtalk.close();
}
