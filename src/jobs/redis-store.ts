import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { CopyErrorInfo } from '../copy/types.js';
import type { ChunkRecord, JobSnapshot, JobSpec } from './model.js';
import type { CallerTokens, Claim, JobStore } from './store.js';
import type { TokenCipher } from './token-cipher.js';

/**
 * Layout, per job (`{id}` is a hash tag, so a job's keys share one cluster slot):
 *   <prefix>{id}          hash: expiresAt (epoch ms), stopped (JSON error), cancelled, finishedAt
 *   <prefix>{id}:spec     string: the job's spec (JSON; megabytes for 100,000 items), never changed,
 *                         so each instance reads it once and keeps it
 *   <prefix>{id}:chunks   hash: chunk number → `s` (sending) | `d` (settled); absent = queued
 *   <prefix>{id}:records  hash: chunk number → JSON ChunkRecord (a few items each, one field per chunk)
 *   <prefix>{id}:tokens   string: the caller's upstream tokens (pass-through mode), sealed with
 *                         {@link TokenCipher} (any instance may run the job), deleted at finish

 * Every key expires at the job's `expiresAt`. Each transition is one Lua script, so it is atomic across
 * instances, and publishes the job id on `<prefix>changed` for subscribers on every instance.
 */
const CREATE = `
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('set', KEYS[2], ARGV[1], 'PXAT', ARGV[2])
redis.call('hset', KEYS[1], 'expiresAt', ARGV[2])
redis.call('pexpireat', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('set', KEYS[3], ARGV[3], 'PXAT', ARGV[2]) end
return 1`;

const CLAIM = `
if redis.call('exists', KEYS[1]) == 0 then return 'missing' end
if redis.call('hexists', KEYS[1], 'stopped') == 1 then return 'stopped' end
if redis.call('hsetnx', KEYS[2], ARGV[1], 's') == 0 then return 'taken' end
if redis.call('pttl', KEYS[2]) < 0 then redis.call('pexpireat', KEYS[2], ARGV[2]) end
return 'claimed'`;

const SETTLE = `
local state = redis.call('hget', KEYS[2], ARGV[1])
if ARGV[3] == 's' then
  if state ~= 's' then return 0 end
elseif state then
  return 0
end
if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('hset', KEYS[2], ARGV[1], 'd')
redis.call('hset', KEYS[3], ARGV[1], ARGV[2])
if redis.call('pttl', KEYS[2]) < 0 then redis.call('pexpireat', KEYS[2], ARGV[4]) end
if redis.call('pttl', KEYS[3]) < 0 then redis.call('pexpireat', KEYS[3], ARGV[4]) end
redis.call('publish', ARGV[5], ARGV[6])
return 1`;

const UPDATE = `
if redis.call('hget', KEYS[1], ARGV[1]) ~= 'd' then return 0 end
redis.call('hset', KEYS[2], ARGV[1], ARGV[2])
redis.call('publish', ARGV[3], ARGV[4])
return 1`;

const STOP = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
if redis.call('hsetnx', KEYS[1], 'stopped', ARGV[1]) == 1 then
  if ARGV[2] == '1' then redis.call('hset', KEYS[1], 'cancelled', '1') end
  redis.call('publish', ARGV[3], ARGV[4])
