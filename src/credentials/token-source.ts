import type { CallContext } from '../copy/call.js';

/**
 * Where an adapter gets the upstream token for a call. Pass-through sources read the caller's header;
 * managed sources fetch, cache and refresh tokens from configured secrets.
 */
export interface TokenSource {
  /** True when `invalidate` can produce a fresh token (a managed credential). */
  readonly refreshable: boolean;
  /** A token for `scope` (an SMH library id; DingTalk uses one scope). */
  token(scope: string, call: CallContext): Promise<string>;
  /** The upstream rejected `token`: forget it so the next `token()` fetches a new one. */
  invalidate(scope: string, token: string): void;
}

/** What ManagedTokens reports: one call per token fetch from a configured secret. */
export interface TokenMetrics {
  tokenFetch(outcome: 'ok' | 'failed'): void;
}
