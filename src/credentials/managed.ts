import { GatewayError, UpstreamFailure } from '../copy/errors.js';
import type { CallContext } from '../copy/call.js';
import type { TokenMetrics, TokenSource } from './token-source.js';

/** A token from a token endpoint and how long it lives, in seconds. */
export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

/** How {@link ManagedTokens} fetches, names and counts one provider's tokens. */
export interface ManagedTokenOptions {
  /** For messages only: "SMH" or "DingTalk". */
  providerName: string;
  /** Fetches a new token for `scope`; throws GatewayError when the scope has no credential. */
  fetch(scope: string, signal: AbortSignal): Promise<FetchedToken>;
  now?: () => number;
  /** Counts fetches that asked the upstream (a scope without a credential asks nothing). */
  metrics?: TokenMetrics;
}

interface Cached {
  token: string;
  refreshAt: number;
  expiresAt: number;
}

/**
 * Tokens obtained from configured secrets: cached per scope, refreshed before they expire (at 90 %
 * of their lifetime, at least a minute early), with one fetch in flight per scope however many
 * requests wait for it.
 */
export class ManagedTokens implements TokenSource {
  readonly refreshable = true;
  readonly #cache = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<string>>();
  readonly #now: () => number;

  constructor(private readonly options: ManagedTokenOptions) {
    this.#now = options.now ?? Date.now;
  }

  async token(scope: string, _call?: CallContext): Promise<string> {
    const cached = this.#cache.get(scope);
    const now = this.#now();
    if (cached && now < cached.refreshAt) return cached.token;
    let pending = this.#inFlight.get(scope);
    if (!pending) {
      pending = this.#fetch(scope).finally(() => this.#inFlight.delete(scope));
      this.#inFlight.set(scope, pending);
    }
    // A refresh that fails before the old token expires is no reason to fail the call.
    if (cached && now < cached.expiresAt) return pending.catch(() => cached.token);
    return pending;
  }

  invalidate(scope: string, token: string): void {
    if (this.#cache.get(scope)?.token === token) this.#cache.delete(scope);
  }

  async #fetch(scope: string): Promise<string> {
    // Not tied to one caller's deadline: other requests may be waiting on the same fetch.
    const signal = AbortSignal.timeout(30_000);
    try {
      const fetched = await this.options.fetch(scope, signal);
      const lifetimeMs = fetched.expiresInSeconds * 1000;
      const margin = Math.max(Math.min(60_000, lifetimeMs / 2), lifetimeMs * 0.1);
      const fetchedAt = this.#now();
      this.#cache.set(scope, {
        token: fetched.token,
        refreshAt: fetchedAt + lifetimeMs - margin,
        expiresAt: fetchedAt + lifetimeMs,
      });
      this.options.metrics?.tokenFetch('ok');
      return fetched.token;
    } catch (error) {
      if (!(error instanceof GatewayError) || error instanceof UpstreamFailure) {
        this.options.metrics?.tokenFetch('failed');
      }
      throw tokenFailure(this.options.providerName, error);
    }
  }
}

/** A token endpoint failure, told in words that name the provider and never the secret. */
function tokenFailure(providerName: string, error: unknown): GatewayError {
  if (error instanceof GatewayError && !(error instanceof UpstreamFailure)) return error;
  if (error instanceof UpstreamFailure) {
    const refused = ['UNAUTHENTICATED', 'NOT_FOUND', 'INVALID_ARGUMENT', 'PERMISSION_DENIED'].includes(
      error.code,
    );
    return refused
      ? new GatewayError(`${providerName} refused the gateway's configured credential.`, 'UNAUTHENTICATED', {
          provider: providerName,
        })
      : new GatewayError(
          `${providerName}'s token endpoint is unavailable (${error.code}).`,
          'UPSTREAM_UNAVAILABLE',
          {
            provider: providerName,
          },
        );
  }
  return new GatewayError(`${providerName}'s token endpoint is unavailable.`, 'UPSTREAM_UNAVAILABLE', {
    provider: providerName,
  });
}
