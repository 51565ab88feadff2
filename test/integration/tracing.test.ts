/**
 * OpenTelemetry tracing over real HTTP, with the SDK started as in production but with an in-memory
 * exporter: a span per GraphQL operation (a child of the caller's traceparent), a span per upstream
 * call attempt under it (provider, operation, status, outcome, retry count), the undici
 * instrumentation's HTTP client span under that (with the URL redacted), traceparent sent upstream,
 * and no secret in any span.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { providers } from '../../src/providers/registry.js';
import { startTracing, type Tracing } from '../../src/tracing/start.js';
import { pathRedactor } from '../../src/upstream/redact.js';
import type { ConformanceDriver } from '../conformance/driver.js';
import { BatchCopy, OneTask } from '../conformance/documents.js';
import { dingTalkDriver } from '../conformance/drivers/dingtalk.js';
import { smhDriver } from '../conformance/drivers/smh.js';
import { startRig, type Rig, type RigMode } from '../helpers/rig.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN}-01`;

const exporter = new InMemorySpanExporter();
let tracing: Tracing;

beforeAll(async () => {
  const started = await startTracing(
    { exporters: [] },
    {
      redactPath: pathRedactor(providers.flatMap((p) => p.secretQueryParameters)),
      exporters: [exporter],
    },
  );
  if (!started) throw new Error('tracing did not start');
  tracing = started;
});
afterAll(() => tracing.shutdown());
beforeEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const childrenOf = (parent: ReadableSpan) =>
  spans().filter((s) => s.parentSpanContext?.spanId === idOf(parent));

function only(found: ReadableSpan[], what: string): ReadableSpan {
  expect(
    found.map((s) => s.name),
    what,
  ).toHaveLength(1);
  return found[0] as ReadableSpan;
}

/** Every secret of the rig, looked for in every span's name, attributes, events and status. */
function expectNoSecret(rig: Rig, secrets: readonly string[]): void {
  const text = JSON.stringify(
    spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
  );
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(text, 'a secret in a span').not.toContain(secret);
}

async function rigFor(
  driver: ConformanceDriver,
  mode: RigMode,
  env: Record<string, string> = {},
): Promise<Rig> {
  return startRig({ providers: [driver], mode, env, gateway: { tracer: tracing.tracer } });
}

/** A DingTalk rig with one copy running as a task, and no span recorded yet. */
async function acceptedDingTalkTask() {
  const driver = dingTalkDriver as unknown as ConformanceDriver;
  const rig = await rigFor(driver, 'pass-through');
  const upstream = rig.first.upstream;
  const { body } = await rig.graphql(BatchCopy, { input: driver.batch(upstream, 1, { async: true }).input });
  const task = body.data?.batchCopy?.__typename === 'CopyAccepted' ? body.data.batchCopy.task.id : '';
  expect(task).not.toBe('');
  exporter.reset();
  return { driver, rig, upstream, task };
}

