import type { CallContext } from '../copy/call.js';
import { GatewayError, UpstreamFailure } from '../copy/errors.js';
import type { CopyErrorCode } from '../copy/types.js';
import type { TokenSource } from './token-source.js';

/**
 * A token that could not be had: nothing was sent with it, so it fails this call as "not executed"
 * (one chunk's items FAILED), never the whole operation after other chunks already ran.
 */
async function acquire(tokens: TokenSource, scope: string, call: CallContext): Promise<string> {
  try {
    return await tokens.token(scope, call);
  } catch (error) {
    if (!(error instanceof GatewayError) || error instanceof UpstreamFailure) throw error;
    const code = error.code as CopyErrorCode;
    throw new UpstreamFailure(
      { code, message: error.message, retryable: code === 'UPSTREAM_UNAVAILABLE' },
      'not-executed',
    );
  }
}

/**
 * Makes sure a call for `scope` has a credential, sending nothing with it: the caller's header token
 * when it sent one (only the upstream can judge it, when it is used), else a managed token, fetched now
 * (and cached for the calls that follow).
 * @throws UpstreamFailure (not executed) when there is none: UNAUTHENTICATED (no credential for the
 * scope, or the configured one refused) or UPSTREAM_UNAVAILABLE (the token endpoint).
 */
export async function ensureToken(
  tokens: TokenSource,
  scope: string,
  callerToken: string | undefined,
  call: CallContext,
): Promise<void> {
  if (callerToken === undefined) await acquire(tokens, scope, call);
}

/**
 * Runs `fn` with the caller's header token when it sent one, else a managed token. A managed token the
 * upstream rejects is dropped and `fn` runs once more with a fresh one: safe, because a call refused
 * for its token did not run. A second rejection is final (no loop).
 */
export async function withToken<T>(
  tokens: TokenSource,
  scope: string,
  callerToken: string | undefined,
  call: CallContext,
  fn: (token: string) => Promise<T>,
): Promise<T> {
  const token = callerToken ?? (await acquire(tokens, scope, call));
  try {
    return await fn(token);
  } catch (error) {
    const rejected = error instanceof UpstreamFailure && error.code === 'UNAUTHENTICATED';
    if (!rejected || callerToken !== undefined || !tokens.refreshable) throw error;
    tokens.invalidate(scope, token);
    return fn(await acquire(tokens, scope, call));
  }
}
