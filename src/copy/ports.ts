/**
 * What the copy domain needs from the outside, declared here where it is consumed. The implementations
 * (pino through Fastify, the Prometheus metrics, the idempotency guard) import these types; the domain
 * never imports them.
 */
import type { ProgressEvent, RunProgress } from './progress.js';
import type { CopyOutcome } from './types.js';

/** One logging method: a message, or fields then a message (pino's calling convention). */
export interface LogMethod {
  (message: string): void;
  (fields: object, message?: string): void;
}

/** The logging the domain and the layers below it use: pino's, as Fastify hands it to a request. */
export interface Logger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
  /** Whether lines of `level` are written, so a line that costs work to build can be skipped (pino). */
  isLevelEnabled?(level: string): boolean;
}

/** What the copy service reports: one call per batch copy that ran (never for an idempotent replay). */
export interface CopyMetrics {
  copyOutcome(outcome: CopyOutcome): void;
}

/**
 * Whose key an idempotency record is. The provider is not part of it: a key names one request of one
 * caller, whichever provider it went to, so the same key sent for another provider is a different
 * request (the provider is in the fingerprint) and fails with IDEMPOTENCY_CONFLICT.
 */
export interface IdempotencyScope {
  /** The caller: an API key's name, a digest of its upstream token, or `anonymous`. */
  caller: string;
  /** The caller's idempotencyKey. */
  key: string;
}

/** The work behind an idempotency key, and how to answer for it when its gateway stopped mid-run. */
export interface KeyedWork {
  /** Runs the copy, reporting to `progress` before each upstream send and after each answer. */
  execute(progress: RunProgress): Promise<CopyOutcome>;
  /** The answer of a run that stopped before storing one, from the progress it recorded (pure). */
  abandoned(events: readonly ProgressEvent[]): CopyOutcome;
}

/**
 * Runs a batch copy at most once per scope, across crashes: a replay gets the first answer (or, when
 * the run's gateway died, the run's last known state), a different request under the same key fails
 * with IDEMPOTENCY_CONFLICT.
 */
export interface IdempotencyPort {
  /**
   * Runs `work` unless this scope already has a run, whose answer is returned instead. `request` is
   * what must match for a replay (its fingerprint is compared): the whole request, provider included.
   * `signal` bounds every wait for the store: a store that does not answer fails the request closed
   * (nothing sent). `deadline` (epoch ms) is when the operation ends: a replay's wait for a first run
   * still going ends before it (IDEMPOTENCY_CONFLICT, retryable), never in a deadline error.
   */
  run(
    scope: IdempotencyScope,
    request: unknown,
    work: KeyedWork,
    signal?: AbortSignal,
    deadline?: number,
  ): Promise<CopyOutcome>;
  close(): Promise<void>;
}
