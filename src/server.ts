import type { Tracer } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { CopyService } from './copy/service.js';
import type { Readiness } from './health/readiness.js';
import { corsAnswers } from './http/cors.js';
import { clientErrorAnswer, errorAnswers } from './http/error-answers.js';
import { graphiqlAssets, graphiqlPage, type ExampleTab } from './http/graphiql.js';
import { GRAPHQL_PATH, graphqlRoutes } from './http/graphql.js';
import { limitConnections } from './http/connection-limits.js';
import { healthRoutes } from './http/health.js';
import { metricsRoutes } from './http/metrics.js';
import { AllowedOrigins } from './http/origins.js';
import { REQUEST_ID_HEADER, requestIdFor } from './http/request-id.js';
import { OneLinePerRequest } from './http/request-log.js';
import type { Logger } from './log.js';
import type { GatewayMetrics } from './metrics.js';

/** What {@link createServer} serves. */
export interface ServerDeps {
  config: Config;
  logger: Logger;
  copy: CopyService;
  /** Prometheus metrics for GET /metrics; none when METRICS=0. */
  metrics?: GatewayMetrics;
  /** Operations GraphiQL opens with. */
  examples?: ExampleTab[];
  /** The schema's SDL: the common files and the SDL of the providers in use (graphql/schema.ts). */
  typeDefs: string;
  /** What `/readyz` reports; also `app.readiness`, for the process to begin shutting down. */
  readiness: Readiness;
  /** Makes a span for each GraphQL operation when tracing is on (none when unset). */
  tracer?: Tracer;
}

/**
 * Builds the HTTP server (not yet listening): GraphQL on /graphql (POST, GET, WebSocket), GraphiQL for
 * browsers, CORS for pages on the allowed origins, health probes, Prometheus metrics, and one error shape for every answer. Closing it drains
 * in-flight requests and closes the copy service.
 */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config, logger, copy } = deps;
  const app = Fastify({
    loggerInstance: logger,
    logController: new OneLinePerRequest(),
    // The request id (request.id, `reqId` on every log line of the request): the caller's x-request-id
    // when well formed, else the trace id of its traceparent, else a new UUID (http/request-id.ts).
    genReqId: (request) => requestIdFor(request.headers),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    // In-flight requests finish on close while new ones get 503, in our error shape (errorAnswers).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // `/graphql/` is the same endpoint as `/graphql` (clients differ in how they write a base URL).
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler: clientErrorAnswer,
    // Slow clients: a request head must arrive within headersTimeout, the whole request within
    // requestTimeout (each answered 408); Node checks them every connectionsCheckingInterval.
    http: {
      headersTimeout: config.server.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.server.headersTimeoutMs / 4)),
    },
    requestTimeout: config.server.requestTimeoutMs,
    keepAliveTimeout: config.server.keepAliveTimeoutMs,
  });
  limitConnections(app.server, { maxConnections: config.server.maxConnections, logger });
  // Before every other hook, so that every answer (errors, 404s, 429s, 503s while closing) names it.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // First, so that every answer to an allowed origin carries CORS headers, 503s while closing included.
  const origins = new AllowedOrigins(config.corsOrigins, config.demo);
  await app.register(corsAnswers, {
    origins,
    credentialHeaders: copy.providers.map((p) => p.credentialHeader),
  });
  await app.register(errorAnswers, { bodyLimitBytes: config.bodyLimitBytes, graphqlPath: GRAPHQL_PATH });
  if (deps.metrics) await app.register(metricsRoutes, { metrics: deps.metrics });
  app.decorate('readiness', deps.readiness);
  await app.register(healthRoutes, { readiness: deps.readiness });
  await app.register(graphiqlAssets);
  await app.register(graphqlRoutes, {
    config,
    copy,
    origins,
    typeDefs: deps.typeDefs,
    tracer: deps.tracer,
    landingPage: graphiqlPage(deps.examples ?? []),
  });
  app.addHook('onClose', async () => {
    await copy.close();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The process's readiness: `beginShutdown()` turns `/readyz` to 503 before the server closes. */
    readiness: Readiness;
  }
}
