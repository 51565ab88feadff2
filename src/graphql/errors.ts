import { ErrorCode } from '../copy/error-codes.js';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../log.js';
import { GatewayError, UpstreamFailure } from '../copy/errors.js';
import { BAD_USER_INPUT } from './input-errors.js';

/** How {@link createFormatError} treats what it formats. */
export interface FormatErrorOptions {
  /** Show the message of an unexpected error (outside production); otherwise "Internal server error". */
  exposeInternal: boolean;
  /** Drop graphql-js's `Did you mean …?` hints, which reveal the schema (production). */
  hideSuggestions: boolean;
}

const SUGGESTION = / ?Did you mean .+\?$/s;

/**
 * An error graphql-js raised about the request itself (not from a resolver, not at a field): e.g.
 * "Too many errors processing variables". Execution returns it without a code.
 */
function requestLevelError(error: unknown): boolean {
  return (
    error instanceof GraphQLError &&
    error.extensions.code === undefined &&
    error.path === undefined &&
    error.originalError === undefined
  );
}

/**
 * The one error formatter of both transports. Every error leaves with a code in `extensions.code`:
 * our own errors carry theirs; request-level errors graphql-js raises without one are the caller's
 * input (`BAD_USER_INPUT`); anything else unexpected is logged and masked as INTERNAL_SERVER_ERROR,
 * since its message may hold anything. `extensions.http` (a status for the HTTP layer) never leaves.
 */
export function createFormatError(log: Logger, options: FormatErrorOptions) {
  const clean = (message: string) => (options.hideSuggestions ? message.replace(SUGGESTION, '') : message);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GatewayError) {
      const upstream =
        original instanceof UpstreamFailure
          ? { upstream: original.error.upstream, retryable: original.error.retryable }
          : {};
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...original.extra, ...upstream, code: original.code },
      };
    }
    const { http: _http, ...extensions } = formatted.extensions ?? {};
    const code = extensions.code;
    if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return { ...formatted, message: clean(formatted.message), extensions };
    }
    if (requestLevelError(error)) {
      return { ...formatted, message: clean(formatted.message), extensions: { code: BAD_USER_INPUT } };
    }
    log.error({ err: original }, 'unexpected error in a GraphQL operation');
    if (options.exposeInternal)
      return { ...formatted, extensions: { ...extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
