import type { Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingSettings } from './settings.js';

/** The name spans of this service are created under (the instrumentation scope). */
export const TRACER_NAME = 'copy-gateway';

/** `service.name` when neither `OTEL_SERVICE_NAME` nor `OTEL_RESOURCE_ATTRIBUTES` names one. */
const SERVICE_NAME = 'copy-gateway';

/** A running OpenTelemetry SDK: the tracer the gateway's spans come from, and how to stop it. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Exports the spans still buffered, then stops the SDK and the undici instrumentation. */
  shutdown(): Promise<void>;
}

/** What {@link startTracing} needs besides the settings. */
export interface TracingOptions {
  /**
   * Makes an upstream path with its query string safe to record (query parameters that hold
   * secrets, such as SMH's `access_token`, redacted). HTTP client spans record their URL through it.
   */
  redactPath: (pathWithQuery: string) => string;
  /**
   * Exporters to use instead of the ones the settings name, each behind a processor that exports a
   * span as soon as it ends (tests give an in-memory exporter).
   */
  exporters?: SpanExporter[];
}

/**
 * Starts the OpenTelemetry SDK when the settings name an exporter (or `options.exporters` are
 * given), else returns undefined without loading any SDK module. Registers a Node tracer provider
 * (AsyncLocalStorage context, W3C Trace Context and Baggage propagation, the sampler of
 * `OTEL_TRACES_SAMPLER`), with `service.name` `copy-gateway` unless the environment names one, and the
 * undici instrumentation, which makes a client span (and sends `traceparent`) for every undici
 * request made under an active span — the gateway's upstream calls — and none for others.
 */
export async function startTracing(
  settings: TracingSettings,
  options: TracingOptions,
): Promise<Tracing | undefined> {
  if (settings.exporters.length === 0 && options.exporters === undefined) return undefined;
  const [
    { context, propagation, trace },
    { NodeTracerProvider },
    base,
    resources,
    { UndiciInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation-undici'),
  ]);
  const spanProcessors = options.exporters
    ? options.exporters.map((exporter) => new base.SimpleSpanProcessor(exporter))
    : await Promise.all(
        settings.exporters.map(async (name) => {
          if (name === 'console') return new base.SimpleSpanProcessor(new base.ConsoleSpanExporter());
          const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
          // Endpoint, headers and timeout come from the OTEL_EXPORTER_OTLP_* variables.
          return new base.BatchSpanProcessor(new OTLPTraceExporter());
        }),
      );
  const resource = resources
    .resourceFromAttributes({ 'service.name': SERVICE_NAME })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register();
  const undici = new UndiciInstrumentation({
    requireParentforSpans: true,
    // Replaces the URL attributes before the span starts, so no secret query value is ever recorded.
    startSpanHook: (request) => {
      const path = options.redactPath(request.path);
      const query = path.indexOf('?');
      return {
        'url.full': request.origin + path,
        'url.path': query < 0 ? path : path.slice(0, query),
        'url.query': query < 0 ? '' : path.slice(query),
      };
    },
  });
  undici.setTracerProvider(provider);
  return {
    tracer: provider.getTracer(TRACER_NAME),
    async shutdown() {
      undici.disable();
      await provider.shutdown();
      // Unregisters the globals, so that the SDK can be started again in this process.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
