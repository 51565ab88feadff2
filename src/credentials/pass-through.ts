import { GatewayError } from '../copy/errors.js';
import type { TokenSource } from './token-source.js';

/** No managed credential: the caller must send the upstream token in a header. */
export function passThroughOnly(providerName: string, header: string): TokenSource {
  return {
    refreshable: false,
    token: async () => {
      throw new GatewayError(
        `No ${providerName} credential: send the access token in the ${header} header.`,
        'UNAUTHENTICATED',
        {
          provider: providerName,
        },
      );
    },
    invalidate: () => undefined,
  };
}
