// Instructions per request: runs a gateway build under Valgrind's callgrind with instrumentation off,
// warms it up, then counts the instructions (Ir, every thread of the process) over a fixed number of
// requests. An instruction count depends far less than time on what else the machine is doing, so two
// builds can be compared on a busy machine one after the other. It is not exact: it includes garbage
// collection (whether a major collection falls in the window) and work on timers (more of it per
// request when the process runs slower), so the same build can move by ±10 % between runs: compare
// builds in alternation (--main a --main b --main a --main b) and look at the spread.
// https://valgrind.org/docs/manual/cl-manual.html
//
// Usage: npm run -s build && node bench/instructions.mjs [--scenario smh|dingtalk|tasks --requests 2000
//          --warmup 3000 --connections 8 --main dist/main.js --main ../other/dist/main.js --keep]
// Each --main is one build, measured in turn, in the gateway's production configuration (as in
// bench/run.mjs); `--main proxy` is the bare proxy (bench/bare-proxy.mjs) making the same upstream call. --keep leaves the callgrind output files for callgrind_annotate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { answers, freePort, startNode, stop, stopAll } from './lib/processes.mjs';
import { gatewayEnv, makeTaskIds, scenarios, TASK_LOOKUPS } from './lib/scenarios.mjs';

const { values: options } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'smh' },
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '8' },
    main: { type: 'string', multiple: true, default: ['dist/main.js'] },
    keep: { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(options.requests);
const WARMUP = Number(options.warmup);
const CONNECTIONS = Number(options.connections);

/** Sends `count` copies of one request over `connections` keep-alive connections; counts bad answers. */
async function drive(origin, { path, headers, body }, count, expect) {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  let next = 0;
  let bad = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const response = await pool.request({ method: 'POST', path, headers, body });
      const text = await response.body.text();
      if (response.statusCode !== 200 || !text.includes(expect)) bad += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  } finally {
    await pool.close();
  }
  return bad;
}

/** callgrind_control on one process only (without a pid it would act on every callgrind run). */
function control(pid, ...args) {
  // valgrind names its control pipe after the USER and HOST variables, so callgrind_control must see
  // the gateway's (startNode passes PATH and HOME, and the gateway's HOST is its listening address).
  const result = spawnSync('callgrind_control', [...args, String(pid)], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST },
  });
  if (result.status !== 0 || !/OK/.test(result.stdout))
    throw new Error(`callgrind_control ${args.join(' ')} failed: ${result.stdout}${result.stderr}`);
}

/**
 * The instruction total of the dumps that appeared in `dir` since `before` (their `totals:` or
 * `summary:` lines). callgrind takes a command when the process next runs, so this waits for the file.
 */
async function dumpedInstructions(dir, before) {
  const fresh = () =>
    readdirSync(dir).filter((name) => name.startsWith('callgrind.out') && !before.has(name));
  for (let waited = 0; fresh().length === 0 && waited < 60_000; waited += 200) await sleep(200);
  const dumps = fresh();
  if (dumps.length === 0) throw new Error(`callgrind wrote no dump into ${dir} within a minute`);
  await sleep(1000); // the file is written in one go, but give it time to be complete
  let total = 0;
  for (const name of dumps) {
    const match = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(dir, name), 'utf8'));
    if (match) total += Number(match[1]);
  }
  return total;
}

const VALGRIND = ['valgrind', '--tool=callgrind', '--instr-atstart=no'];
const HOST = gatewayEnv(0, '').HOST;

/** Starts `main` (a gateway build, or `proxy` for the bare proxy) under callgrind, ready for requests. */
async function start(main, upstream, dir) {
  const wrapper = [...VALGRIND, `--callgrind-out-file=${dir}/callgrind.out.%p`];
  if (main === 'proxy') {
    const proxy = startNode(['bench/bare-proxy.mjs'], {
      env: { UPSTREAM_URL: upstream, HOST },
      wrapper,
      waitFor: /listening at (http:\/\/127\.0\.0\.1:\d+)/,
    });
    // The canned upstream answers any task ids; the proxy needs no gateway to make them.
    const upstreamIds = Array.from({ length: TASK_LOOKUPS }, (_, i) => i + 1);
    return {
      child: proxy.child,
      origin: await proxy.started,
      kind: 'proxy',
      taskIds: { ids: [], upstreamIds },
    };
  }
  const port = await freePort();
  const gateway = startNode([main], { env: gatewayEnv(port, upstream), wrapper });
  await gateway.started;
  const origin = `http://127.0.0.1:${port}`;
  await answers(`${origin}/readyz`, 300);
  const taskIds =
    options.scenario === 'tasks' ? await makeTaskIds(origin, TASK_LOOKUPS) : { ids: [], upstreamIds: [] };
  return { child: gateway.child, origin, kind: 'gateway', taskIds };
}

async function measure(main, upstream, dir) {
  const server = await start(main, upstream, dir);
  const scenario = scenarios(server.taskIds)[options.scenario];
  const request = scenario[server.kind];
  const expect = scenario.expect[server.kind];
  const { origin } = server;
  const pid = server.child.pid;
  let bad = await drive(origin, request, WARMUP, expect);
  const before = new Set(readdirSync(dir));
  control(pid, '--instr=on');
  control(pid, '--zero');
  bad += await drive(origin, request, REQUESTS, expect);
  control(pid, '--dump=measured');
  control(pid, '--instr=off');
  const instructions = await dumpedInstructions(dir, before);
  // Valgrind runs the exit slowly; a dump is all that was wanted.
  await stop(server.child, 10_000);
  return { instructions, perRequest: instructions / REQUESTS, bad };
}

const dir = mkdtempSync(join(tmpdir(), 'gateway-callgrind-'));
// Stopped from outside: stop the servers too, so none is left running.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => void stopAll().finally(() => process.exit(1)));
const upstreamProcess = startNode(['bench/canned-upstream.mjs'], {
  waitFor: /listening at (http:\/\/127\.0\.0\.1:\d+)/,
});
const results = [];
try {
  const upstream = await upstreamProcess.started;
  for (const main of options.main) {
    const result = await measure(main, upstream, dir);
    results.push({ main, ...result });
    console.log(
      `${main}: ${options.scenario}, ${REQUESTS} requests after ${WARMUP}: ` +
        `${(result.perRequest / 1000).toFixed(0)} k instructions per request` +
        (result.bad ? ` (${result.bad} bad answers)` : ''),
    );
  }
} finally {
  await stopAll();
  if (!options.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`callgrind output in ${dir}`);
}
if (results.length > 1) {
  const [first, ...rest] = results;
  for (const r of rest)
    console.log(`${first.main} / ${r.main}: ×${(first.perRequest / r.perRequest).toFixed(3)} instructions`);
}
