import type { Config } from '../config.js';
import type { Logger } from '../copy/ports.js';
import { DINGTALK_SEED, startDingTalkEmulator } from '../emulators/dingtalk/index.js';
import { DEMO_LIBRARY_ID, DEMO_LIBRARY_SECRET, startSmhEmulator } from '../emulators/smh/index.js';
import type { ExampleTab } from '../http/graphiql.js';
import { DEMO_EXAMPLES, SMH_EXAMPLE } from './examples.js';

export interface Demo {
  /** The configuration with both providers pointed at the in-process emulators. */
  config: Config;
  examples: ExampleTab[];
  banner(address: string): string;
  close(): Promise<void>;
}

/**
 * Demo mode: both emulators in-process on loopback, seeded with sample data, and the gateway given
 * their demo credentials (managed mode), so GraphiQL works without any token.
 */
export async function startDemo(config: Config, logger: Logger): Promise<Demo> {
  const [smh, dingtalk] = await Promise.all([
    startSmhEmulator({ seed: true }),
    startDingTalkEmulator({ seed: true }),
  ]);
  logger.info({ smh: smh.url, dingtalk: dingtalk.url }, 'demo emulators started');
  const demoConfig: Config = {
    ...config,
    allowAnonymous: true,
    managed: true,
    smh: {
      ...config.smh,
      baseUrl: smh.url,
      libraries: [{ libraryId: DEMO_LIBRARY_ID, librarySecret: DEMO_LIBRARY_SECRET }],
    },
    dingtalk: {
      ...config.dingtalk,
      baseUrl: dingtalk.url,
      appKey: DINGTALK_SEED.appKey,
      appSecret: DINGTALK_SEED.appSecret,
    },
  };
  return {
    config: demoConfig,
    examples: DEMO_EXAMPLES,
    banner: (address) => {
      const url = `${address.replace('0.0.0.0', '127.0.0.1')}/graphql`;
      const curl = `curl -s ${url} -H 'content-type: application/json' --data '${JSON.stringify({ query: SMH_EXAMPLE.replace(/^#.*\n/, '').replace(/\s+/g, ' ') }).replace(/'/g, "'\\''")}'`;
      return [
        '',
        '  copy-gateway — DEMO MODE',
        '  No upstream is configured, so the gateway runs against built-in SMH and DingTalk emulators',
        `  (SMH ${smh.url}, DingTalk ${dingtalk.url}) seeded with sample data. Nothing leaves this machine.`,
        '',
        `  GraphiQL: ${url}   (open it in a browser; example operations are in its tabs)`,
        '',
        '  Or paste this:',
        `  ${curl}`,
        '',
      ].join('\n');
    },
    close: async () => {
      await Promise.all([smh.close(), dingtalk.close()]);
    },
  };
}
