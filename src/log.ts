import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { LogLevel } from './config.js';

/** The logger type used across the gateway (pino's, as Fastify sees it). */
export type Logger = FastifyBaseLogger;

/**
 * Secrets never reach a log line: header values and any field named like a credential are censored,
 * and upstream URLs are logged through redactPath (SMH puts its token in the query string).
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-smh-access-token"]',
          'req.headers["x-acs-dingtalk-access-token"]',
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
