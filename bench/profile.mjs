// Profiles the gateway under load: starts it as bench/run.mjs does (production configuration, pinned
// core, canned upstream) with `node --cpu-prof`, drives one scenario at 32 connections for --seconds,
// stops it, and prints where the CPU time went, by package and by function, self and inclusive.
// Usage: npm run -s build && node bench/profile.mjs [--scenario smh|dingtalk|tasks --seconds 15 --top 25]
//        [--main bench/minimal-apollo.mjs]   (profiles another server started the same way, e.g. the reference)
//        node bench/profile.mjs --analyse some.cpuprofile      (only the analysis)
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarize, table } from './lib/cpuprofile.mjs';
import { answers, canPin, freePort, pinSelf, startNode, stopAll } from './lib/processes.mjs';
import { gatewayEnv, makeTaskIds, scenarios, TASK_LOOKUPS } from './lib/scenarios.mjs';

const { values: options } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'smh' },
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '32' },
    top: { type: 'string', default: '25' },
    analyse: { type: 'string' },
    main: { type: 'string', default: 'dist/main.js' },
  },
});
const TOP = Number(options.top);

async function record() {
  const pinned = canPin();
  if (pinned) pinSelf(1);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-profile-'));
  try {
    const upstreamProcess = startNode(['bench/canned-upstream.mjs'], {
      core: pinned ? 1 : undefined,
      waitFor: /listening at (http:\/\/127\.0\.0\.1:\d+)/,
    });
    const upstream = await upstreamProcess.started;
    const port = await freePort();
    const gateway = startNode([options.main], {
      env: gatewayEnv(port, upstream),
      core: pinned ? 0 : undefined,
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
    await gateway.started;
    const origin = `http://127.0.0.1:${port}`;
    await answers(`${origin}/readyz`);
    const load = startNode(['bench/load.mjs'], { core: pinned ? 1 : undefined, ipc: true });
    await load.started;
    const taskIds =
      options.scenario === 'tasks' ? await makeTaskIds(origin, TASK_LOOKUPS) : { ids: [], upstreamIds: [] };
    const { path, headers, body } = scenarios(taskIds)[options.scenario].gateway;
    const result = await new Promise((resolve) => {
      load.child.once('message', resolve);
      load.child.send({
        type: 'throughput',
        url: origin + path,
        headers,
        body,
        connections: Number(options.connections),
        seconds: Number(options.seconds),
      });
    });
    if (!result.ok) throw new Error(result.error);
    console.log(
      `${options.scenario}: ${result.result.requests} requests in ${result.result.seconds} s ` +
        `(${result.result.non2xx} non-2xx, ${result.result.errors} errors)`,
    );
  } finally {
    await stopAll();
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the gateway wrote no profile into ${dir}`);
  return join(dir, file);
}

const path = options.analyse ?? (await record());
const { total, self, inclusive } = summarize(path);
console.log(`\nprofile: ${path}; ${total.toFixed(0)} ms of CPU (idle left out)\n`);
console.log(table('package (self)', self.pkg, total, TOP), '\n');
console.log(table('package (inclusive)', inclusive.pkg, total, TOP), '\n');
console.log(table('function (self)', self.fn, total, TOP), '\n');
console.log(table('function (inclusive)', inclusive.fn, total, TOP * 2));
