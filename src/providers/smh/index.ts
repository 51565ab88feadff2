import { GatewayError } from '../../copy/errors.js';
import { DEFAULT_RETRY } from '../kit/retry.js';
import type { ProviderModule } from '../module.js';
import { SmhAdapter } from './adapter.js';
import { SmhClient } from './client.js';
import { SMH_EXAMPLE, startSmhDemo } from './demo.js';
import { smhSettings } from './settings.js';
import { smhMatching } from './lookup-match.js';
import { smhTaskRefs } from './task-ref.js';
import type { SmhBatchCopyRequest, SmhSettings, SmhTaskRef } from './types.js';

/** SMH grants the gateway asks for: `admin` is the one grant that also covers copies across spaces. */
const SMH_GRANTS = ['admin'];

const CREDENTIAL_HEADER = 'x-smh-access-token';

/**
 * Tencent Cloud Smart Media Hosting (SMH): batch copy within a media library
 * (https://www.tencentcloud.com/document/product/1283/75493), tokens from library secrets
 * (https://www.tencentcloud.com/document/product/1283/75415). SMH takes its access token in the query
 * string (https://www.tencentcloud.com/ind/document/product/1283/75320), so `access_token` and the
 * token endpoint's secrets are redacted from logged URLs.
 */
export const smh: ProviderModule<SmhSettings, SmhBatchCopyRequest, SmhTaskRef> = {
  id: 'SMH',
  displayName: 'SMH',
  inputField: 'smh',
  credentialHeader: CREDENTIAL_HEADER,
  secretQueryParameters: ['access_token', 'library_secret', 'share_access_token'],
  taskRefs: smhTaskRefs,
  lookups: smhMatching,
  settings: smhSettings,
  schemaFile: new URL('../../../schema/smh.graphql', import.meta.url),
  demo: { examples: [{ query: SMH_EXAMPLE }], start: startSmhDemo },
  rateLimits: (settings) => ({ callsPerSecond: settings.maxCallsPerSecond, per: 'upstream' }),
  createAdapter(settings, deps) {
    const client = new SmhClient(deps.http());
    const secrets = new Map(settings.libraries.map((l) => [l.libraryId, l.librarySecret]));
    const tokens =
      secrets.size === 0
        ? deps.tokens.passThrough()
        : deps.tokens.managed(async (libraryId, signal) => {
            const secret = secrets.get(libraryId);
            if (!secret) {
              throw new GatewayError(
                `No SMH credential is configured for library ${libraryId}: send the access token in the ${CREDENTIAL_HEADER} header.`,
                'UNAUTHENTICATED',
                { provider: 'SMH' },
              );
            }
            const { accessToken, expiresIn } = await client.createToken(libraryId, secret, {
              grants: SMH_GRANTS,
              signal,
            });
            return { token: accessToken, expiresInSeconds: expiresIn };
          });
    return new SmhAdapter(client, tokens, { ...settings, retry: DEFAULT_RETRY });
  },
};
