import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { LogLevel } from './config.js';
import { providers as registry } from './providers/registry.js';

/** The logger type the composition root hands Fastify (pino's); below it, code logs through copy/ports' Logger. */
export type Logger = FastifyBaseLogger;

/**
 * Secrets never reach a log line: the Authorization header, every provider's credential header and any
 * field named like a credential are censored, and upstream URLs are logged with secret query parameters
 * redacted (upstream/redact.ts).
 * @param providers - whose credential headers to censor (default: every provider of the registry).
 */
export function createLogger(
  level: LogLevel,
  destination?: pino.DestinationStream,
  providers: readonly { credentialHeader: string }[] = registry,
): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          ...providers.map((p) => `req.headers[${JSON.stringify(p.credentialHeader)}]`),
          '*.token',
          '*.accessToken',
          '*.secret',
          '*.appSecret',
          '*.librarySecret',
        ],
        censor: '[REDACTED]',
      },
    },
    destination,
  ) as Logger;
}
