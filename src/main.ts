import { loadConfig, ConfigError, type Config } from './config.js';
import { buildGateway } from './app.js';
import { createLogger } from './log.js';
import { processLogOutput } from './log-output.js';
import { startDemo } from './demo/start.js';
import { providers } from './providers/registry.js';
import { startTracing } from './tracing/start.js';
import { pathRedactor } from './upstream/redact.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, providers);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`copy-gateway: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const output = processLogOutput(config.demo, config.logLevel, process.env.LOG_LEVEL !== undefined);
  const logger = createLogger(output.level, output.destination, providers);
  const tracing = await startTracing(config.tracing, {
    redactPath: pathRedactor(providers.flatMap((p) => p.secretQueryParameters)),
  });
  if (tracing) logger.info({ exporters: config.tracing.exporters }, 'OpenTelemetry tracing is on');
  const demo = config.demo ? await startDemo(config, logger, providers) : undefined;
  const effective = demo?.config ?? config;
  const app = await buildGateway(effective, logger, {
    examples: demo?.examples,
    providers,
    tracer: tracing?.tracer,
  });
  const address = await app.listen({ port: effective.port, host: effective.host });
  if (demo) console.log(demo.banner(address));
  else logger.info({ address }, 'copy-gateway listening');
  announceAccess(effective, logger);

  let stopping = false;
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    // In-flight requests get a bounded grace period; after that the process goes anyway.
    setTimeout(() => {
      logger.warn('shutdown grace period over; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    logger.info('closing: finishing in-flight requests');
    app
      .close()
      .then(() => demo?.close())
      // Sends the spans still buffered before the process goes.
      .then(() => tracing?.shutdown())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  // First /readyz turns 503 while everything is still served, so that load balancers stop sending;
  // then the server closes. A second signal closes at once.
  const stop = (signal: string) => {
    if (stopping) return close();
    stopping = true;
    app.readiness.beginShutdown();
    const delayMs = effective.shutdownDelayMs;
    logger.info({ signal, delayMs }, 'shutting down: /readyz answers 503; the server closes after the delay');
    setTimeout(close, delayMs);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Says at start who may call the gateway, so an open gateway is never open by accident. */
function announceAccess(config: Config, logger: ReturnType<typeof createLogger>): void {
  if (config.apiKeys.length > 0) {
    logger.info(
      { callers: config.apiKeys.map((k) => k.name) },
      'callers must send Authorization: Bearer <API key>',
    );
  } else if (config.managed && !config.demo) {
    logger.warn(
      'ALLOW_ANONYMOUS=1: anyone who reaches this port can spend the configured upstream credentials',
    );
  } else if (!config.demo) {
    logger.info(
      'no GATEWAY_API_KEYS: the gateway is open; callers must send their own upstream tokens (pass-through)',
    );
  }
}

main().catch((error: unknown) => {
  console.error('copy-gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
