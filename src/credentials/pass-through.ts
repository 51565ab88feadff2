import { GatewayError } from '../copy/errors.js';
import type { TokenSource } from './token-source.js';

/** No managed credential: the caller must send the upstream token (in a header, or over WebSocket in connection_init). */
export function passThroughOnly(providerName: string, header: string): TokenSource {
  return {
    refreshable: false,
    token: async (_scope, call) => {
      const place = call.credentialPlace?.(header) ?? `the ${header} header`;
      throw new GatewayError(
        `No ${providerName} credential: send the access token in ${place}.`,
        'UNAUTHENTICATED',
        {
          provider: providerName,
        },
      );
    },
    invalidate: () => undefined,
  };
}
