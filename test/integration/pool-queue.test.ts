/**
 * A request that waited for a free connection and ran out of time there was never sent: its item is
 * FAILED and retryable. Only requests that reached a connection (and so may have been written) are
 * UNKNOWN. Counted against a raw loopback server that reads requests and never answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamFailure } from '../../src/copy/errors.js';
import { createLogger } from '../../src/log.js';
import { UpstreamHttpClient } from '../../src/upstream/http.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

interface Silent {
  url: string;
  /** Requests whose head arrived. */
  received(): number;
  close(): Promise<void>;
}

async function silentUpstream(): Promise<Silent> {
  let received = 0;
  const server: Server = createServer(() => {
    received += 1; // and never answer
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

describe('calls still queued in the connection pool', () => {
  it('are not sent: only calls that got a connection end with an unknown outcome', async () => {
    const upstream = await silentUpstream();
    cleanup.push(upstream.close);
    const http = new UpstreamHttpClient('SMH', upstream.url, {
      timeoutMs: 800,
      connections: 4,
      logger: createLogger('silent'),
    });
    cleanup.push(() => http.close());
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        http.send({ method: 'POST', path: '/api/v1/batch/lib/-', body: [] }).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    const failures = results.map((r) => {
      expect(r).toBeInstanceOf(UpstreamFailure);
      return r as UpstreamFailure;
    });
    const sent = failures.filter((f) => f.execution === 'unknown');
    const queued = failures.filter((f) => f.execution === 'not-executed');
    // The calls started within a millisecond or two, so their time runs out together; a queued call
    // whose time runs out a moment later may still get a connection freed by an earlier one.
    expect(upstream.received()).toBeGreaterThanOrEqual(4);
    expect(sent.length).toBeGreaterThanOrEqual(upstream.received());
    expect(sent.length + queued.length).toBe(20);
    expect(queued.length).toBeGreaterThanOrEqual(10);
    for (const f of queued) {
      expect(f.code).toBe('UPSTREAM_TIMEOUT');
      expect(f.error.retryable).toBe(true);
      expect(f.error.message).toMatch(/was not sent/);
    }
    for (const f of sent) {
      expect(f.code).toBe('UPSTREAM_TIMEOUT');
      expect(f.error.retryable).toBe(false);
    }
  });

  it('are not sent when the operation deadline passes while they wait', async () => {
    const upstream = await silentUpstream();
    cleanup.push(upstream.close);
    const http = new UpstreamHttpClient('DINGTALK', upstream.url, {
      timeoutMs: 10_000,
      connections: 3,
      logger: createLogger('silent'),
    });
    cleanup.push(() => http.close());
    const deadline = AbortSignal.timeout(500);
    const failures = await Promise.all(
      Array.from({ length: 12 }, () =>
        http.send({ method: 'POST', path: '/v1.0/x', body: {}, signal: deadline }).then(
          () => undefined,
          (error: unknown) => error as UpstreamFailure,
        ),
      ),
    );
    expect(upstream.received()).toBe(3);
    expect(failures.map((f) => f?.execution).sort()).toEqual([
      ...Array<string>(9).fill('not-executed'),
      ...Array<string>(3).fill('unknown'),
    ]);
    const queued = failures.filter((f) => f?.execution === 'not-executed');
    for (const f of queued) {
      expect(f?.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', retryable: true });
      expect(f?.error.message).toMatch(/within the operation deadline; the request was not sent/);
    }
  });

  it('through the gateway: items that never reached the upstream are FAILED and retryable', async () => {
    const upstream = await silentUpstream();
    cleanup.push(upstream.close);
    const gw: TestGateway = await startGateway({
      SMH_BASE_URL: upstream.url,
      UNKNOWN_RESOLUTION: 'off',
      UPSTREAM_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'warn',
      CIRCUIT_MIN_REQUESTS: '100000',
    });
    cleanup.push(() => gw.close());
    const COPY = `mutation($input: SmhBatchCopyInput!) { batchCopy(input: { smh: $input }) {
      ... on CopyOutcome { items { status error { code retryable } } } } }`;
    type Answer = { batchCopy: { items: { status: string; error: { code: string; retryable: boolean } }[] } };
    // More concurrent operations than the pool has connections (64).
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        gw.graphql<Answer>(
          COPY,
          { input: { libraryId: 'lib', items: [{ from: `a/${i}.jpg`, to: `b/${i}.jpg` }] } },
          { 'x-smh-access-token': 'token' },
        ),
      ),
    );
    const items = answers.map(({ body }) => {
      expect(body.errors).toBeUndefined();
      return body.data?.batchCopy.items[0] as Answer['batchCopy']['items'][number];
    });
    const unknown = items.filter((i) => i.status === 'UNKNOWN');
    const failed = items.filter((i) => i.status === 'FAILED');
    expect(unknown.length + failed.length).toBe(100);
    // Every request that arrived is UNKNOWN; so is one handed to a connection shortly before its time
    // ran out, which may have been written without being read yet. Calls still queued when their own
    // time ran out are FAILED: how many depends on timing, as a queued call gets a connection as soon
    // as an earlier call's time runs out (the two tests above pin the counts down).
    expect(unknown.length).toBeGreaterThanOrEqual(upstream.received());
    for (const item of failed) expect(item.error).toEqual({ code: 'UPSTREAM_TIMEOUT', retryable: true });
    for (const item of unknown) expect(item.error).toEqual({ code: 'UPSTREAM_TIMEOUT', retryable: false });
  }, 20_000);
});
