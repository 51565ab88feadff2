/**
 * Fleet-wide pacing of upstream calls: every replica that shares a Redis counts its calls in the same
 * Redis counters, so together they stay within an upstream's calls-per-second limit; without Redis the
 * process counts alone. Counters come from rate-limiter-flexible
 * (https://github.com/animir/node-rate-limiter-flexible/wiki/Redis).
 *
 * A second is cut into wall-clock slices of about 100 ms, each allowing a tenth of the limit (for
 * limits under 10 a slice is longer and allows one call). Every replica computes the same slice from
 * its clock, so the fleet's calls spread over the second instead of bunching at its start, and no
 * wall-clock second sees more than the limit plus the calls of one slice that were granted just
 * before it began and arrived just after.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../copy/ports.js';

/** How one upstream's calls are paced. */
export interface CallRateLimit {
  /** Calls a second at most, per budget (see {@link per}); 0: the calls are not paced. */
  callsPerSecond: number;
  /**
   * What one budget covers: `api`, each upstream API on its own (DingTalk counts per app and API);
   * `upstream`, every call to the upstream together.
   */
  per: 'api' | 'upstream';
  /** Whose budget it is upstream (DingTalk: the app key); unset: one budget for every caller. */
  account?: string;
}

/** How a {@link CallRate} counts. */
export interface CallRateOptions {
  /** Redis shared by the fleet (`redis://…`); unset: this process counts alone. */
  redisUrl?: string;
  /** Prefix of the Redis keys. Default `copy-gateway:call-rate`. */
  keyPrefix?: string;
  /** Longest one Redis command may take (milliseconds); a slower Redis counts as failing. Default 500. */
  commandTimeoutMs?: number;
  /** How long the process counts alone after Redis failed, before it tries Redis again. Default 5 s. */
  fallbackMs?: number;
  logger: Logger;
  /** Wall clock in epoch milliseconds (every replica's must agree to within a slice). */
  now?: () => number;
}

/** When a call may not wait any longer: its operation's deadline and abort signal. */
export interface CallRateWait {
  /** Aborts when the operation ends; the wait then ends without a slot. */
  signal?: AbortSignal;
  /** Epoch milliseconds after which a slot is of no use: a wait that would end later ends at once. */
  deadline?: number;
}

/** The slice length (milliseconds) and the calls each slice allows, for `callsPerSecond` > 0. */
export function slicing(callsPerSecond: number): { sliceMs: number; perSlice: number } {
  const perSlice = Math.max(1, Math.floor(callsPerSecond / 10));
  return { sliceMs: (1000 * perSlice) / callsPerSecond, perSlice };
}

