import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import fastifyWebsocket from '@fastify/websocket';
import { makeExecutableSchema } from '@graphql-tools/schema';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from './log.js';
import type { Config } from './config.js';
import type { CopyService } from './copy/service.js';
import type { RequestContext } from './context.js';
import { createFormatError } from './graphql/errors.js';
import { documentLimits } from './graphql/limits.js';
import { resolvers } from './graphql/resolvers.js';
import { createContextFactory } from './http/request-context.js';
import { subscriptionHandler } from './http/subscriptions.js';
import { loadTypeDefs } from './graphql/schema.js';
import { createCallerAuth } from './http/caller-auth.js';
import { graphiqlPage, registerGraphiqlAssets, wantsGraphiql, type ExampleTab } from './http/graphiql.js';
import { registerMetrics, type GatewayMetrics } from './metrics.js';

const HTTP_ERROR_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export interface ServerDeps {
  config: Config;
  logger: Logger;
  copy: CopyService;
  /** Prometheus metrics for GET /metrics; none when METRICS=0. */
  metrics?: GatewayMetrics;
  /** Operations GraphiQL opens with. */
  examples?: ExampleTab[];
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.trim() !== '' ? text.trim() : undefined;
}

/**
 * Apollo's DisableSuggestions plugin only rewrites validation errors; graphql-js also suggests field
 * names when it coerces variables (`Field "itemz" is not defined by type … Did you mean "items"?`).
 */
const hideSuggestions: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = error.message.replace(/ ?Did you mean .+\?$/s, '');
      },
    };
  },
};

/** Builds the HTTP server: GraphQL on /graphql (POST, GET), GraphiQL for browsers, health probes. */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config, logger, copy } = deps;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    // Lets in-flight requests finish on close while new ones get 503.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  const armor = documentLimits(config.limits);
  // One executable schema for both transports: Apollo over HTTP, graphql-ws over WebSocket.
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  const formatError = createFormatError(logger, !config.production);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    validationRules: armor.validationRules,
    parseOptions: armor.parseOptions,
    allowBatchedHttpRequests: false,
    plugins: [
      // graphql-armor is typed against @apollo/server's CommonJS build; the plugin objects are the same.
      ...(armor.plugins as unknown as ApolloServerPlugin<RequestContext>[]),
      fastifyApolloDrainPlugin(app),
      // We serve GraphiQL ourselves; the default landing page would load Sandbox from a CDN.
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP caching here, and the cache-control plugin wraps every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(config.production ? [ApolloServerPluginDisableSuggestions(), hideSuggestions] : []),
    ],
  });
  await apollo.start();

  const authenticate = config.apiKeys.length > 0 ? createCallerAuth(config.apiKeys) : undefined;

  const contextFor = createContextFactory(config, copy);
  const context = async (request: FastifyRequest): Promise<RequestContext> =>
    contextFor({
      log: request.log,
      caller: request.caller,
      credential: (name) => headerValue(request, name),
    });

  // Body-level failures (too large, not JSON) answer in GraphQL's error shape too, with a code.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code = HTTP_ERROR_CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
    const message =
      status === 413
        ? `The request body is larger than ${config.bodyLimitBytes} bytes.`
        : status >= 500
          ? 'Internal server error'
          : error.message;
    return reply.code(status).send({ errors: [{ message, extensions: { code } }] });
  });

  // Registered before the caller check: it marks real WebSocket upgrades (`request.ws`), which
  // authenticate in their connection_init message instead (browsers cannot set WebSocket headers).
  await app.register(fastifyWebsocket, { options: { maxPayload: config.bodyLimitBytes } });

  app.decorateRequest('caller', undefined);
  if (authenticate) {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      // Decided by the matched route, not the raw URL: the router decodes `/%67raphql` to /graphql.
      if (request.routeOptions.url !== '/graphql' || request.method === 'OPTIONS') return;
      // Only a real upgrade: an ordinary request that merely carries an Upgrade header is checked.
      if (request.ws) return;
      if (
        request.method === 'GET' &&
        wantsGraphiql(request.headers.accept, request.query as Record<string, unknown>)
      )
        return;
      const caller = authenticate(request.headers.authorization);
      if (!caller) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({
            errors: [
              {
                message: 'Missing or unknown API key: send Authorization: Bearer <key>.',
                extensions: { code: 'UNAUTHENTICATED' },
              },
            ],
          });
      }
      request.caller = caller;
      // Every later line of this request (e.g. "request completed") names the caller, never the key.
      request.log = reply.log = request.log.child({ caller });
    });
  }

  await registerGraphiqlAssets(app);
  const graphqlHandler = fastifyApolloHandler(apollo, { context });
  const page = graphiqlPage(deps.examples ?? []);
  app.route({
    method: 'GET',
    url: '/graphql',
    handler: async function (request, reply) {
      if (wantsGraphiql(request.headers.accept, request.query as Record<string, unknown>)) {
        return reply.type('text/html; charset=utf-8').send(page);
      }
      return graphqlHandler.call(this, request as never, reply as never);
    },
    wsHandler: subscriptionHandler({
      schema,
      validationRules: armor.validationRules,
      maxTokens: config.limits.maxTokens,
      authenticate,
      contextFor: (input) => contextFor(input),
      formatError: (error) => formatError(error.toJSON(), error),
    }),
  });
  app.post('/graphql', graphqlHandler);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const listening = app.server.listening;
    return reply.code(listening ? 200 : 503).send({ status: listening ? 'ready' : 'starting' });
  });
  registerMetrics(app, deps.metrics);
  app.addHook('onClose', async () => {
    await copy.close();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller's name (never the key). */
    caller?: string;
  }
}
