import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../copy/ports.js';
import { GatewayError, UpstreamFailure } from '../copy/errors.js';

/**
 * Every error leaves with a code in `extensions.code`. Our own errors carry theirs; anything
 * unexpected is logged and masked as INTERNAL_SERVER_ERROR, since its message may hold anything.
 */
export function createFormatError(log: Logger, exposeInternal: boolean) {
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
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    log.error({ err: original }, 'unexpected error in a GraphQL operation');
    if (exposeInternal)
      return { ...formatted, extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR' } };
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
