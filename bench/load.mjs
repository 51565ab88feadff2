// The load generator, a child process of bench/run.mjs (pinned to its own core there) that takes jobs
// over the IPC channel and answers each with one message:
//   {type:'throughput', url, headers, body, connections, seconds | amount} → autocannon, closed loop
//   {type:'sequential', url, headers, body, calls, expect}                → one connection, one call at a
//                                                                            time, each call timed in µs
// Every target here is on loopback; every job is bounded by its seconds, amount or calls.
import autocannon from 'autocannon';
import { Client } from 'undici';

/** Closed-loop load at `connections` for `seconds` (or until `amount` requests), through autocannon. */
async function throughput(job) {
  const result = await autocannon({
    url: job.url,
    method: 'POST',
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    ...(job.amount ? { amount: job.amount } : { duration: job.seconds }),
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyP50ms: result.latency.p50,
    latencyP99ms: result.latency.p99,
  };
}

/**
 * `calls` requests one after another on one keep-alive connection; each is timed from send to the
 * last byte of the answer, in microseconds. An answer that is not 200 or lacks `expect` is an error.
 */
async function sequential(job) {
  const url = new globalThis.URL(job.url);
  const client = new Client(url.origin, { pipelining: 1 });
  const request = { method: 'POST', path: url.pathname, headers: job.headers, body: job.body };
  const micros = [];
  let errors = 0;
  try {
    for (let i = 0; i < job.calls; i++) {
      const started = performance.now();
      const response = await client.request(request);
      const text = await response.body.text();
      const elapsed = (performance.now() - started) * 1000;
      if (response.statusCode !== 200 || (job.expect && !text.includes(job.expect))) errors += 1;
      micros.push(elapsed);
    }
  } finally {
    await client.close();
  }
  return { micros, errors };
}

const jobs = { throughput, sequential };

process.on('message', async (job) => {
  try {
    process.send({ ok: true, result: await jobs[job.type](job) });
  } catch (error) {
    process.send({ ok: false, error: error instanceof Error ? error.stack : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
