import type { EnvReader } from '../env.js';

/** Where finished spans go: an OTLP/HTTP collector, or stdout (one object per span, for a look). */
export type TraceExporterName = 'otlp' | 'console';

/** Whether and where the gateway exports OpenTelemetry traces. */
export interface TracingSettings {
  /** The exporters, in the order named; empty: tracing is off and no SDK module is loaded. */
  exporters: TraceExporterName[];
}

const EXPORTERS = ['otlp', 'console', 'none'] as const;

/**
 * Reads the OpenTelemetry SDK's standard variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). Tracing is off
 * unless asked for:
 *
 * - `OTEL_SDK_DISABLED=true` turns it off, whatever else is set;
 * - `OTEL_TRACES_EXPORTER`: a comma-separated list of `otlp`, `console` and `none` (`none` alone: off);
 * - unset, tracing is on with `otlp` when `OTEL_EXPORTER_OTLP_ENDPOINT` or
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, and off otherwise (the SDK's own default would send
 *   to localhost:4318 from every process that never asked).
 *
 * OTLP goes over HTTP: `OTEL_EXPORTER_OTLP_PROTOCOL` / `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` may be
 * `http/json` or `http/protobuf` (collectors take both on one port), not `grpc`. The exporter reads
 * the endpoint, headers and timeout variables itself; the SDK reads `OTEL_TRACES_SAMPLER`,
 * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`.
 */
export function readTracing(reader: EnvReader): TracingSettings {
  const disabled = reader.text('OTEL_SDK_DISABLED');
  // The specification reads only "true" (any case) as true; anything else leaves the SDK on.
  if (disabled?.toLowerCase() === 'true') return { exporters: [] };
  const named = reader.text('OTEL_TRACES_EXPORTER');
  let exporters: TraceExporterName[];
  if (named === undefined) {
    const endpoint =
      reader.text('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? reader.text('OTEL_EXPORTER_OTLP_ENDPOINT');
    exporters = endpoint === undefined ? [] : ['otlp'];
  } else {
    const names = named
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '');
    const unknown = names.filter((name) => !(EXPORTERS as readonly string[]).includes(name));
    if (unknown.length > 0 || names.length === 0) {
      reader.problem('OTEL_TRACES_EXPORTER', 'otlp, console or none (comma-separated)', named);
      return { exporters: [] };
    }
    exporters = [...new Set(names.filter((name): name is TraceExporterName => name !== 'none'))];
  }
  if (exporters.includes('otlp')) {
    for (const variable of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
      const protocol = reader.text(variable);
      if (protocol !== undefined && !['http/json', 'http/protobuf'].includes(protocol)) {
        reader.problem(variable, 'http/json or http/protobuf (the gateway exports OTLP over HTTP)', protocol);
      }
    }
  }
  return { exporters };
}
