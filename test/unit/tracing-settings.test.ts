import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { EnvReader, type Env } from '../../src/env.js';
import { readTracing } from '../../src/tracing/settings.js';

function read(env: Env) {
  const reader = new EnvReader(env);
  const settings = readTracing(reader);
  return { settings, problems: reader.problems };
}

const ENDPOINT = 'http://127.0.0.1:4318';

describe('tracing settings from the OTEL_* variables', () => {
  it('are off when nothing asks for them', () => {
    expect(read({})).toEqual({ settings: { exporters: [] }, problems: [] });
    expect(read({ OTEL_SERVICE_NAME: 'gw', OTEL_TRACES_SAMPLER: 'always_on' }).settings.exporters).toEqual(
      [],
    );
    expect(loadConfig({}).tracing).toEqual({ exporters: [] });
  });

  it('are on with OTLP when an OTLP endpoint is set', () => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }).settings.exporters).toEqual(['otlp']);
    expect(read({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${ENDPOINT}/v1/traces` }).settings.exporters).toEqual([
      'otlp',
    ]);
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).settings.exporters).toEqual([]);
  });

  it('follow OTEL_TRACES_EXPORTER: otlp, console, both, or none', () => {
    expect(read({ OTEL_TRACES_EXPORTER: 'otlp' }).settings.exporters).toEqual(['otlp']);
    expect(read({ OTEL_TRACES_EXPORTER: 'console' }).settings.exporters).toEqual(['console']);
    expect(read({ OTEL_TRACES_EXPORTER: ' OTLP , console,otlp' }).settings.exporters).toEqual([
      'otlp',
      'console',
    ]);
    expect(
      read({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }).settings.exporters,
    ).toEqual([]);
  });

  it('are off with OTEL_SDK_DISABLED=true, whatever else is set', () => {
    for (const value of ['true', 'TRUE', ' True ']) {
      expect(
        read({
          OTEL_SDK_DISABLED: value,
          OTEL_TRACES_EXPORTER: 'console',
          OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
        }).settings.exporters,
      ).toEqual([]);
    }
    // Only "true" disables the SDK (the specification's boolean), so these leave it on.
    for (const value of ['false', '1', 'yes']) {
      expect(read({ OTEL_SDK_DISABLED: value, OTEL_TRACES_EXPORTER: 'console' }).settings.exporters).toEqual([
        'console',
      ]);
    }
  });

  it('name a bad exporter or protocol', () => {
    expect(read({ OTEL_TRACES_EXPORTER: 'zipkin' }).problems).toEqual([
      {
        variable: 'OTEL_TRACES_EXPORTER',
        expected: 'otlp, console or none (comma-separated)',
        got: 'zipkin',
      },
    ]);
    expect(read({ OTEL_TRACES_EXPORTER: ',' }).problems.map((p) => p.variable)).toEqual([
      'OTEL_TRACES_EXPORTER',
    ]);
    expect(
      read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).problems,
    ).toEqual([
      {
        variable: 'OTEL_EXPORTER_OTLP_PROTOCOL',
        expected: 'http/json or http/protobuf (the gateway exports OTLP over HTTP)',
        got: 'grpc',
      },
    ]);
    for (const protocol of ['http/json', 'http/protobuf']) {
      expect(
        read({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol }).problems,
      ).toEqual([]);
    }
    // A protocol is not checked when nothing is exported over OTLP.
    expect(read({ OTEL_TRACES_EXPORTER: 'console', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).problems).toEqual(
      [],
    );
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(
      /OTEL_TRACES_EXPORTER: expected otlp/,
    );
  });
});

describe('startTracing', () => {
  /**
   * Loads the built gateway in a fresh Node process, starts tracing with `exporters`, and lists the
   * OpenTelemetry SDK packages then loaded (CommonJS, so in require's cache).
   */
  function sdkModulesLoaded(exporters: string[]): string[] {
    const script = `
      import { createRequire } from 'node:module';
      await import('./dist/app.js');
      const { startTracing } = await import('./dist/tracing/start.js');
      const tracing = await startTracing({ exporters: ${JSON.stringify(exporters)} }, { redactPath: (p) => p });
      const loaded = Object.keys(createRequire(import.meta.url).cache)
        .map((file) => /node_modules\\/(@opentelemetry\\/[^/]+)\\//.exec(file)?.[1])
        .filter((name) => name && name !== '@opentelemetry/api');
      await tracing?.shutdown();
      console.log(JSON.stringify([...new Set(loaded)].sort()));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, OTEL_TRACES_EXPORTER: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as string[];
  }

  it('loads no SDK module when tracing is off, and the SDK and the undici instrumentation when on', () => {
    expect(sdkModulesLoaded([])).toEqual([]);
    expect(sdkModulesLoaded(['otlp'])).toEqual(
      expect.arrayContaining([
        '@opentelemetry/sdk-trace-node',
        '@opentelemetry/sdk-trace-base',
        '@opentelemetry/instrumentation-undici',
        '@opentelemetry/exporter-trace-otlp-http',
      ]),
    );
  });
});
