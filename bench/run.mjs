// The gateway against a bare undici proxy, both in front of the same canned upstream that answers
// instantly, so what is measured is the gateway's own cost. Both servers are pinned to one core, the load
// generator and the upstream to the other (taskset, where there are two cores); sides take turns in
// alternating rounds of one run, and ratios are taken per round, so machine noise cancels out of them.
//
// The gateway runs as a user runs it: `node dist/main.js` with NODE_ENV=production, managed credentials,
// API keys (the key is sent), metrics, breaker and logging at their defaults.
//
// Usage: [BENCH_SHORT=1] npm run bench [-- --seconds 5 --rounds 3 --connections 32 --calls 1000 --rss-requests 100000
//                          --only smh,dingtalk,tasks --compare ../other/dist/main.js --compare-env "LOG_LEVEL=warn"
//                          --note "text"
//                          --results bench/RESULTS.md (or - for none) --gateway-node-args "--cpu-prof"]
// Every request goes to 127.0.0.1; every phase is bounded by its seconds, calls or request count.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { request } from 'undici';
import {
  answers,
  canPin,
  cpuSeconds,
  freePort,
  pinSelf,
  rssBytes,
  startNode,
  stopAll,
} from './lib/processes.mjs';
import { median, percentile } from './lib/stats.mjs';
import { gatewayEnv, makeTaskIds, scenarios, send, TASK_LOOKUPS } from './lib/scenarios.mjs';

/**
 * BENCH_SHORT=1: shorter rounds and a smaller memory run (about two minutes in all); the sequential
 * calls stay at 3 × 1000 per side, so p99 still rests on 30 calls. Options given on the command line win.
 */
const SHORT = process.env.BENCH_SHORT === '1';
const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: SHORT ? '2' : '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    calls: { type: 'string', default: '1000' },
    'rss-requests': { type: 'string', default: SHORT ? '20000' : '100000' },
    warmup: { type: 'string', default: SHORT ? '1' : '2' },
    only: { type: 'string', default: 'smh,dingtalk,tasks' },
    compare: { type: 'string' },
    'compare-env': { type: 'string', default: '' },
    note: { type: 'string', default: '' },
    results: { type: 'string', default: 'bench/RESULTS.md' },
    'gateway-node-args': { type: 'string', default: '' },
  },
});
const SECONDS = Number(options.seconds);
const ROUNDS = Number(options.rounds);
const CONNECTIONS = Number(options.connections);
const CALLS = Number(options.calls);
const RSS_REQUESTS = Number(options['rss-requests']);
const WARMUP = Number(options.warmup);
const ONLY = options.only.split(',').filter(Boolean);
/** Sequential calls per side in one turn. */
const SLICE_CALLS = 100;
const SERVER_CORE = 0;
const LOAD_CORE = 1;
const LISTENING = /listening at (http:\/\/127\.0\.0\.1:\d+)/;
const GOALS = { ratio: 0.6, addedP50: 250, addedP99: 700, upstreamCalls: 1, rssGrowthMb: 50 };

const pinned = canPin();
const serverCore = pinned ? SERVER_CORE : undefined;
const loadCore = pinned ? LOAD_CORE : undefined;
if (pinned) pinSelf(LOAD_CORE);

