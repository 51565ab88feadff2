/**
 * One test rig: a gateway in-process on a random loopback port with any set of provider modules, each
 * with its upstream (an emulator, or nothing for a provider that calls no upstream), in pass-through or
 * managed mode. Every upstream sits behind a recording proxy, the one record of what the gateway sent
 * upstream and what came back; every GraphQL answer body is kept too. The rig closes everything it
 * started when the test (or, started in `beforeAll`, the file) ends: callers never close it.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, onTestFinished } from 'vitest';
import type { GatewayOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { ProviderModule } from '../../src/providers/module.js';
import { providers as registry } from '../../src/providers/registry.js';
import { startGateway, TASK_ID_SECRET, type GraphQLBody, type TestGateway } from './gateway.js';
import { startRecordingProxy, type RecordedExchange, type RecordingProxy } from './recording-proxy.js';

/** Pass-through: callers send the upstream token; managed: the gateway holds the provider's secrets. */
export type RigMode = 'pass-through' | 'managed';

/** A provider's upstream as one rig started it. */
export interface RigUpstream {
  /** The upstream's origin; undefined for a provider that calls nothing. */
  readonly url?: string;
  /** The gateway's environment for this provider, given the origin the gateway must call. */
  env(baseUrl: string): Record<string, string>;
  /** Headers a caller sends in this mode (the pass-through token), merged into every GraphQL request. */
  readonly headers: Record<string, string>;
  /** Values that must never appear in an answer or a log line (secrets, tokens). */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

/** How a rig starts one provider: its module and its upstream. */
export interface RigProvider<Upstream extends RigUpstream = RigUpstream> {
  readonly module: ProviderModule;
  start(mode: RigMode): Promise<Upstream>;
}

export interface RigOptions<Upstream extends RigUpstream> {
  providers: readonly RigProvider<Upstream>[];
  /** Default pass-through. */
  mode?: RigMode;
  /** More gateway environment, over what the providers set. */
  env?: Record<string, string>;
  /** More of what the gateway is built with (a tracer, say). */
  gateway?: Pick<GatewayOptions, 'tracer'>;
}

/** A started provider: its upstream, the recording proxy in front of it, and what went through it. */
export interface RigEntry<Upstream extends RigUpstream> {
  readonly upstream: Upstream;
  /** Every exchange between gateway and upstream, in the order the answers came (resets have status 0). */
  readonly exchanges: RecordedExchange[];
}

export interface Rig<Upstream extends RigUpstream = RigUpstream> {
  readonly gw: TestGateway;
  readonly mode: RigMode;
  /** The started providers, by provider id (`SMH`). */
  readonly entries: ReadonlyMap<string, RigEntry<Upstream>>;
  /** The entry of the only (or the first) provider. */
  readonly first: RigEntry<Upstream>;
  /** Every GraphQL answer body, as text, in order. */
  readonly answers: string[];
  /** Sends a typed document with the providers' caller headers (plus `headers`). */
  graphql<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: GraphQLBody<Result> }>;
}

/**
 * Starts the providers' upstreams, a recording proxy in front of each, and a gateway with the registry's
 * modules plus any other module given (e.g. a test-only one). Disposal is registered with vitest.
 */
export async function startRig<Upstream extends RigUpstream>(
  options: RigOptions<Upstream>,
): Promise<Rig<Upstream>> {
  const mode = options.mode ?? 'pass-through';
  const closers: (() => Promise<void>)[] = [];
  const dispose = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    onTestFinished(dispose);
  } catch {
    // Started outside a test (in beforeAll): close with the file.
    afterAll(dispose);
  }

  const modules: ProviderModule[] = [...registry];
  for (const { module } of options.providers) if (!modules.includes(module)) modules.push(module);
  const entries = new Map<string, RigEntry<Upstream>>();
  // The conformance cases read the answers as they came: UNKNOWN items are not looked at. DingTalk is
  // unpaced, as in startGateway.
  const env: Record<string, string> = { UNKNOWN_RESOLUTION: 'off', DINGTALK_MAX_CALLS_PER_SECOND: '0' };
  for (const provider of options.providers) {
    const upstream = await provider.start(mode);
    closers.push(() => upstream.close());
    let proxy: RecordingProxy | undefined;
    if (upstream.url) {
      proxy = await startRecordingProxy(upstream.url);
      closers.push(() => (proxy as RecordingProxy).close());
    }
    Object.assign(env, upstream.env(proxy?.url ?? 'http://upstream.invalid'));
    entries.set(provider.module.id, { upstream, exchanges: proxy?.exchanges ?? [] });
  }
  Object.assign(env, options.env);

  const base = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ALLOW_ANONYMOUS: '1',
    TASK_ID_SECRET,
    ...env,
  };
  const gw = await startGateway(base, {
    ...options.gateway,
    providers: modules,
    override: () => loadConfig(base, modules),
  });
  closers.push(() => gw.close());

  const headers: Record<string, string> = {};
  for (const { upstream } of entries.values()) Object.assign(headers, upstream.headers);
  const answers: string[] = [];
  const first = [...entries.values()][0];
  if (!first) throw new Error('a rig needs at least one provider');
  return {
    gw,
    mode,
    entries,
    first,
    answers,
    async graphql(document, variables, extra = {}) {
      const { status, body, text } = await gw.graphql(print(document), variables as Record<string, unknown>, {
        ...headers,
        ...extra,
      });
      answers.push(text);
      return { status, body: body as never };
    },
  };
}
