import type { IncomingHttpHeaders } from 'node:http';
import {
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Attribute names of a GraphQL operation's span: OpenTelemetry's GraphQL semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/graphql/graphql-spans/) and `copy_gateway.*` for the rest.
 */
export const OPERATION_ATTRIBUTES = {
  type: 'graphql.operation.type',
  name: 'graphql.operation.name',
  requestId: 'copy_gateway.request_id',
  errorCodes: 'copy_gateway.graphql.error_codes',
  status: 'http.response.status_code',
} as const;

/** The span's name until the operation is known: the semantic conventions' name for that case. */
const UNKNOWN_OPERATION = 'GraphQL Operation';

/**
 * Starts the span of one GraphQL operation, a child of the caller's trace when `headers` carry a
 * valid W3C `traceparent` (a new trace otherwise), and returns the context that holds it: the
 * operation's upstream calls make their spans under it. {@link endOperationSpan} ends it.
 */
export function startOperationSpan(tracer: Tracer, headers: IncomingHttpHeaders, requestId: string): Context {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer.startSpan(
    UNKNOWN_OPERATION,
    { kind: SpanKind.SERVER, attributes: { [OPERATION_ATTRIBUTES.requestId]: requestId } },
    parent,
  );
  return trace.setSpan(parent, span);
}

/** Names the operation's span `<type> <name>` (`mutation CopyFiles`; the type alone when unnamed). */
export function nameOperationSpan(context: Context, type: string, name: string | null | undefined): void {
  const span = trace.getSpan(context);
  if (!span) return;
  span.updateName(name ? `${type} ${name}` : type);
  span.setAttribute(OPERATION_ATTRIBUTES.type, type);
  if (name) span.setAttribute(OPERATION_ATTRIBUTES.name, name);
}

/**
 * Ends the operation's span. With errors, the span is an error and records their codes
 * (`extensions.code`; never their messages); `status` is the HTTP status of the answer, if any.
 */
export function endOperationSpan(
  context: Context,
  errors: readonly { extensions?: Readonly<Record<string, unknown>> }[] | undefined,
  status?: number,
): void {
  const span = trace.getSpan(context);
  if (!span) return;
  if (errors && errors.length > 0) {
    const codes = errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN'));
    span.setAttribute(OPERATION_ATTRIBUTES.errorCodes, codes);
    span.setStatus({ code: SpanStatusCode.ERROR, message: codes[0] });
  }
  if (status !== undefined) span.setAttribute(OPERATION_ATTRIBUTES.status, status);
  span.end();
}