/** `A=1 B=2` → { A: '1', B: '2' }: settings the baseline side runs with on top of the gateway's. */
function compareEnv(text) {
  return Object.fromEntries(
    text
      .split(' ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/** Starts a gateway build (`main` is its dist/main.js) and resolves once /readyz answers. */
async function startGateway(name, main, extraEnv = {}) {
  const port = await freePort();
  const nodeArgs = options['gateway-node-args'].split(' ').filter(Boolean);
  const { child, started } = startNode([main], {
    env: { ...gatewayEnv(port, upstream), ...extraEnv },
    core: serverCore,
    nodeArgs,
  });
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${name} (${main}) exited with ${code}`))),
  );
  exited.catch(() => undefined);
  await started;
  const origin = `http://127.0.0.1:${port}`;
  await Promise.race([answers(`${origin}/readyz`), exited]);
  return { name, kind: 'gateway', origin, pid: child.pid, main };
}

async function upstreamCounts() {
  const response = await request(`${upstream}/_bench/counts`);
  return response.body.json();
}

/** Runs one job in the load generator and resolves with its answer. */
function job(message) {
  return new Promise((resolve, reject) => {
    load.child.once('message', (answer) =>
      answer.ok ? resolve(answer.result) : reject(new Error(answer.error)),
    );
    load.child.send(message);
  });
}

const requestFor = (side, scenario) => (side.kind === 'proxy' ? scenario.proxy : scenario.gateway);

/** One closed-loop throughput measurement of one side, with the CPU both processes used meanwhile. */
async function throughput(side, scenario, seconds = SECONDS) {
  const { path, headers, body } = requestFor(side, scenario);
  const before = await upstreamCounts();
  const cpu = cpuSeconds(side.pid);
  const loadCpu = cpuSeconds(load.child.pid);
  const upstreamCpu = cpuSeconds(upstreamPid);
  const started = performance.now();
  const result = await job({
    type: 'throughput',
    url: side.origin + path,
    headers,
    body,
    connections: CONNECTIONS,
    seconds,
  });
  const wall = (performance.now() - started) / 1000;
  const after = await upstreamCounts();
  const used = cpuSeconds(side.pid) - cpu;
  return {
    ...result,
    cpu: used / wall,
    cpuPerRequest: (used * 1e6) / result.requests,
    loadCpu: (cpuSeconds(load.child.pid) - loadCpu) / wall,
    upstreamCpu: (cpuSeconds(upstreamPid) - upstreamCpu) / wall,
    // Below 1, some answers did not reach the upstream (a GraphQL error still answers 200).
    upstreamPerRequest: (after[scenario.upstreamCount] - before[scenario.upstreamCount]) / result.requests,
  };
}

/** `calls` sequential calls of one side, each timed in µs, and the upstream calls they made. */
async function sequential(side, scenario, calls) {
  const { path, headers, body } = requestFor(side, scenario);
  const expect = scenario.expect[side.kind];
  const before = await upstreamCounts();
  const result = await job({ type: 'sequential', url: side.origin + path, headers, body, calls, expect });
  const after = await upstreamCounts();
  return { ...result, upstreamCalls: after[scenario.upstreamCount] - before[scenario.upstreamCount] };
}

/** Sides in the order of round `r`: alternating, so neither side always runs first. */
const orderOf = (sides, r) => (r % 2 === 0 ? sides : [...sides].reverse());
const mb = (bytes) => bytes / (1024 * 1024);
const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

let upstream;
let upstreamPid;
let load;
const report = { scenarios: {}, checks: {} };
try {
  const upstreamProcess = startNode(['bench/canned-upstream.mjs'], { core: loadCore, waitFor: LISTENING });
  upstream = await upstreamProcess.started;
  upstreamPid = upstreamProcess.child.pid;
  const proxyProcess = startNode(['bench/bare-proxy.mjs'], {
    env: { UPSTREAM_URL: upstream },
    core: serverCore,
    waitFor: LISTENING,
  });
  const proxy = {
    name: 'proxy',
    kind: 'proxy',
    origin: await proxyProcess.started,
    pid: proxyProcess.child.pid,
  };
  const gateway = await startGateway('gateway', 'dist/main.js');
  const sides = [proxy, gateway];
  if (options.compare) {
    sides.push(await startGateway('baseline', options.compare, compareEnv(options['compare-env'])));
  }
  load = startNode(['bench/load.mjs'], { core: loadCore, ipc: true });
  await load.started;

  const taskIds = await makeTaskIds(gateway.origin, TASK_LOOKUPS);
  const all = scenarios(taskIds);

  // Every side answers every scenario correctly before anything is timed.
  for (const name of ONLY) {
    const scenario = all[name];
    for (const side of sides) {
      const before = await upstreamCounts();
      const answer = await send(side.origin, requestFor(side, scenario));
      const after = await upstreamCounts();
      if (answer.status !== 200 || !scenario.check[side.kind](answer.json)) {
        throw new Error(
          `${side.name} answered ${scenario.title} wrongly (${answer.status}): ${answer.text.slice(0, 500)}`,
        );
      }
      report.checks[`${name}/${side.name}`] = after[scenario.upstreamCount] - before[scenario.upstreamCount];
    }
  }
  console.log('answers checked; upstream calls per request:', report.checks);

  // Memory: RSS before and after RSS_REQUESTS mutations, after a warm-up.
  if (RSS_REQUESTS > 0) {
    const smh = all.smh;
    await throughput(gateway, smh, WARMUP);
    const before = rssBytes(gateway.pid);
    const { path, headers, body } = smh.gateway;
    const counted = await upstreamCounts();
    const result = await job({
      type: 'throughput',
      url: gateway.origin + path,
      headers,
      body,
      connections: CONNECTIONS,
      amount: RSS_REQUESTS,
    });
    const after = rssBytes(gateway.pid);
    const upstreamCalls = (await upstreamCounts()).smhBatch - counted.smhBatch;
    report.rss = {
      before,
      after,
      requests: result.requests,
      non2xx: result.non2xx,
      errors: result.errors,
      upstreamCalls,
    };
    console.log(
      `RSS: ${fixed(mb(before), 1)} MB before, ${fixed(mb(after), 1)} MB after ${result.requests} requests ` +
        `(${result.non2xx} non-2xx, ${result.errors} errors, ${upstreamCalls} upstream calls)`,
    );
  }

  for (const name of ONLY) {
    const scenario = all[name];
    for (const side of sides) await throughput(side, scenario, WARMUP);
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = {};
      for (const side of orderOf(sides, r)) round[side.name] = await throughput(side, scenario);
      rounds.push(round);
      console.log(
        `${name} round ${r + 1}: ` +
          sides
            .map((s) => {
              const { rps, cpu, cpuPerRequest, loadCpu, upstreamCpu, upstreamPerRequest } = round[s.name];
              return (
                `${s.name} ${fixed(rps)} req/s, ${fixed(cpuPerRequest)} CPU µs/req, ${fixed(upstreamPerRequest, 2)} upstream calls/req ` +
                `(CPU: server ${fixed(cpu * 100)} %, load ${fixed(loadCpu * 100)} %, upstream ${fixed(upstreamCpu * 100)} %)`
              );
            })
            .join('; '),
      );
    }
    const micros = Object.fromEntries(sides.map((s) => [s.name, []]));
    const errors = Object.fromEntries(sides.map((s) => [s.name, 0]));
    const upstreamCalls = Object.fromEntries(sides.map((s) => [s.name, 0]));
    // Short alternating slices, so every side meets the same moments of the machine's other load.
    for (const side of sides) await sequential(side, scenario, Math.min(200, CALLS));
    const slices = Math.max(1, Math.round((ROUNDS * CALLS) / SLICE_CALLS));
    for (let r = 0; r < slices; r++) {
      for (const side of orderOf(sides, r)) {
        const result = await sequential(side, scenario, Math.round((ROUNDS * CALLS) / slices));
        micros[side.name].push(...result.micros);
        errors[side.name] += result.errors;
        upstreamCalls[side.name] += result.upstreamCalls;
      }
    }
    const latency = Object.fromEntries(
      sides.map((s) => [
        s.name,
        {
          p50: percentile(micros[s.name], 50),
          p99: percentile(micros[s.name], 99),
          calls: micros[s.name].length,
          errors: errors[s.name],
          upstreamPerCall: upstreamCalls[s.name] / micros[s.name].length,
        },
      ]),
    );
    report.scenarios[name] = { title: scenario.title, rounds, latency };
  }
  report.rssEnd = rssBytes(gateway.pid);
  report.sides = sides.map((s) => ({ name: s.name, main: s.main }));
} finally {
  await stopAll();
}

// ---- report ----
const ratio = (round, a, b) => round[a].rps / round[b].rps;
const lines = [];
const commit = (() => {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' + uncommitted src changes' : ''}`;
  } catch {
    return 'unknown';
  }
})();
const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
const stamp = new Date().toISOString().replace('T', ' ').slice(0, 16);
lines.push(`### ${stamp} UTC${SHORT ? ' (BENCH_SHORT)' : ''}${options.note ? ` — ${options.note}` : ''}`, '');
lines.push(
  `Gateway ${commit}; node ${process.version}; ${cpuModel}; ` +
    (pinned
      ? `gateway and proxy on core ${SERVER_CORE}, load generator and canned upstream on core ${LOAD_CORE} (taskset)`
      : 'not pinned (no taskset or one core)') +
    `; ${ROUNDS} rounds × ${SECONDS} s per side at ${CONNECTIONS} connections; sequential ${ROUNDS * CALLS} calls per side in alternating turns of ${SLICE_CALLS}` +
    (options.compare
      ? `; baseline gateway: ${options.compare}${options['compare-env'] ? ` with ${options['compare-env']}` : ''}`
      : '') +
    '.',
  '',
);
const others = report.sides.filter((s) => s.name !== 'proxy').map((s) => s.name);
lines.push(
  `| scenario | proxy req/s | ${others.map((n) => `${n} req/s`).join(' | ')} | gateway/proxy per round | **median** | ${
    options.compare
      ? 'gateway/baseline per round | **median** | CPU µs per request (baseline / gateway) | **baseline/gateway CPU per request** | '
      : ''
  }server CPU use (proxy / gateway) | CPU µs per request (proxy / gateway) | proxy/gateway CPU per request |`,
);
lines.push(`|${' --- |'.repeat(7 + others.length + (options.compare ? 4 : 0))}`);
for (const s of Object.values(report.scenarios)) {
  const perRound = s.rounds.map((r) => ratio(r, 'gateway', 'proxy'));
  const rps = (side) => s.rounds.map((r) => fixed(r[side].rps)).join(', ');
  const cpu = (side) => fixed(median(s.rounds.map((r) => r[side].cpu * 100))) + ' %';
  const cpuPerRequest = (side) => fixed(median(s.rounds.map((r) => r[side].cpuPerRequest)));
  s.cpuRatio = median(s.rounds.map((r) => r.proxy.cpuPerRequest / r.gateway.cpuPerRequest));
  const compare = options.compare
    ? (() => {
        const against = s.rounds.map((r) => ratio(r, 'gateway', 'baseline'));
        s.cpuAgainstBaseline = median(
          s.rounds.map((r) => r.baseline.cpuPerRequest / r.gateway.cpuPerRequest),
        );
        return (
          `${against.map((v) => fixed(v, 3)).join(', ')} | **${fixed(median(against), 3)}** | ` +
          `${cpuPerRequest('baseline')} / ${cpuPerRequest('gateway')} | **${fixed(s.cpuAgainstBaseline, 3)}** | `
        );
      })()
    : '';
  s.medianRatio = median(perRound);
  lines.push(
    `| ${s.title} | ${rps('proxy')} | ${others.map(rps).join(' | ')} | ${perRound.map((v) => fixed(v, 3)).join(', ')} | **${fixed(s.medianRatio, 3)}** | ${compare}${cpu('proxy')} / ${cpu('gateway')} | ${cpuPerRequest('proxy')} / ${cpuPerRequest('gateway')} | ${fixed(s.cpuRatio, 3)} |`,
  );
}
lines.push('');
lines.push(
  `| sequential latency (µs) | proxy p50 | gateway p50 | **added p50** | proxy p99 | gateway p99 | **added p99** |${options.compare ? ' baseline p50 | baseline p99 |' : ''} calls per side | errors |`,
);
lines.push(`|${' --- |'.repeat(9 + (options.compare ? 2 : 0))}`);
for (const s of Object.values(report.scenarios)) {
  const { proxy, gateway, baseline } = s.latency;
  s.addedP50 = gateway.p50 - proxy.p50;
  s.addedP99 = gateway.p99 - proxy.p99;
  lines.push(
    `| ${s.title} | ${fixed(proxy.p50)} | ${fixed(gateway.p50)} | **${fixed(s.addedP50)}** | ${fixed(proxy.p99)} | ${fixed(gateway.p99)} | **${fixed(s.addedP99)}** |${
      baseline ? ` ${fixed(baseline.p50)} | ${fixed(baseline.p99)} |` : ''
    } ${gateway.calls} | ${Object.values(s.latency)
      .map((l) => l.errors)
      .join(' / ')} |`,
  );
}
lines.push('');
const tasks = report.scenarios.tasks;
if (tasks) {
  const perRequest = tasks.latency.gateway.upstreamPerCall;
  report.upstreamCalls = report.checks['tasks/gateway'];
  lines.push(
    `copyTask × ${TASK_LOOKUPS} in one request: ${report.upstreamCalls} upstream call(s) for the checked request, ` +
      `${fixed(perRequest, 2)} per request over the ${tasks.latency.gateway.calls} sequential ones; sequential p50 ${fixed(tasks.latency.gateway.p50)} µs ` +
      `(proxy's one task query: ${fixed(tasks.latency.proxy.p50)} µs).`,
    '',
  );
}
if (report.rss) {
  const { before, after, requests, non2xx, errors, upstreamCalls } = report.rss;
  report.rssGrowthMb = mb(after - before);
  lines.push(
    `RSS of the gateway: ${fixed(mb(before), 1)} MB before, ${fixed(mb(after), 1)} MB after ${requests} SMH mutations ` +
      `(growth **${fixed(report.rssGrowthMb, 1)} MB**; ${non2xx} non-2xx, ${errors} errors, ${upstreamCalls} upstream calls); ` +
      `${fixed(mb(report.rssEnd), 1)} MB at the end of the run.`,
    '',
  );
}
const smh = report.scenarios.smh;
const verdict = (ok) => (ok ? 'met' : '**not met**');
const goals = [];
if (smh) {
  goals.push(
    `throughput ${fixed(smh.medianRatio, 3)}× (goal ≥ ${GOALS.ratio}): ${verdict(smh.medianRatio >= GOALS.ratio)}`,
  );
  goals.push(
    `CPU per request ${fixed(smh.cpuRatio, 3)}× the proxy's efficiency (same goal): ${verdict(smh.cpuRatio >= GOALS.ratio)}`,
  );
  goals.push(
    `added p50 ${fixed(smh.addedP50)} µs (≤ ${GOALS.addedP50}): ${verdict(smh.addedP50 <= GOALS.addedP50)}`,
  );
  goals.push(
    `added p99 ${fixed(smh.addedP99)} µs (≤ ${GOALS.addedP99}): ${verdict(smh.addedP99 <= GOALS.addedP99)}`,
  );
}
if (tasks)
  goals.push(
    `copyTask × ${TASK_LOOKUPS} → ${report.upstreamCalls} upstream call(s): ${verdict(report.upstreamCalls === GOALS.upstreamCalls)}`,
  );
if (report.rss)
  goals.push(
    `RSS growth ${fixed(report.rssGrowthMb, 1)} MB over ${report.rss.requests} requests (< ${GOALS.rssGrowthMb} over 100000): ${
      report.rss.requests >= 100_000
        ? verdict(report.rssGrowthMb < GOALS.rssGrowthMb)
        : 'not judged (fewer requests)'
    }`,
  );
if (goals.length > 0) lines.push(`Goals (SMH scenario): ${goals.join('; ')}.`, '');

const text = lines.join('\n');
console.log(`\n${text}`);
if (options.results && options.results !== '-') {
  const existing = existsSync(options.results) ? readFileSync(options.results, 'utf8') : '';
  const markdown = `${existing.trimEnd()}\n\n${text}\n`;
  // Formatted as `prettier --check` expects it, so a run never leaves the lint red.
  writeFileSync(
    options.results,
    await format(markdown, { ...(await resolveConfig(options.results)), filepath: options.results }),
  );
  console.log(`\nwritten to ${options.results}`);
}
