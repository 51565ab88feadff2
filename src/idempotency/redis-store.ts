import { Redis } from 'ioredis';
import type { Claim, Hold, IdempotencyRecord, IdempotencyStore } from './store.js';

/**
 * Three keys per idempotency key, in one hash slot (the `{…}` tag) so that each script touches one
 * node of a cluster: the record (a hash: s state, f fingerprint, o owner, a answer), the run's
 * progress (a list) and the owner's lease (a string with a short expiry, renewed while it runs).
 */
const PREFIX = 'copy-gateway:idem:';

const READ = `
local function read()
  local r = redis.call('hmget', KEYS[1], 's', 'f', 'o', 'a')
  return { r[1], r[2], r[3] or '', r[4] or '', redis.call('exists', KEYS[3]), redis.call('llen', KEYS[2]) }
end
local function owned(owner)
  local r = redis.call('hmget', KEYS[1], 's', 'o')
  if not r[1] then return 0 end
  if r[1] ~= 'running' or r[2] ~= owner then return -1 end
  return 1
end
`;

/** Each script runs atomically, so every check and write of one step sees one state of the key. */
const SCRIPTS = {
  claim: `${READ}
if redis.call('exists', KEYS[1]) == 1 then return read() end
redis.call('hset', KEYS[1], 's', 'running', 'f', ARGV[1], 'o', ARGV[2])
redis.call('pexpire', KEYS[1], ARGV[4])
redis.call('set', KEYS[3], ARGV[2], 'PX', ARGV[3])
return false`,
  get: `${READ}
if redis.call('exists', KEYS[1]) == 0 then return false end
return read()`,
  renew: `${READ}
local held = owned(ARGV[1])
if held == 1 then redis.call('set', KEYS[3], ARGV[1], 'PX', ARGV[2]) end
return held`,
  append: `${READ}
local held = owned(ARGV[1])
if held ~= 1 then return held end
redis.call('set', KEYS[3], ARGV[1], 'PX', ARGV[2])
redis.call('rpush', KEYS[2], unpack(ARGV, 3))
redis.call('pexpire', KEYS[2], redis.call('pttl', KEYS[1]))
return 1`,
  complete: `${READ}
local held = owned(ARGV[1])
if held == -1 then return -1 end
redis.call('del', KEYS[1], KEYS[2], KEYS[3])
redis.call('hset', KEYS[1], 's', 'done', 'f', ARGV[2], 'a', ARGV[3])
redis.call('pexpire', KEYS[1], ARGV[4])
return held`,
  release: `${READ}
if owned(ARGV[1]) == 1 then redis.call('del', KEYS[1], KEYS[2], KEYS[3]) end
return 1`,
  settle: `${READ}
if owned(ARGV[1]) ~= 1 or redis.call('exists', KEYS[3]) == 1 or redis.call('llen', KEYS[2]) ~= tonumber(ARGV[2]) then
  return 0
end
redis.call('del', KEYS[2])
redis.call('hset', KEYS[1], 's', 'done', 'a', ARGV[3])
redis.call('hdel', KEYS[1], 'o')
redis.call('pexpire', KEYS[1], ARGV[4])
return 1`,
  takeOver: `${READ}
if owned(ARGV[1]) ~= 1 or redis.call('exists', KEYS[3]) == 1 or redis.call('llen', KEYS[2]) ~= 0 then
  return 0
end
redis.call('hset', KEYS[1], 'o', ARGV[2])
redis.call('pexpire', KEYS[1], ARGV[4])
redis.call('set', KEYS[3], ARGV[2], 'PX', ARGV[3])
return 1`,
  restore: `${READ}
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], 's', 'running', 'f', ARGV[1], 'o', ARGV[2])
redis.call('pexpire', KEYS[1], ARGV[4])
redis.call('set', KEYS[3], ARGV[2], 'PX', ARGV[3])
if #ARGV > 4 then
  redis.call('rpush', KEYS[2], unpack(ARGV, 5))
  redis.call('pexpire', KEYS[2], ARGV[4])
end
return 1`,
} as const;

