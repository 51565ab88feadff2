import { loadConfig, ConfigError, type Config } from './config.js';
import { buildGateway } from './app.js';
import { createLogger } from './log.js';
import { startDemo } from './demo/start.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`copy-gateway: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const demo = config.demo ? await startDemo(config, logger) : undefined;
  const effective = demo?.config ?? config;
  const app = await buildGateway(effective, logger, demo?.examples);
  const address = await app.listen({ port: effective.port, host: effective.host });
  if (demo) console.log(demo.banner(address));
  else logger.info({ address }, 'copy-gateway listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // In-flight requests get a bounded grace period; after that the process goes anyway.
    setTimeout(() => {
      logger.warn('shutdown grace period over; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app
      .close()
      .then(() => demo?.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('copy-gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
