// Throughput of the gateway against a bare undici proxy making the same upstream call (one SMH batch
// copy of one file), measured in the same run so the ratio survives a noisy machine. Everything runs
// on loopback; each phase is bounded in time. Usage: npm run bench [-- --seconds 10 --connections 16]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);

const children = [];
/** Starts a child process and resolves with the first URL it prints. */
function start(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

/** A free loopback port, for the gateway (which prints no URL at LOG_LEVEL=warn). */
function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers. */
async function ready(url) {
  for (let i = 0; i < 100; i++) {
    try {
      await (await request(url)).body.dump();
      return url;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

let counter = 0;
/** Closed-loop load: CONNECTIONS workers, each sending its next request when the last one answered. */
async function load(label, url, makeBody, headers, seconds) {
  const agent = new Agent({ connections: CONNECTIONS });
  const deadline = Date.now() + seconds * 1000;
  const latencies = [];
  let errors = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      const response = await request(url, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(makeBody(counter++)),
      });
      const text = await response.body.text();
      if (response.statusCode !== 200 || (!text.includes('"status"') && !text.includes('SUCCEEDED')))
        errors += 1;
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await agent.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  const rps = latencies.length / seconds;
  return { label, requests: latencies.length, rps, p50: pct(50), p99: pct(99), errors };
}

try {
  const smh = await start(['dist/emulators/smh/cli.js', '--port', '0', '--async-threshold', 'never']);
  const tokenAnswer = await request(
    `${smh}/api/v1/token?library_id=smhdemo&library_secret=smhdemo-secret&grant=admin`,
  );
  const { accessToken } = await tokenAnswer.body.json();
  const port = await freePort();
  const gatewayProcess = start(['dist/main.js'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    SMH_BASE_URL: smh,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  gatewayProcess.catch(() => undefined);
  const gateway = await ready(`http://127.0.0.1:${port}/healthz`).then(() => `http://127.0.0.1:${port}`);
  const proxy = await start(['bench/bare-proxy.mjs'], { SMH_BASE_URL: smh });
  const headers = { 'x-smh-access-token': accessToken };
  const query =
    'mutation($items: [SmhCopyItemInput!]!) { batchCopy(input: { smh: { libraryId: "smhdemo", items: $items } }) { __typename ... on CopyOutcome { items { status result } } } }';
  const item = (n) => [{ from: 'foo/1.jpg', to: `foo/bench-${n}.jpg` }];
  const viaGateway = (n) => ({ query, variables: { items: item(n) } });
  const viaProxy = (n) => ({ libraryId: 'smhdemo', items: item(n) });

  await load('warm-up gateway', `${gateway}/graphql`, viaGateway, headers, 2);
  await load('warm-up proxy', proxy, viaProxy, headers, 2);
  const results = [];
  for (let round = 0; round < ROUNDS; round++) {
    results.push(await load('bare proxy', proxy, viaProxy, headers, SECONDS));
    results.push(await load('gateway', `${gateway}/graphql`, viaGateway, headers, SECONDS));
  }
  const mean = (label) =>
    results.filter((r) => r.label === label).reduce((sum, r) => sum + r.rps, 0) / ROUNDS;
  console.log(
    `\nSMH batchCopy of one file, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per side, node ${process.version}`,
  );
  console.table(results.map((r) => ({ ...r, rps: Math.round(r.rps) })));
  console.log(`gateway / bare proxy throughput: ${(mean('gateway') / mean('bare proxy')).toFixed(2)}`);
} finally {
  for (const child of children) child.kill('SIGTERM');
}