/** Resolves after `ms`, or at once (false) when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves true when `promise` settles, false as soon as `signal` aborts. */
function settledBefore(promise: Promise<void>, signal?: AbortSignal): Promise<boolean> {
  if (!signal) return promise.then(() => true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}

/**
 * Slots for upstream calls, counted per budget key in Redis (shared by the fleet) or in this process.
 * Within a process, the calls waiting on one key take their slots in arrival order, and only the first
 * of them asks the counter, so a queue of waiting calls costs one Redis command per slice.
 *
 * When Redis fails (an error or a command slower than `commandTimeoutMs`), the process counts alone for
 * `fallbackMs`, logging one warning until Redis answers again: the fleet may then make up to its number
 * of replicas times the limit, rather than stop calling.
 */
export class CallRate {
  readonly #redis: Redis | undefined;
  readonly #keyPrefix: string;
  readonly #fallbackMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Counters by calls per slice: rate-limiter-flexible's limiters have a fixed number of points. */
  readonly #shared = new Map<number, RateLimiterRedis>();
  readonly #local = new Map<number, RateLimiterMemory>();
  /** The last waiting call per budget key in this process: the next one waits for it. */
  readonly #tails = new Map<string, Promise<void>>();
  #fallbackUntil = 0;
  #warned = false;

  constructor(options: CallRateOptions) {
    this.#keyPrefix = options.keyPrefix ?? 'copy-gateway:call-rate';
    this.#fallbackMs = options.fallbackMs ?? 5_000;
    this.#log = options.logger;
    this.#now = options.now ?? Date.now;
    if (options.redisUrl) {
      const timeout = options.commandTimeoutMs ?? 500;
      this.#redis = new Redis(options.redisUrl, {
        maxRetriesPerRequest: 1,
        commandTimeout: timeout,
        connectTimeout: Math.max(timeout, 1000),
      });
      // Errors surface on the commands that need Redis; the connection event only needs to not crash us.
      this.#redis.on('error', () => undefined);
    }
  }

  /** Whether the counters are shared through Redis. */
  get shared(): boolean {
    return this.#redis !== undefined;
  }

  /**
   * Waits for a slot of budget `key` at `callsPerSecond` (> 0). True when the call may be sent now;
   * false, at once, when the next free slot would begin at or after `wait.deadline`, or when
   * `wait.signal` aborts while waiting: the call must then not be sent.
   */
  async acquire(key: string, callsPerSecond: number, wait: CallRateWait = {}): Promise<boolean> {
    const { sliceMs, perSlice } = slicing(callsPerSecond);
    const before = this.#tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before.then(() => mine);
    this.#tails.set(key, tail);
    try {
      if (!(await settledBefore(before, wait.signal))) return false;
      for (;;) {
        const slice = await this.#take(`${key}|${callsPerSecond}`, sliceMs, perSlice);
        if (slice === undefined) return true;
        const next = (slice + 1) * sliceMs;
        if (wait.deadline !== undefined && next >= wait.deadline) return false;
        if (!(await pause(Math.max(1, Math.ceil(next - this.#now())), wait.signal))) return false;
      }
    } finally {
      done();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /**
   * Counts one call of budget `key` in the current slice: undefined when it was within `perSlice`,
   * else the (full) slice's number.
   */
  async #take(key: string, sliceMs: number, perSlice: number): Promise<number | undefined> {
    if (this.#redis && this.#now() >= this.#fallbackUntil) {
      const slice = Math.floor(this.#now() / sliceMs);
      try {
        const limiter = this.#limiter(this.#shared, perSlice, () => this.#redisLimiter(perSlice));
        await limiter.consume(`${key}|${slice}`);
        if (this.#warned) {
          this.#warned = false;
          this.#log.info('upstream call rates are counted in Redis again, shared by every replica');
        }
        return undefined;
      } catch (error) {
        if (error instanceof RateLimiterRes) return slice;
        this.#fallBack(error);
      }
    }
    // The slice again: a failing Redis command may have taken into the next one.
    const slice = Math.floor(this.#now() / sliceMs);
    try {
      await this.#limiter(this.#local, perSlice, () => this.#memoryLimiter(perSlice)).consume(
        `${key}|${slice}`,
      );
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) return slice;
      throw error;
    }
  }

  #fallBack(error: unknown): void {
    this.#fallbackUntil = this.#now() + this.#fallbackMs;
    if (this.#warned) return;
    this.#warned = true;
    this.#log.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Redis failed counting upstream call rates: each replica counts its own calls until Redis answers again (the fleet may exceed the limits meanwhile)',
    );
  }

  #limiter<L>(cache: Map<number, L>, perSlice: number, make: () => L): L {
    let limiter = cache.get(perSlice);
    if (limiter === undefined) {
      limiter = make();
      cache.set(perSlice, limiter);
    }
    return limiter;
  }

  // Slice keys carry the slice number, so each lives one slice; the 1 s expiry (the shortest Redis
  // expiry rate-limiter-flexible sets) only removes them.
  #redisLimiter(perSlice: number): RateLimiterRedis {
    return new RateLimiterRedis({
      storeClient: this.#redis,
      keyPrefix: this.#keyPrefix,
      points: perSlice,
      duration: 1,
    });
  }

  #memoryLimiter(perSlice: number): RateLimiterMemory {
    return new RateLimiterMemory({ keyPrefix: this.#keyPrefix, points: perSlice, duration: 1 });
  }

  /** Closes the Redis connection. */
  async close(): Promise<void> {
    await this.#redis?.quit().catch(() => this.#redis?.disconnect());
  }
}
