import { DEFAULT_RETRY } from '../kit/retry.js';
import type { ProviderModule } from '../module.js';
import { DingTalkAdapter } from './adapter.js';
import { DingTalkClient } from './client.js';
import { DINGTALK_EXAMPLE, startDingTalkDemo } from './demo.js';
import { dingTalkSettings } from './settings.js';
import { dingTalkMatching } from './lookup-match.js';
import { dingTalkTaskRefs } from './task-ref.js';
import type { DingTalkBatchCopyRequest, DingTalkSettings, DingTalkTaskRef } from './types.js';

/**
 * DingTalk storage (DingTalk Drive): batch copy of dentries
 * (https://open.dingtalk.com/document/development/copy-files-or-folders-in-bulk), tokens from an
 * internal app's key and secret (https://open.dingtalk.com/document/development/obtain-the-access-token-of-an-internal-app).
 * The token rides in a header; the legacy token endpoint took `appsecret` in its query
 * (https://open.dingtalk.com/document/development/api-gettoken), which is redacted from logged URLs.
 */
export const dingtalk: ProviderModule<DingTalkSettings, DingTalkBatchCopyRequest, DingTalkTaskRef> = {
  id: 'DINGTALK',
  displayName: 'DingTalk',
  inputField: 'dingtalk',
  credentialHeader: 'x-acs-dingtalk-access-token',
  secretQueryParameters: ['appsecret', 'app_secret'],
  taskRefs: dingTalkTaskRefs,
  lookups: dingTalkMatching,
  settings: dingTalkSettings,
  schemaFile: new URL('../../../schema/dingtalk.graphql', import.meta.url),
  demo: { examples: [{ query: DINGTALK_EXAMPLE }], start: startDingTalkDemo },
  // DingTalk counts calls per app and API; callers' own tokens (no app key here) share one budget.
  rateLimits: (settings) => ({
    callsPerSecond: settings.maxCallsPerSecond,
    per: 'api',
    account: settings.appKey,
  }),
  createAdapter(settings, deps) {
    const client = new DingTalkClient(deps.http());
    const { appKey, appSecret } = settings;
    const tokens =
      appKey && appSecret
        ? deps.tokens.managed(async (_scope, signal) => {
            const { accessToken, expireIn } = await client.getAccessToken(appKey, appSecret, signal);
            return { token: accessToken, expiresInSeconds: expireIn };
          })
        : deps.tokens.passThrough();
    return new DingTalkAdapter(client, tokens, {
      ...settings,
      retry: { ...DEFAULT_RETRY, retries: settings.throttleRetries },
    });
  },
};
