import fastifyCors from '@fastify/cors';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ErrorCode } from '../copy/error-codes.js';
import { graphqlErrorBody } from './error-body.js';
import { sameOrigin, type AllowedOrigins } from './origins.js';

/** Options of {@link corsAnswers}. */
export interface CorsOptions {
  origins: AllowedOrigins;
  /** Every provider's credential header (lower case): a page sends its callers' upstream tokens in them. */
  credentialHeaders: readonly string[];
}

/** How long a browser may reuse a preflight's answer (seconds; Chromium caps it at 7,200). */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * The request headers a page may send: the body's type, the API key, each provider's token header,
 * request ids and W3C trace context, and the headers that satisfy Apollo Server's CSRF prevention.
 */
export function allowedRequestHeaders(credentialHeaders: readonly string[]): string[] {
  return [
    ...new Set([
      'content-type',
      'authorization',
      ...credentialHeaders,
      'x-request-id',
      'traceparent',
      'tracestate',
      'apollo-require-preflight',
      'x-apollo-operation-name',
    ]),
  ];
}

/** Response headers a page's script may read besides the CORS-safelisted ones. */
export const EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];

/**
 * CORS (https://fetch.spec.whatwg.org/#http-cors-protocol) through `@fastify/cors`, on every route:
 * a preflight from an allowed origin is answered 204 at once (before API-key checks and rate limits,
 * since a browser sends no credential with it) with the allowed methods (GET, POST, OPTIONS), the
 * {@link allowedRequestHeaders}, `Access-Control-Allow-Credentials: true` and a max age of
 * {@link PREFLIGHT_MAX_AGE_SECONDS}; every answer to an allowed origin, errors included, carries
 * `Access-Control-Allow-Origin` (that origin, never `*`) and exposes {@link EXPOSED_HEADERS}. A request
 * from any other origin, or without `Origin`, gets no CORS header, so a browser keeps its answer from
 * the page. Every answer varies on `Origin`. Not encapsulated: registered before the routes.
 */
export const corsAnswers = fastifyPlugin<CorsOptions>(
  async (app, { origins, credentialHeaders }) => {
    await app.register(fastifyCors, {
      origin: (origin, callback) => callback(null, origins.allows(origin)),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: allowedRequestHeaders(credentialHeaders),
      exposedHeaders: EXPOSED_HEADERS,
      credentials: true,
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
      // An OPTIONS without Access-Control-Request-Method is answered like a preflight, not with a
      // text/plain 400 outside the server's error shape.
      strictPreflight: false,
    });
    app.addHook('onListen', async () => {
      // Strings are pipe or socket paths, which browsers cannot reach.
      origins.listening(app.addresses().flatMap((a) => (typeof a === 'string' ? [] : [a])));
    });
  },
  { name: 'copy-gateway-cors' },
) as FastifyPluginAsync<CorsOptions>;

/**
 * An `onRequest` hook for a route with WebSocket handling (after `@fastify/websocket` marks
 * `request.ws`): a handshake that carries `Origin` (every browser's does) must come from an allowed
 * origin or from the gateway's own ({@link sameOrigin}), otherwise it is answered 403 `FORBIDDEN` and
 * never upgraded: a page elsewhere cannot open a subscription with whatever network access or
 * credentials its visitor has (cross-site WebSocket hijacking). Clients without `Origin` (servers,
 * command-line tools) are not browsers and pass.
 */
export function refuseForeignWebSockets(origins: AllowedOrigins) {
  // A callback hook: it runs on every request of the route, and an async one costs a promise each time.
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const { origin, host } = request.headers;
    if (!request.ws || origin === undefined) return done();
    if (origins.allows(origin) || sameOrigin(origin, host)) return done();
    reply
      .code(403)
      .send(
        graphqlErrorBody(
          `WebSocket connections from ${origin.slice(0, 200)} are not allowed: add the origin to CORS_ORIGINS.`,
          ErrorCode.FORBIDDEN,
          request.id,
        ),
      );
  };
}
