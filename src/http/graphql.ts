import { ErrorCode } from '../copy/error-codes.js';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import fastifyWebsocket from '@fastify/websocket';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Tracer } from '@opentelemetry/api';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from '../config.js';
import type { RequestContext } from '../context.js';
import type { CopyService } from '../copy/service.js';
import { compiledExecutor } from '../graphql/compiled-executor.js';
import { graphqlPolicy } from '../graphql/policy.js';
import { resolvers } from '../graphql/resolvers.js';
import { operationSpanPlugin } from '../tracing/apollo-plugin.js';
import { startOperationSpan } from '../tracing/operation-span.js';
import { apolloPolicyPlugin } from './apollo-policy.js';
import { addRequestIdToErrors, requestIdPlugin } from './apollo-request-id.js';
import { createCallerAuth } from './caller-auth.js';
import { refuseForeignHosts } from './allowed-hosts.js';
import { refuseForeignWebSockets } from './cors.js';
import { graphqlErrorBody } from './error-body.js';
import { wantsGraphiql } from './graphiql.js';
import type { AllowedOrigins } from './origins.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { limitCallerRate } from './rate-limit.js';
import { createContextFactory } from './request-context.js';
import { SubscriptionCaps } from './subscription-caps.js';
import { subscriptionHandler } from './subscriptions.js';

/** The path of the GraphQL endpoint: HTTP POST and GET, and WebSocket (graphql-transport-ws). */
export const GRAPHQL_PATH = '/graphql';

/** Options of {@link graphqlRoutes}. */
export interface GraphqlRoutesOptions {
  config: Config;
  copy: CopyService;
  /** Origins whose pages may open WebSocket connections (besides the gateway's own). */
  origins: AllowedOrigins;
  /** HTML served on `GET /graphql` to browsers ({@link wantsGraphiql}); none: browsers get GraphQL. */
  landingPage?: string;
  /** The schema's SDL: the common files and the SDL of the providers in use (graphql/schema.ts). */
  typeDefs: string;
  /** Makes a span for each operation when tracing is on (none when unset). */
  tracer?: Tracer;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.trim() !== '' ? text.trim() : undefined;
}

/** Clears each operation's deadline timer when its answer goes out, instead of leaving it to run out. */
const endOperations: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue }) {
        contextValue.endOperation();
      },
    };
  },
};

/**
 * The GraphQL endpoint on {@link GRAPHQL_PATH}: Apollo Server over HTTP POST and GET, graphql-ws
 * (subscriptions only) over WebSocket on the same path, both on one executable schema, and the API-key
 * check (`Authorization: Bearer <key>`) when keys are configured. Answers 401 `UNAUTHENTICATED` with
 * `WWW-Authenticate: Bearer` to an HTTP request without a known key; WebSocket connections present the
 * key in their `connection_init` payload instead.
 */