end
return 1`;

interface JobCommands {
  jobCreate(
    meta: string,
    spec: string,
    tokens: string,
    json: string,
    expireAt: number,
    sealed: string,
  ): Promise<number>;
  jobClaim(meta: string, chunks: string, n: number, expireAt: number): Promise<string>;
  jobSettle(
    meta: string,
    chunks: string,
    records: string,
    n: number,
    record: string,
    from: string,
    expireAt: number,
    channel: string,
    id: string,
  ): Promise<number>;
  jobUpdate(
    chunks: string,
    records: string,
    n: number,
    record: string,
    channel: string,
    id: string,
  ): Promise<number>;
  jobStop(meta: string, error: string, cancelled: string, channel: string, id: string): Promise<number>;
}

/** Specs one instance keeps parsed. */
const MAX_KEPT_SPECS = 16;

export interface RedisJobStoreOptions {
  /** Key and channel prefix; tests give each run its own. Default `copy-gateway:job:`. */
  prefix?: string;
  /**
   * Seals callers' upstream tokens before they go to Redis, so that any instance can run the job with
   * them: BullMQ hands a job to whichever instance asks first, often not the one that accepted it.
   */
  tokenCipher: TokenCipher;
}

/** Jobs shared by every gateway instance on one Redis. */
export class RedisJobStore implements JobStore {
  readonly #redis: Redis & JobCommands;
  #subscriber: Redis | undefined;
  readonly #url: string;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #events = new EventEmitter().setMaxListeners(0);
  readonly #cipher: TokenCipher;
  /** Jobs' expiry times, so chunk hashes created later expire with the job. */
  readonly #expiry = new Map<string, number>();
  /** Specs read or written lately (they never change), so a read of a job does not fetch its items again. */
  readonly #specs = new Map<string, JobSpec>();

  constructor(url: string, options: RedisJobStoreOptions) {
    this.#url = url;
    this.#prefix = options.prefix ?? 'copy-gateway:job:';
    this.#channel = `${this.#prefix}changed`;
    this.#cipher = options.tokenCipher;
    const redis = new Redis(url, { maxRetriesPerRequest: 2 });
    redis.on('error', () => undefined);
    redis.defineCommand('jobCreate', { numberOfKeys: 3, lua: CREATE });
    redis.defineCommand('jobClaim', { numberOfKeys: 2, lua: CLAIM });
    redis.defineCommand('jobSettle', { numberOfKeys: 3, lua: SETTLE });
    redis.defineCommand('jobUpdate', { numberOfKeys: 2, lua: UPDATE });
    redis.defineCommand('jobStop', { numberOfKeys: 1, lua: STOP });
    this.#redis = redis as Redis & JobCommands;
  }

  #keys(id: string) {
    const base = `${this.#prefix}{${id}}`;
    return {
      meta: base,
      spec: `${base}:spec`,
      chunks: `${base}:chunks`,
      records: `${base}:records`,
      tokens: `${base}:tokens`,
    };
  }

  async #expireAt(id: string): Promise<number> {
    const known = this.#expiry.get(id);
    if (known !== undefined) return known;
    const raw = await this.#redis.hget(this.#keys(id).meta, 'expiresAt');
    const at = raw ? Number(raw) : Date.now();
    if (this.#expiry.size > 10_000) this.#expiry.clear();
    this.#expiry.set(id, at);
    return at;
  }

  #keepSpec(spec: JobSpec): void {
    // A few specs at most: one of 100,000 items takes tens of megabytes in memory.
    if (this.#specs.size >= MAX_KEPT_SPECS) this.#specs.delete(this.#specs.keys().next().value as string);
    this.#specs.set(spec.id, spec);
  }

  async create(spec: JobSpec, tokens?: CallerTokens): Promise<boolean> {
    const keys = this.#keys(spec.id);
    const at = Date.parse(spec.expiresAt);
    const sent = tokens && Object.values(tokens).some(Boolean) ? tokens : undefined;
    const sealed = sent ? this.#cipher.seal(spec.id, JSON.stringify(sent)) : '';
    const created =
      (await this.#redis.jobCreate(keys.meta, keys.spec, keys.tokens, JSON.stringify(spec), at, sealed)) ===
      1;
    if (!created) return false;
    this.#expiry.set(spec.id, at);
    this.#keepSpec(spec);
    return true;
  }

  async get(id: string): Promise<JobSnapshot | undefined> {
    const keys = this.#keys(id);
    const known = this.#specs.get(id);
    const tx = this.#redis.multi().hgetall(keys.meta).hgetall(keys.chunks).hgetall(keys.records);
    if (!known) tx.get(keys.spec);
    const results = await tx.exec();
    if (!results) return undefined;
    const [meta, chunks, records, rawSpec] = results.map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [Record<string, string>, Record<string, string>, Record<string, string>, string | null];
    if (!meta.expiresAt) return undefined;
    let spec = known;
    if (!spec) {
      if (!rawSpec) return undefined;
      spec = JSON.parse(rawSpec) as JobSpec;
      this.#keepSpec(spec);
    }
    const snapshot: JobSnapshot = {
      spec,
      cancelled: meta.cancelled === '1',
      stopped: meta.stopped ? (JSON.parse(meta.stopped) as CopyErrorInfo) : undefined,
      chunks: new Map(),
      records: new Map(),
      finishedAt: meta.finishedAt ? new Date(Number(meta.finishedAt)) : undefined,
    };
    for (const [n, state] of Object.entries(chunks)) {
      snapshot.chunks.set(Number(n), state === 's' ? 'sending' : 'settled');
    }
    for (const [n, record] of Object.entries(records)) {
      snapshot.records.set(Number(n), JSON.parse(record) as ChunkRecord);
    }
    return snapshot;
  }

  async tokens(id: string): Promise<CallerTokens> {
    const raw = await this.#redis.get(this.#keys(id).tokens);
    const opened = raw ? this.#cipher.open(id, raw) : undefined;
    return opened ? (JSON.parse(opened) as CallerTokens) : {};
  }

  async claim(id: string, n: number): Promise<Claim> {
    const keys = this.#keys(id);
    const at = await this.#expireAt(id);
    return (await this.#redis.jobClaim(keys.meta, keys.chunks, n, at)) as Claim;
  }

  async settle(id: string, n: number, record: ChunkRecord, from: 'sending' | 'queued'): Promise<boolean> {
    const keys = this.#keys(id);
    const at = await this.#expireAt(id);
    const done = await this.#redis.jobSettle(
      keys.meta,
      keys.chunks,
      keys.records,
      n,
      JSON.stringify(record),
      from === 'sending' ? 's' : '',
      at,
      this.#channel,
      id,
    );
    return done === 1;
  }

  async record(id: string, n: number): Promise<ChunkRecord | undefined> {
    const raw = await this.#redis.hget(this.#keys(id).records, String(n));
    return raw ? (JSON.parse(raw) as ChunkRecord) : undefined;
  }

  async update(id: string, n: number, record: ChunkRecord): Promise<void> {
    const keys = this.#keys(id);
    await this.#redis.jobUpdate(keys.chunks, keys.records, n, JSON.stringify(record), this.#channel, id);
  }

  async stop(id: string, error: CopyErrorInfo, cancelled: boolean): Promise<boolean> {
    const keys = this.#keys(id);
    const found = await this.#redis.jobStop(
      keys.meta,
      JSON.stringify(error),
      cancelled ? '1' : '0',
      this.#channel,
      id,
    );
    return found === 1;
  }

  async finish(id: string): Promise<void> {
    const keys = this.#keys(id);
    await this.#redis
      .multi()
      .hset(keys.meta, 'finishedAt', String(Date.now()))
      .del(keys.tokens)
      .publish(this.#channel, id)
      .exec();
  }

  subscribe(id: string, listener: () => void): () => void {
    if (!this.#subscriber) {
      const subscriber = (this.#subscriber = new Redis(this.#url, { maxRetriesPerRequest: null }));
      subscriber.on('error', () => undefined);
      subscriber.on('message', (_channel: string, message: string) => this.#events.emit(message));
      void subscriber.subscribe(this.#channel).catch(() => undefined);
    }
    this.#events.on(id, listener);
    return () => this.#events.off(id, listener);
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners();
    await Promise.all([this.#redis, this.#subscriber].map((r) => r?.quit().catch(() => r.disconnect())));
  }
}
