import { Redis } from 'ioredis';
import { revivedRecord, type ResolutionRecord, type ResolutionStore } from '../copy/resolution-records.js';

/** One string key per record, JSON, expiring with the record. */
const PREFIX = 'copy-gateway:resolution:';

export interface RedisResolutionStoreOptions {
  /** Longest any one Redis command may take (milliseconds). */
  commandTimeoutMs: number;
  /** Key prefix (tests use their own). */
  prefix?: string;
}

/** Resolution records shared by every gateway instance, so any replica answers a task's copyTask. */
export class RedisResolutionStore implements ResolutionStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, options: RedisResolutionStoreOptions) {
    this.#prefix = options.prefix ?? PREFIX;
    this.#redis = new Redis(url, {
      maxRetriesPerRequest: 2,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    });
    // Errors surface on the commands that need Redis; the connection event only needs to not crash us.
    this.#redis.on('error', () => undefined);
  }

  async get(id: string): Promise<ResolutionRecord | undefined> {
    const raw = await this.#redis.get(this.#prefix + id);
    return raw === null ? undefined : revivedRecord(JSON.parse(raw) as ResolutionRecord);
  }

  async put(record: ResolutionRecord, ttlMs: number): Promise<void> {
    await this.#redis.set(
      this.#prefix + record.id,
      JSON.stringify(record),
      'PX',
      Math.max(1, Math.ceil(ttlMs)),
    );
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