export const graphqlRoutes: FastifyPluginAsync<GraphqlRoutesOptions> = async (app, options) => {
  const { config, copy, tracer } = options;
  // One policy (limits, introspection, error masking) for both transports.
  const policy = graphqlPolicy(config);
  // One executable schema for both transports: Apollo over HTTP, graphql-ws over WebSocket.
  const schema = makeExecutableSchema({ typeDefs: options.typeDefs, resolvers });
  const apollo = new ApolloServer<RequestContext>({
    // Apollo's pipeline over the schema; execution by queries compiled once per document.
    gateway: compiledExecutor(schema, config.compileAfter),
    // The policy's validation rules decide introspection, as they do over WebSocket.
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: policy.formatError,
    validationRules: [...policy.validationRules],
    parseOptions: policy.parseOptions,
    allowBatchedHttpRequests: false,
    // The process decides when to stop (main.ts: readiness first, then the server closes, then Apollo);
    // Apollo's own handlers would stop it, and close the server, at the first SIGTERM.
    stopOnTerminationSignals: false,
    plugins: [
      apolloPolicyPlugin(policy, GRAPHQL_PATH),
      // After the policy plugin, which may replace an answer's errors.
      requestIdPlugin(),
      ...(tracer ? [operationSpanPlugin<RequestContext>()] : []),
      endOperations,
      // We serve GraphiQL ourselves; the default landing page would load Sandbox from a CDN.
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP caching here, and the cache-control plugin wraps every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  await apollo.start();
  // After the server has closed and its requests have finished (Fastify runs this onClose hook later).
  app.addHook('onClose', async () => {
    await apollo.stop();
  });

  const authenticate = config.apiKeys.length > 0 ? createCallerAuth(config.apiKeys) : undefined;
  const contextFor = createContextFactory(config, copy);
  const context = async (request: FastifyRequest): Promise<RequestContext> =>
    contextFor({
      log: request.log,
      requestId: request.id,
      trace: tracer ? startOperationSpan(tracer, request.headers, request.id) : undefined,
      caller: request.caller,
      credential: (name) => headerValue(request, name),
    });

  // Registered before the caller check: it marks real WebSocket upgrades (`request.ws`), which
  // authenticate in their connection_init message instead (browsers cannot set WebSocket headers).
  await app.register(fastifyWebsocket, { options: { maxPayload: config.bodyLimitBytes } });
  app.addHook('onRequest', refuseForeignWebSockets(options.origins));
  // Without API keys, against DNS rebinding: only the gateway's own host names are served.
  if (config.apiKeys.length === 0) app.addHook('onRequest', refuseForeignHosts(config.allowedHosts));

  // Before the caller check, which counts failed attempts in the same store.
  const failedAuth = await limitCallerRate(app, {
    max: config.server.rateLimitMax,
    windowMs: config.server.rateLimitWindowMs,
    redisUrl: config.redisUrl,
  });

  app.decorateRequest('caller', undefined);
  if (authenticate) {
    const unauthenticated = (request: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(
          graphqlErrorBody(
            'Missing or unknown API key: send Authorization: Bearer <key>.',
            ErrorCode.UNAUTHENTICATED,
            request.id,
          ),
        );
    app.addHook('onRequest', (request, reply, done) => {
      // Decided by the matched route, not the raw URL: the router decodes `/%67raphql` to /graphql.
      if (request.routeOptions.url !== GRAPHQL_PATH || request.method === 'OPTIONS') return done();
      // Only a real WebSocket handshake (always a GET, RFC 6455 §4.1): any other request that merely
      // carries an Upgrade header is checked like every request.
      if (request.ws && request.method === 'GET') return done();
      if (
        options.landingPage !== undefined &&
        request.method === 'GET' &&
        wantsGraphiql(request.headers.accept, request.query as Record<string, unknown>)
      )
        return done();
      const caller = authenticate(request.headers.authorization);
      if (caller) {
        request.caller = caller;
        // Every later line of this request (e.g. "request completed") names the caller, never the key.
        // Fastify's request logger is this request's own child (request.log is reply.log): binding the
        // caller to it costs less than a second child logger per request.
        // createLogger makes it pino; Fastify's type names only what every logger has.
        (request.log as PinoLogger).setBindings({ caller });
        return done();
      }
      // Answered here, without done(): a failed attempt counts against the client's address.
      if (!failedAuth) return void unauthenticated(request, reply);
      failedAuth(request).then(
        (limited) => {
          if (!limited) return void unauthenticated(request, reply);
          void reply
            .code(429)
            .headers({
              'retry-after': limited.retryAfterSeconds,
              'x-ratelimit-limit': limited.max,
              'x-ratelimit-remaining': 0,
              'x-ratelimit-reset': limited.retryAfterSeconds,
            })
            .send(graphqlErrorBody(limited.message, ErrorCode.RATE_LIMITED, request.id));
        },
        () => void unauthenticated(request, reply),
      );
    });
  }

  // Apollo answers a malformed request (no query, a refused CSRF check) before any plugin hook runs;
  // its errors get the request id here. Our own error answers have it already and stay as they are.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return done(null, payload);
    done(null, addRequestIdToErrors(payload, request.id) ?? payload);
  });

  // A form's bodies, which any page can POST cross-site without a preflight: read as text (within the
  // body limit), so Apollo's CSRF prevention refuses them with 400 as it does text/plain, instead of a
  // 415 that would say nothing about why.
  app.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'multipart/form-data'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );

  const graphqlHandler = fastifyApolloHandler(apollo, { context });
  const { landingPage } = options;
  app.route({
    method: 'GET',
    url: GRAPHQL_PATH,
    handler: async function (request, reply) {
      if (
        landingPage !== undefined &&
        wantsGraphiql(request.headers.accept, request.query as Record<string, unknown>)
      ) {
        return reply.type('text/html; charset=utf-8').send(landingPage);
      }
      return graphqlHandler.call(this, request as never, reply as never);
    },
    wsHandler: subscriptionHandler({
      schema,
      policy,
      authenticate,
      failedAuth,
      contextFor: (input) => contextFor(input),
      caps: new SubscriptionCaps(config.subscriptions),
      tracer,
      credentialHeaders: copy.providers.map((p) => p.credentialHeader),
    }),
  });
  // Apollo's own refusal reads "Operation batching disabled."; this one says what to do instead.
  // A callback hook, as every hook on the request path: an async one costs a promise per request.
  const refuseBatches = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!Array.isArray(request.body)) return done();
    reply
      .code(400)
      .send(
        graphqlErrorBody(
          'Batched requests (a JSON array of operations) are not supported: send one operation per request; connections are kept alive, so separate requests cost little.',
          ErrorCode.BAD_REQUEST,
          request.id,
        ),
      );
  };
  app.post(GRAPHQL_PATH, { preHandler: refuseBatches, handler: graphqlHandler });

  // Every other method on the endpoint: 405 with the methods that work (OPTIONS answers them too).
  const allowed = ['GET', 'HEAD', 'POST', 'OPTIONS'];
  app.options(GRAPHQL_PATH, async (_request, reply) =>
    reply.code(204).header('allow', allowed.join(', ')).send(),
  );
  refuseOtherMethods(app, GRAPHQL_PATH, allowed, 'send GraphQL with POST (or GET for queries).');
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller's name (never the key). */
    caller?: string;
  }
}
