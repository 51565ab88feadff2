import { context, SpanKind, SpanStatusCode, trace, type Context, type Tracer } from '@opentelemetry/api';

/** What an upstream call's span records when it starts. Nothing here may hold a secret. */
export interface UpstreamCallFacts {
  /** The provider id, e.g. `SMH`. */
  provider: string;
  /** The provider as people write it, e.g. `DingTalk`: the span is named `<displayName> <operation>`. */
  displayName: string;
  /** What the call is for (`batch_copy`, `task_query`, `token`, `target_lookup`, `target_snapshot`, `other`). */
  operation: string;
  method: string;
  /** Retries of this call that came before this attempt (0: the first attempt). */
  retry: number;
  /** The request id the call carries in `x-request-id`, if any. */
  requestId?: string;
}

/** One upstream call's span, started by {@link startUpstreamSpan}. */
export interface UpstreamSpan {
  /** Runs `send` with the span active, so the HTTP client span of the undici instrumentation is its child. */
  run<T>(send: () => Promise<T>): Promise<T>;
  /**
   * Ends the span with the call's outcome: the HTTP status class (`2xx`…), a failure code
   * (`UPSTREAM_TIMEOUT`…), `circuit_open` or `rate_limited` (not sent), and the HTTP status when an
   * answer came. Any outcome but `2xx` marks the span as an error.
   */
  end(outcome: string, status?: number): void;
}

/**
 * Attribute names of an upstream call's span: the HTTP method and status under OpenTelemetry's HTTP
 * semantic conventions (https://opentelemetry.io/docs/specs/semconv/http/http-spans/), the rest under
 * `copy_gateway.upstream.*`.
 */
export const UPSTREAM_ATTRIBUTES = {
  provider: 'copy_gateway.upstream.provider',
  operation: 'copy_gateway.upstream.operation',
  outcome: 'copy_gateway.upstream.outcome',
  retry: 'copy_gateway.upstream.retry_count',
  requestId: 'copy_gateway.request_id',
  method: 'http.request.method',
  status: 'http.response.status_code',
} as const;

/**
 * Starts the span of one attempt of an upstream call, a child of `parent` (the operation's context;
 * the active context when there is none, e.g. for a token fetch no operation owns).
 */
export function startUpstreamSpan(
  tracer: Tracer,
  parent: Context | undefined,
  facts: UpstreamCallFacts,
): UpstreamSpan {
  const span = tracer.startSpan(
    `${facts.displayName} ${facts.operation}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [UPSTREAM_ATTRIBUTES.provider]: facts.provider,
        [UPSTREAM_ATTRIBUTES.operation]: facts.operation,
        [UPSTREAM_ATTRIBUTES.method]: facts.method,
        [UPSTREAM_ATTRIBUTES.retry]: facts.retry,
        ...(facts.requestId === undefined ? {} : { [UPSTREAM_ATTRIBUTES.requestId]: facts.requestId }),
      },
    },
    parent ?? context.active(),
  );
  const active = trace.setSpan(parent ?? context.active(), span);
  return {
    run: (send) => context.with(active, send),
    end(outcome, status) {
      span.setAttribute(UPSTREAM_ATTRIBUTES.outcome, outcome);
      if (status !== undefined) span.setAttribute(UPSTREAM_ATTRIBUTES.status, status);
      if (outcome !== '2xx') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      span.end();
    },
  };
}
