// Child processes of a benchmark run: start them (pinned to a core with taskset where it exists), wait
// until they answer, read their memory and CPU time from /proc, stop them by pid.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { clearTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

const children = new Set();

/** True when `taskset` runs here and there are at least two cores to split between server and load. */
export function canPin() {
  if (availableParallelism() < 2) return false;
  return spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
}

/** Moves this process (the orchestrator) to `core`. */
export function pinSelf(core) {
  spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
}

/**
 * Starts `node <args>` (on `core` when given, under `wrapper` such as valgrind when given) with exactly `env` plus PATH and HOME, so nothing from the
 * caller's environment (LOG_LEVEL, METRICS…) changes what is measured. stdout is dropped unless
 * `waitFor` is given: then the promise resolves with the first match of that pattern in stdout.
 */
export function startNode(args, { env = {}, core, waitFor, ipc = false, nodeArgs = [], wrapper = [] } = {}) {
  const [command, ...argv] = [
    ...(core === undefined ? [] : ['taskset', '-c', String(core)]),
    ...wrapper,
    process.execPath,
    ...nodeArgs,
    ...args,
  ];
  const child = spawn(command, argv, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', waitFor ? 'pipe' : 'ignore', 'inherit', ...(ipc ? ['ipc'] : [])],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const started = new Promise((resolve, reject) => {
    const failed = (code) =>
      reject(new Error(`node ${args.join(' ')} exited with ${code} before it was ready`));
    child.once('exit', failed);
    if (!waitFor) {
      child.once('spawn', () => resolve(undefined));
      return;
    }
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      const match = waitFor.exec(out);
      if (match) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        child.off('exit', failed);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
  });
  return { child, started };
}

/** A free loopback port (for the gateway, whose production log line is not parsed here). */
export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once GET `url` answers 200, polling for at most `seconds`. */
export async function answers(url, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const response = await request(url);
      await response.body.dump();
      if (response.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${seconds} s`);
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** User + system CPU seconds a process has used (Linux /proc, clock ticks of 1/100 s). */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Stops one child (SIGTERM by pid), waiting up to `graceMs` before SIGKILL. */
export function stop(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every child this module started, waiting up to two seconds for each. */
export async function stopAll() {
  await Promise.all([...children].map((child) => stop(child)));
}