describe('spans of a GraphQL operation and its upstream calls', () => {
  it('SMH: operation span under the caller trace, an attempt span per call with its retry count, the HTTP span under it', async () => {
    const driver = smhDriver as unknown as ConformanceDriver;
    const rig = await rigFor(driver, 'pass-through');
    const upstream = rig.first.upstream;
    driver.fault(upstream, 'throttle-once');
    const { body } = await rig.graphql(
      BatchCopy,
      { input: driver.batch(upstream, 2).input },
      { traceparent: TRACEPARENT },
    );
    expect(body.data?.batchCopy?.__typename).toBe('CopySucceeded');

    const operation = only(
      spans().filter((s) => s.kind === SpanKind.SERVER),
      'operation spans',
    );
    expect(operation.name).toBe('mutation ConformanceBatchCopy');
    expect(operation.spanContext().traceId).toBe(TRACE_ID);
    expect(operation.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(operation.attributes).toMatchObject({
      'graphql.operation.type': 'mutation',
      'graphql.operation.name': 'ConformanceBatchCopy',
      'copy_gateway.request_id': TRACE_ID,
      'http.response.status_code': 200,
    });
    expect(operation.status.code).not.toBe(SpanStatusCode.ERROR);

    const attempts = childrenOf(operation).sort(
      (a, b) =>
        Number(a.attributes['copy_gateway.upstream.retry_count']) -
        Number(b.attributes['copy_gateway.upstream.retry_count']),
    );
    expect(attempts.map((s) => s.name)).toEqual(['SMH batch_copy', 'SMH batch_copy']);
    expect(attempts.map((s) => s.attributes)).toEqual([
      expect.objectContaining({
        'copy_gateway.upstream.provider': 'SMH',
        'copy_gateway.upstream.operation': 'batch_copy',
        'copy_gateway.upstream.retry_count': 0,
        'copy_gateway.upstream.outcome': '4xx',
        'http.request.method': 'POST',
        'http.response.status_code': 429,
        'copy_gateway.request_id': TRACE_ID,
      }),
      expect.objectContaining({
        'copy_gateway.upstream.retry_count': 1,
        'copy_gateway.upstream.outcome': '2xx',
        'http.response.status_code': 200,
      }),
    ]);
    expect(attempts.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);

    // Each attempt's HTTP request: the undici instrumentation's client span, with the URL redacted.
    const http = attempts.map((attempt) => only(childrenOf(attempt), `HTTP span of ${attempt.name}`));
    for (const span of http) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.name).toBe('POST');
      expect(span.attributes['url.full']).toMatch(
        /\/api\/v1\/batch\/[^?]+\?copy=1&access_token=\[REDACTED\]$/,
      );
      expect(span.attributes['url.query']).toBe('?copy=1&access_token=[REDACTED]');
    }
    expect(http.map((s) => s.attributes['http.response.status_code'])).toEqual([429, 200]);

    // The upstream received the trace: traceparent names the HTTP span of each attempt.
    const copies = rig.first.exchanges.filter((e) => driver.kind(e) === 'copy');
    expect(copies.map((e) => e.headers.traceparent)).toEqual(http.map((s) => `00-${TRACE_ID}-${idOf(s)}-01`));
    expectNoSecret(rig, upstream.secrets);
  });

  it('SMH managed: token fetches have spans of their own, and no secret reaches any span', async () => {
    const driver = smhDriver as unknown as ConformanceDriver;
    const rig = await rigFor(driver, 'managed');
    const { body } = await rig.graphql(BatchCopy, { input: driver.batch(rig.first.upstream, 1).input });
    expect(body.data?.batchCopy?.__typename).toBe('CopySucceeded');
    const token = only(
      spans().filter((s) => s.name === 'SMH token'),
      'token spans',
    );
    expect(token.attributes).toMatchObject({
      'copy_gateway.upstream.outcome': '2xx',
      'http.response.status_code': 200,
    });
    const tokenHttp = only(childrenOf(token), 'HTTP span of the token fetch');
    expect(tokenHttp.attributes['url.full']).toMatch(/library_secret=\[REDACTED\]/);
    const operation = only(
      spans().filter((s) => s.kind === SpanKind.SERVER),
      'operation spans',
    );
    // Without a caller traceparent, the operation starts a trace of its own.
    expect(operation.parentSpanContext).toBeUndefined();
    expect(childrenOf(operation).map((s) => s.name)).toEqual(['SMH batch_copy']);
    expectNoSecret(rig, rig.first.upstream.secrets);
  });

  it('DingTalk: a task query is a span under the query operation; errors mark the operation span', async () => {
    const { rig, upstream, task } = await acceptedDingTalkTask();

    await rig.graphql(OneTask, { id: task });
    const operation = only(
      spans().filter((s) => s.kind === SpanKind.SERVER),
      'operation spans',
    );
    expect(operation.name).toBe('query ConformanceOneTask');
    const queries = childrenOf(operation);
    expect(queries.map((s) => s.name)).toEqual(['DingTalk task_query']);
    expect(queries[0]?.attributes).toMatchObject({
      'copy_gateway.upstream.provider': 'DINGTALK',
      'copy_gateway.upstream.retry_count': 0,
      'http.request.method': 'GET',
      'http.response.status_code': 200,
    });
    const http = only(childrenOf(queries[0] as ReadableSpan), 'HTTP span of the task query');
    expect(http.attributes['url.full']).toMatch(/\/v1\.0\/storage\/tasks\/[^?]+\?unionId=/);
    exporter.reset();

    const failed = await rig.gw.graphql('query Broken { copyTask(id: "not-a-task") { id } }');
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const broken = only(
      spans().filter((s) => s.kind === SpanKind.SERVER),
      'operation spans',
    );
    expect(broken.name).toBe('query Broken');
    expect(broken.status.code).toBe(SpanStatusCode.ERROR);
    expect(broken.attributes['copy_gateway.graphql.error_codes']).toEqual(['BAD_USER_INPUT']);
    expectNoSecret(rig, upstream.secrets);
  });

  it('a WebSocket subscription is one span, its polls under it', async () => {
    const { driver, rig, upstream, task } = await acceptedDingTalkTask();
    const client = createClient({
      url: rig.gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: upstream.headers,
      retryAttempts: 0,
    });
    try {
      let finished = false;
      await new Promise<void>((resolve, reject) => {
        client.subscribe(
          {
            query: 'subscription Follow($id: ID!) { copyTaskUpdated(id: $id) { done } }',
            variables: { id: task },
          },
          {
            next: () => {
              if (!finished) driver.finishTasks(upstream);
              finished = true;
            },
            error: reject,
            complete: resolve,
          },
        );
      });
    } finally {
      await client.dispose();
    }
    const operation = only(
      spans().filter((s) => s.kind === SpanKind.SERVER),
      'operation spans',
    );
    expect(operation.name).toBe('subscription Follow');
    expect(operation.attributes['copy_gateway.request_id']).toMatch(/:1$/);
    const polls = childrenOf(operation);
    expect(polls.length).toBeGreaterThan(0);
    expect(new Set(polls.map((s) => s.name))).toEqual(new Set(['DingTalk task_query']));
  });

  it('a call the gateway held back for its rate limit ends rate_limited, with no HTTP span', async () => {
    const driver = dingTalkDriver as unknown as ConformanceDriver;
    // One call a second, one dentry a call, 1.5 s to the deadline: two or three of five calls go.
    const rig = await rigFor(driver, 'pass-through', {
      DINGTALK_MAX_CALLS_PER_SECOND: '1',
      DINGTALK_CHUNK_SIZE: '1',
      OPERATION_TIMEOUT_MS: '1500',
    });
    await rig.graphql(BatchCopy, { input: driver.batch(rig.first.upstream, 5).input });
    const operation = only(
      spans().filter((s) => s.kind === SpanKind.SERVER),
      'operation spans',
    );
    const calls = childrenOf(operation);
    const held = calls.filter((s) => s.attributes['copy_gateway.upstream.outcome'] === 'rate_limited');
    const sent = calls.filter((s) => s.attributes['copy_gateway.upstream.outcome'] === '2xx');
    expect(held.length).toBeGreaterThan(0);
    expect(sent.length).toBeGreaterThan(0);
    expect(held.length + sent.length).toBe(calls.length);
    for (const span of held) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['http.response.status_code']).toBeUndefined();
      expect(childrenOf(span)).toEqual([]);
    }
    for (const span of sent) expect(childrenOf(span)).toHaveLength(1);
  });
});
