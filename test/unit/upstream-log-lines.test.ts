import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UpstreamHttpClient } from '../../src/upstream/http.js';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('an upstream log line names the upstream once, whichever logger writes it', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const client = new UpstreamHttpClient('SMH', url, { timeoutMs: 2_000, logger });
  try {
    await client.send({ method: 'GET', path: '/x' });
    await client.send({ method: 'GET', path: '/y', log: logger.child({ reqId: 'r1' }) });
  } finally {
    await client.close();
  }
  const calls = lines.filter((line) => line.includes('"upstream call"'));
  expect(calls).toHaveLength(2);
  for (const line of calls) expect(line.match(/"upstream":/g)).toHaveLength(1);
  expect(JSON.parse(calls[0]!).upstream).toBe('smh');
});
