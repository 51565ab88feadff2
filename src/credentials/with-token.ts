import type { CallContext } from '../copy/call.js';
import { UpstreamFailure } from '../copy/errors.js';
import type { TokenSource } from './token-source.js';

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
  const token = callerToken ?? (await tokens.token(scope, call));
  try {
    return await fn(token);
  } catch (error) {
    const rejected = error instanceof UpstreamFailure && error.code === 'UNAUTHENTICATED';
    if (!rejected || callerToken !== undefined || !tokens.refreshable) throw error;
    tokens.invalidate(scope, token);
    return fn(await tokens.token(scope, call));
  }
}