type Script = keyof typeof SCRIPTS;
type Raw = [string, string, string, string, number, number] | null;

const HOLDS: Record<number, Hold> = { 1: 'held', 0: 'absent', [-1]: 'lost' };

export interface RedisStoreOptions {
  /** Longest any one Redis command may take (milliseconds); a frozen Redis fails commands after it. */
  commandTimeoutMs: number;
}

/** Records shared by every gateway instance; Lua scripts make each step atomic across them. */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: Redis;

  constructor(url: string, options: RedisStoreOptions) {
    this.#redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    });
    // Errors surface on the commands that need Redis; the connection event only needs to not crash us.
    this.#redis.on('error', () => undefined);
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      this.#redis.defineCommand(`idempotency_${name}`, { numberOfKeys: 3, lua });
    }
  }

  #run(script: Script, key: string, ...args: Array<string | number>): Promise<unknown> {
    const base = `${PREFIX}{${key}}`;
    const command = (
      this.#redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>
    )[`idempotency_${script}`] as (...a: Array<string | number>) => Promise<unknown>;
    return command.call(this.#redis, base, `${base}:progress`, `${base}:lease`, ...args);
  }

  #record(raw: Raw): IdempotencyRecord | undefined {
    if (!raw) return undefined;
    const [state, fingerprint, owner, answer, lease, count] = raw;
    if (state === 'done') return { state, fingerprint, answer };
    return { state: 'running', fingerprint, owner, leaseAlive: lease === 1, progressCount: count };
  }

  async claim(key: string, claim: Claim): Promise<IdempotencyRecord | undefined> {
    const raw = (await this.#run(
      'claim',
      key,
      claim.fingerprint,
      claim.owner,
      claim.leaseMs,
      claim.ttlMs,
    )) as Raw;
    return this.#record(raw);
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    return this.#record((await this.#run('get', key)) as Raw);
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<Hold> {
    return HOLDS[(await this.#run('renew', key, owner, leaseMs)) as number] as Hold;
  }

  async append(key: string, owner: string, leaseMs: number, entries: readonly string[]): Promise<Hold> {
    if (entries.length === 0) return this.renew(key, owner, leaseMs);
    return HOLDS[(await this.#run('append', key, owner, leaseMs, ...entries)) as number] as Hold;
  }

  async progress(key: string): Promise<string[]> {
    return this.#redis.lrange(`${PREFIX}{${key}}:progress`, 0, -1);
  }

  async complete(
    key: string,
    owner: string,
    fingerprint: string,
    answer: string,
    ttlMs: number,
  ): Promise<Hold> {
    return HOLDS[(await this.#run('complete', key, owner, fingerprint, answer, ttlMs)) as number] as Hold;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.#run('release', key, owner);
  }

  async settle(
    key: string,
    owner: string,
    progressCount: number,
    answer: string,
    ttlMs: number,
  ): Promise<boolean> {
    return (await this.#run('settle', key, owner, progressCount, answer, ttlMs)) === 1;
  }

  async takeOver(key: string, gone: string, claim: Claim): Promise<boolean> {
    return (await this.#run('takeOver', key, gone, claim.owner, claim.leaseMs, claim.ttlMs)) === 1;
  }

  async restore(key: string, claim: Claim, entries: readonly string[]): Promise<boolean> {
    const args = [claim.fingerprint, claim.owner, claim.leaseMs, claim.ttlMs, ...entries];
    return (await this.#run('restore', key, ...args)) === 1;
  }

  /**
   * Whether this Redis keeps its data across a restart (AOF or RDB snapshots), or undefined when it
   * does not say (CONFIG may be disabled on managed services).
   */
  async persists(): Promise<boolean | undefined> {
    try {
      const [, appendonly] = (await this.#redis.config('GET', 'appendonly')) as [string, string];
      const [, save] = (await this.#redis.config('GET', 'save')) as [string, string];
      return appendonly === 'yes' || (save ?? '').trim() !== '';
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
