import { Redis } from 'ioredis';
import type { IdempotencyRecord, IdempotencyStore } from './store.js';

const PREFIX = 'copy-gateway:idem:';

/** Records shared by every gateway instance; `SET NX` makes the claim atomic across them. */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: Redis;

  constructor(url: string) {
    this.#redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    // Errors surface on the commands that need Redis; the connection event only needs to not crash us.
    this.#redis.on('error', () => undefined);
  }

  async claim(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyRecord | undefined> {
    const running: IdempotencyRecord = { state: 'running', fingerprint };
    const claimed = await this.#redis.set(PREFIX + key, JSON.stringify(running), 'PX', ttlMs, 'NX');
    if (claimed === 'OK') return undefined;
    return (await this.get(key)) ?? this.claim(key, fingerprint, ttlMs);
  }

  async complete(key: string, fingerprint: string, answer: string, ttlMs: number): Promise<void> {
    const done: IdempotencyRecord = { state: 'done', fingerprint, answer };
    await this.#redis.set(PREFIX + key, JSON.stringify(done), 'PX', ttlMs);
  }

  async release(key: string): Promise<void> {
    await this.#redis.del(PREFIX + key);
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const raw = await this.#redis.get(PREFIX + key);
    return raw === null ? undefined : (JSON.parse(raw) as IdempotencyRecord);
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
