import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { covers, type ProducedRegistry } from '../copy/produced.js';
import type { Provider } from '../copy/types.js';

export interface RedisProducedRegistryOptions {
  /** How long a result is kept (milliseconds). */
  ttlMs: number;
  /** Longest any one Redis command may take (milliseconds). */
  commandTimeoutMs: number;
  /** Key prefix: replicas with the same prefix share their results. */
  prefix: string;
  /**
   * Each provider's upstream (its base URL): results of different upstreams never mix, even with the
   * same prefix.
   */
  upstreams: ReadonlyMap<Provider, string>;
  /** Told when a write fails (the copy goes on; looks then may miss that result until the ttl). */
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * The gateway's own recent results shared by every replica: one sorted set per provider and upstream,
 * members `where NUL result`, scored by the epoch ms they were last recorded; members older than the
 * ttl are trimmed at each write and the set expires with its newest member.
 */
export class RedisProducedRegistry implements ProducedRegistry {
  readonly #redis: Redis;
  readonly #now: () => number;

  constructor(
    url: string,
    private readonly options: RedisProducedRegistryOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.#redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    });
    // Errors surface on the commands that need Redis; the connection event only needs to not crash us.
    this.#redis.on('error', () => undefined);
  }

  #key(provider: Provider): string {
    const upstream = this.options.upstreams.get(provider) ?? '';
    const hash = createHash('sha256').update(upstream).digest('base64url').slice(0, 16);
    return `${this.options.prefix}${provider}:${hash}`;
  }

  async record(provider: Provider, where: string, results: readonly string[]): Promise<void> {
    if (results.length === 0) return;
    const key = this.#key(provider);
    const now = this.#now();
    const scored = results.flatMap((result) => [now, `${where}\u0000${result}`]);
    try {
      const answers = await this.#redis
        .multi()
        .zadd(key, 'GT', ...scored)
        .zremrangebyscore(key, '-inf', `(${now - this.options.ttlMs}`)
        .pexpire(key, this.options.ttlMs)
        .exec();
      const failed = answers?.find(([error]) => error !== null)?.[0];
      if (!answers || failed) throw failed ?? new Error('the Redis transaction was discarded');
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  async recorded(
    provider: Provider,
    where: string,
    results: readonly string[],
    sentAt: number,
  ): Promise<Map<string, number | null> | undefined> {
    const now = this.#now();
    if (!covers(sentAt, now, this.options.ttlMs)) return undefined;
    if (results.length === 0) return new Map();
    try {
      const scores = await this.#redis.zmscore(
        this.#key(provider),
        ...results.map((result) => `${where}\u0000${result}`),
      );
      return new Map(
        results.map((result, i) => {
          const score = scores[i];
          return [result, score === null || score === undefined ? null : Number(score)];
        }),
      );
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
