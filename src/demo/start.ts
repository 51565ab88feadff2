import { decideAccess, type Config } from '../config.js';
import type { Logger } from '../copy/ports.js';
import type { ExampleTab } from '../http/graphiql.js';
import type { ProviderModule, ProviderSettings } from '../providers/module.js';
import { providers as registry } from '../providers/registry.js';
import { demoExamples } from './examples.js';

/** Demo mode, running. */
export interface Demo {
  /** The configuration with every provider pointed at its in-process emulator. */
  config: Config;
  /** Each provider's example operations, then the task ones. */
  examples: ExampleTab[];
  /** What to print once the gateway listens at `address`. */
  banner(address: string): string;
  /** Stops the emulators. */
  close(): Promise<void>;
}

/**
 * Demo mode: every provider with a demo starts its emulator in-process on loopback, seeded with sample
 * data, and the gateway gets the emulators' credentials (managed mode), so GraphiQL works without any
 * token. Who may call is decided by the same {@link decideAccess} as for any configuration.
 * @param modules - the providers to run (default: every provider of the registry).
 */
export async function startDemo(
  config: Config,
  logger: Logger,
  modules: readonly ProviderModule[] = registry,
): Promise<Demo> {
  const started = await Promise.all(
    modules.flatMap((module) => {
      const settings = config.providers[module.id];
      return module.demo && settings ? [module.demo.start(settings).then((demo) => ({ module, demo }))] : [];
    }),
  );
  const urls = started.map(({ module, demo }) => `${module.displayName} ${demo.url}`);
  logger.info(
    Object.fromEntries(started.map(({ module, demo }) => [module.inputField, demo.url])),
    'demo emulators started',
  );
  const providers: Record<string, ProviderSettings> = { ...config.providers };
  for (const { module, demo } of started) providers[module.id] = demo.settings;
  const access = decideAccess({
    production: config.production,
    demoRequested: true,
    demo: true,
    providers: Object.values(providers),
    apiKeys: config.apiKeys.length,
    allowAnonymous: config.allowAnonymous,
  });
  const examples = demoExamples(started.map(({ module }) => module));
  const names = started.map(({ module }) => module.displayName);
  return {
    config: { ...config, providers, managed: access.managed, allowAnonymous: access.allowAnonymous },
    examples,
    banner: (address) => {
      const url = `${address.replace('0.0.0.0', '127.0.0.1')}/graphql`;
      const first = examples[0]?.query ?? '';
      // With API keys on, the sample needs one: a placeholder, never a configured key.
      const keyed = config.apiKeys.length > 0;
      const authorization = keyed ? ` -H 'authorization: Bearer <API key>'` : '';
      const curl = `curl -s ${url} -H 'content-type: application/json'${authorization} --data '${JSON.stringify({ query: first.replace(/^#.*\n/, '').replace(/\s+/g, ' ') }).replace(/'/g, "'\\''")}'`;
      return [
        '',
        '  copy-gateway — DEMO MODE',
        `  No upstream is configured, so the gateway runs against built-in ${list(names)} emulators`,
        `  (${urls.join(', ')}) seeded with sample data. Nothing leaves this machine.`,
        '',
        `  GraphiQL: ${url}   (open it in a browser; example operations are in its tabs)`,
        '',
        keyed
          ? '  Or paste this, with one of the keys in GATEWAY_API_KEYS in place of <API key>:'
          : '  Or paste this:',
        `  ${curl}`,
        '',
      ].join('\n');
    },
    close: async () => {
      await Promise.all(started.map(({ demo }) => demo.close()));
    },
  };
}

/** `a`, `a and b`, `a, b and c`. */
function list(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
}
