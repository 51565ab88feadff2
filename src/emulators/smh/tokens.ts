import { randomBytes } from 'node:crypto';
import type { Clock } from '../kit/clock.js';

/** Token lifetime when none is asked for: one day. */
export const DEFAULT_PERIOD_SECONDS = 86_400;
/**
 * The token period range of the official iOS SDK (300 s to 10 years); an older Markdown doc gives a 1200 s
 * floor, which the newer sources do not.
 */
export const MIN_PERIOD_SECONDS = 300;
/** Longest token lifetime: ten years. */
export const MAX_PERIOD_SECONDS = 315_360_000;

/** An issued access token. */
export interface TokenRecord {
  readonly token: string;
  readonly libraryId: string;
  /** Spaces the token may act on; null means every space of the library (admin issued without space_id). */
  readonly spaceIds: readonly string[] | null;
  readonly grants: ReadonlySet<string>;
  readonly userId: string;
  readonly clientId: string;
  readonly sessionId: string;
  readonly periodSeconds: number;
  expiresAt: number;
}

/** What a token is issued for. */
export interface IssueOptions {
  libraryId: string;
  spaceIds?: readonly string[];
  grants?: readonly string[];
  userId?: string;
  clientId?: string;
  sessionId?: string;
  period?: number;
}

/** The lifetime in seconds a requested `period` gets. */
export function clampPeriod(period: number | undefined): number {
  if (period === undefined || !Number.isFinite(period)) return DEFAULT_PERIOD_SECONDS;
  return Math.min(MAX_PERIOD_SECONDS, Math.max(MIN_PERIOD_SECONDS, Math.floor(period)));
}

/**
 * Access tokens with a sliding lifetime: each successful use pushes expiry to now + period, judged on
 * the emulator clock so tests can expire tokens without waiting.
 */
export class TokenStore {
  readonly #tokens = new Map<string, TokenRecord>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  issue(opts: IssueOptions): TokenRecord {
    const grants = new Set((opts.grants ?? []).map((g) => g.trim()).filter((g) => g.length > 0));
    const periodSeconds = clampPeriod(opts.period);
    // Without space_id an admin token spans the library; any other token only gets the single-tenant space.
    const spaceIds =
      opts.spaceIds && opts.spaceIds.length > 0 ? [...opts.spaceIds] : grants.has('admin') ? null : ['-'];
    const record: TokenRecord = {
      token: randomBytes(24).toString('hex'),
      libraryId: opts.libraryId,
      spaceIds,
      grants,
      userId: opts.userId ?? '',
      clientId: opts.clientId ?? '',
      sessionId: opts.sessionId ?? '',
      periodSeconds,
      expiresAt: this.#clock.now() + periodSeconds * 1000,
    };
    this.#tokens.set(record.token, record);
    return record;
  }

  /** The live token for this library, or undefined when unknown, expired or from another library. */
  find(token: string, libraryId: string): TokenRecord | undefined {
    const record = this.#tokens.get(token);
    if (!record) return undefined;
    if (this.#clock.now() >= record.expiresAt) {
      this.#tokens.delete(token);
      return undefined;
    }
    return record.libraryId === libraryId ? record : undefined;
  }

  /** Slides the expiry; returns the new lifetime in seconds. */
  touch(record: TokenRecord): number {
    record.expiresAt = this.#clock.now() + record.periodSeconds * 1000;
    return record.periodSeconds;
  }

  revoke(libraryId: string, token: string): void {
    if (this.#tokens.get(token)?.libraryId === libraryId) this.#tokens.delete(token);
  }

  /** Deletes every token of the given users, narrowed by client/session ids when those are given. */
  revokeUsers(
    libraryId: string,
    userIds: readonly string[],
    clientIds: readonly string[] = [],
    sessionIds: readonly string[] = [],
  ): number {
    let removed = 0;
    for (const [token, r] of this.#tokens) {
      if (r.libraryId !== libraryId || !userIds.includes(r.userId)) continue;
      if (clientIds.length > 0 && !clientIds.includes(r.clientId)) continue;
      if (sessionIds.length > 0 && !sessionIds.includes(r.sessionId)) continue;
      this.#tokens.delete(token);
      removed += 1;
    }
    return removed;
  }

  get size(): number {
    return this.#tokens.size;
  }
}

/** True when the token may act on `spaceId`. */
export function coversSpace(record: Pick<TokenRecord, 'spaceIds'>, spaceId: string): boolean {
  return record.spaceIds === null || record.spaceIds.includes(spaceId);
}
