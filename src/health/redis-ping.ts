import { Redis } from 'ioredis';
import type { Logger } from '../copy/ports.js';
import type { DependencyCheck } from './readiness.js';

/** Options of {@link RedisPing}. */
export interface RedisPingOptions {
  /** Longest a PING may take before Redis counts as down (milliseconds). */
  timeoutMs: number;
  /** Where changes (down, up again) are logged, once each. */
  logger: Logger;
}

/**
 * Redis answers `PING` within the timeout, on a connection of its own (named `copy-gateway:health`),
 * so a probe never waits behind the gateway's own commands. The connection keeps no queue: while it is
 * down a check fails at once, and it reconnects within a second of Redis coming back. Concurrent checks
 * share one PING. The Redis URL (it may hold a password) is never logged.
 */
export class RedisPing implements DependencyCheck {
  readonly name = 'redis';
  readonly #redis: Redis;
  readonly #options: RedisPingOptions;
  #inFlight: Promise<boolean> | undefined;
  #last: boolean | undefined;

  constructor(url: string, options: RedisPingOptions) {
    this.#options = options;
    this.#redis = new Redis(url, {
      connectionName: 'copy-gateway:health',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1000),
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    // A refused connection shows as a failed check; the event only needs a listener.
    this.#redis.on('error', () => undefined);
  }

  /**
   * Waits for the first connection (at most `waitMs`), then checks: the answer at start; undefined
   * when the check was closed first.
   */
  async first(waitMs: number): Promise<boolean | undefined> {
    if (this.#redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#redis.off('ready', done).off('end', done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        this.#redis.once('ready', done).once('end', done);
      });
    }
    return this.#redis.status === 'end' ? undefined : this.check();
  }

  check(): Promise<boolean> {
    this.#inFlight ??= this.#ping().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #ping(): Promise<boolean> {
    let up = false;
    if (this.#redis.status === 'ready') {
      up = await this.#redis.ping().then(
        (answer) => answer === 'PONG',
        () => false,
      );
    }
    if (this.#last !== undefined && up !== this.#last) {
      if (up) this.#options.logger.info('Redis answers again: /readyz reports ready');
      else
        this.#options.logger.warn(
          'Redis does not answer: /readyz reports not ready; keyed requests fail until it does',
        );
    }
    this.#last = up;
    return up;
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
