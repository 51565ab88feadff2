import { readMaxCallsPerSecond } from '../kit/rate-limits.js';
import type { SettingsReader } from '../module.js';
import type { DingTalkSettings } from './types.js';

/**
 * DINGTALK_BASE_URL, the internal app's DINGTALK_APP_KEY + DINGTALK_APP_SECRET, and the limits. With app
 * credentials and no base URL the gateway calls the public API origin.
 */
export const dingTalkSettings: SettingsReader<DingTalkSettings> = {
  baseUrlVariable: 'DINGTALK_BASE_URL',
  origin: 'the DingTalk API origin',
  // https://open.dingtalk.com/document/development/copy-files-or-folders-in-bulk
  defaultBaseUrl: 'https://api.dingtalk.com',
  read(env) {
    const baseUrl = env.httpUrl('DINGTALK_BASE_URL');
    const app = env.pair('DINGTALK_APP_KEY', 'DINGTALK_APP_SECRET');
    return {
      baseUrl,
      managed: app !== undefined,
      appKey: app?.[0],
      appSecret: app?.[1],
      chunkSize: env.integer('DINGTALK_CHUNK_SIZE', 3, 1, 1000),
      maxItems: env.integer('DINGTALK_MAX_ITEMS', 100_000, 1, 1_000_000),
      concurrency: env.integer('DINGTALK_CONCURRENCY', 4, 1, 64),
      throttleRetries: env.integer('DINGTALK_THROTTLE_RETRIES', 3, 0, 10),
      // 20 calls a second per app and API for standard-edition orgs; above it DingTalk answers 403
      // QpsLimitForAppkeyAndApi (https://open.dingtalk.com/document/development/how-to-process-api-throttling-on-the-dingtalk-server).
      maxCallsPerSecond: readMaxCallsPerSecond(env, 'DINGTALK_MAX_CALLS_PER_SECOND', 20),
    };
  },
};
