import type { ProviderAdapter } from '../copy/adapter.js';
import type { Logger } from '../copy/ports.js';
import type { TargetMatching } from '../copy/lookups.js';
import type { CopyProvider } from '../copy/provider.js';
import type { TaskRef } from '../copy/task-id.js';
import type { FetchedToken } from '../credentials/managed.js';
import type { TokenSource } from '../credentials/token-source.js';
import type { EnvReader } from '../env.js';
import type { CallRateLimit } from '../upstream/call-rate.js';
import type { UpstreamHttpClient } from '../upstream/http.js';

/**
 * A provider's settings as the gateway's configuration holds them: at least where its API is and
 * whether the gateway holds secrets for it; each module adds its own (limits, credentials).
 */
export interface ProviderSettings {
  /** The upstream API origin (and base path); unset: the provider is not configured. */
  baseUrl?: string;
  /** Secrets are configured: the gateway obtains upstream tokens itself (managed mode). */
  managed: boolean;
}

/** How a module reads its settings from the environment. */
export interface SettingsReader<Settings extends ProviderSettings> {
  /** The variable that holds {@link ProviderSettings.baseUrl}, e.g. `SMH_BASE_URL`. */
  readonly baseUrlVariable: string;
  /** What the base URL is, for messages: `expected <origin> when … credentials are configured`. */
  readonly origin: string;
  /** The public API origin, used when secrets are configured without a base URL; none: one is required. */
  readonly defaultBaseUrl?: string;
  /**
   * Reads every variable of the provider, its base URL (`env.httpUrl(baseUrlVariable)`) included.
   * Bad values go to `env.problem(variable, expected)`, never thrown, so every bad variable is reported
   * at once; a secret's value never appears in a problem.
   */
  read(env: EnvReader): Settings;
}

/** What an adapter factory gets from the gateway: shared machinery, already bound to this provider. */
export interface AdapterDeps {
  /**
   * The HTTP client for the configured origin (`baseUrl`): one keep-alive undici pool with the
   * configured timeouts, a circuit breaker, metrics labelled with the provider, and logs with its secret
   * query parameters redacted. Call it once; its `close()` is the adapter's to call.
   */
  http(): UpstreamHttpClient;
  /** Token sources for the adapter's calls. */
  tokens: {
    /**
     * Tokens fetched from configured secrets by `fetch` (per scope, e.g. one per library), cached and
     * refreshed before they expire, one fetch in flight per scope; fetches are counted in metrics.
     * `fetch` throws GatewayError UNAUTHENTICATED when the scope has no credential.
     */
    managed(fetch: (scope: string, signal: AbortSignal) => Promise<FetchedToken>): TokenSource;
    /** No secrets: every call needs the caller's token in the module's credential header. */
    passThrough(): TokenSource;
  };
  /** The gateway's logger (calls log through the caller's request logger instead, `CallContext.log`). */
  logger: Logger;
  /** The clock tokens expire on, in epoch milliseconds (tests move it). */
  now: () => number;
}

/** An operation GraphiQL opens with, in a tab of its own. */
export interface ExampleOperation {
  /** The GraphQL document, starting with a `#` comment that says what it does. */
  query: string;
  /** The variables as JSON text. */
  variables?: string;
}

/** A provider running in demo mode against its emulator. */
export interface ProviderDemo<Settings extends ProviderSettings> {
  /** The emulator's origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The settings given to `start`, pointed at the emulator with its seeded credentials (managed). */
  settings: Settings;
  /** Stops the emulator. */
  close(): Promise<void>;
}

/**
 * One provider, everything the gateway needs of it in one object: a provider's folder exports exactly
 * one, and `providers/registry.ts` lists them. Nothing outside the folder names the provider: config,
 * HTTP, logging, the copy service, demo mode and the schema loop over the modules.
 *
 * Adding a provider: a folder exporting its module, one line in the registry, one SDL file. A test can
 * also hand `buildGateway` (and `loadConfig`) a list with a module of its own, e.g. an in-memory one
 * whose SDL lives in `test/`. The SDL file extends the common schema:
 *
 * ```graphql
 * extend enum Provider { MEMORY }
 * extend input BatchCopyInput { memory: MemoryBatchCopyInput }
 * input MemoryBatchCopyInput { items: [String!]!  idempotencyKey: String  waitSeconds: Int }
 * ```
 *
 * @typeParam Settings - what {@link SettingsReader.read} returns and {@link createAdapter} gets.
 * @typeParam Request - the provider's field of `BatchCopyInput` as GraphQL coerces it.
 * @typeParam Ref - what its task ids carry.
 */
export interface ProviderModule<
  Settings extends ProviderSettings = ProviderSettings,
  Request = unknown,
  Ref extends TaskRef = TaskRef,
> extends CopyProvider<Ref> {
  /**
   * Query parameters whose values are secrets on this upstream (SMH's `access_token`), replaced before
   * an upstream URL is logged. `access_token` and `client_secret` always are.
   */
  readonly secretQueryParameters: readonly string[];
  /** Reads the provider's settings from the environment. */
  readonly settings: SettingsReader<Settings>;
  /** The adapter for configured settings (called only when `baseUrl` is set). */
  createAdapter(settings: Settings, deps: AdapterDeps): ProviderAdapter<Request, Ref>;
  /** Demo mode: starts the provider's emulator (through the emulator's index.ts) with sample data. */
  readonly demo?: {
    /** Operations against the emulator's sample data, for GraphiQL's tabs (the first one also for the banner). */
    readonly examples: readonly ExampleOperation[];
    start(settings: Settings): Promise<ProviderDemo<Settings>>;
  };
  /** The provider's SDL file (`schema/<provider>.graphql`), which extends `Provider` and `BatchCopyInput`. */
  readonly schemaFile: URL;
  /**
   * How the upstream's calls are paced (calls per second, per API or in all, and whose budget), from
   * the settings; every call of the module's HTTP client waits for a slot, across every replica that
   * shares the Redis. Absent, or 0 calls per second: unpaced.
   */
  rateLimits?(settings: Settings): CallRateLimit;
  /**
   * What a look at a target means for an item whose answer was lost (does the target now hold a copy
   * of the source, or can the copy not have run?): pure functions over what the adapter's
   * `targetReads` read. The copy service's resolution loop plans, reads and decides through them;
   * absent, the provider's UNKNOWN items stay UNKNOWN.
   */
  readonly lookups?: TargetMatching<Request>;
}
