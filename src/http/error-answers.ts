import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ErrorCode } from '../copy/error-codes.js';
import { graphqlErrorBody } from './error-body.js';

/** Options of {@link errorAnswers}. */
export interface ErrorAnswersOptions {
  /** The configured request body limit, named in the 413 message. */
  bodyLimitBytes: number;
  /** Where GraphQL is served, named in the 404 message. */
  graphqlPath: string;
}

/** `extensions.code` of an HTTP-level error answer, by status. */
const HTTP_ERROR_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_REQUEST,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  406: ErrorCode.NOT_ACCEPTABLE,
  408: ErrorCode.REQUEST_TIMEOUT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  431: ErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/** The code {@link graphqlErrorBody} carries for an HTTP status. */
export function httpErrorCode(status: number): ErrorCode {
  return (
    HTTP_ERROR_CODES[status] ?? (status >= 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_REQUEST)
  );
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (Fastify's `clientErrorHandler`
 * option), in the same error shape: 408 when the request head or body did not arrive within the
 * server's timeouts, 431 when the head is larger than the header limit, 400 for anything malformed.
 * The connection is closed afterwards.
 */
export function clientErrorAnswer(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'The request did not arrive in time.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request headers are larger than the server accepts.']
        : [400, 'The request is not valid HTTP/1.1.'];
  if (socket.writable) {
    // No request was read, so no caller id either: the answer gets an id of its own.
    const requestId = randomUUID();
    const body = JSON.stringify(graphqlErrorBody(message, httpErrorCode(status), requestId));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Every answer of the server has the GraphQL error shape ({@link graphqlErrorBody}), whatever the
 * route: failures Fastify raises before a route answers (body too large, not JSON, unsupported media
 * type), anything a handler throws, unknown paths (404 `NOT_FOUND`) and requests that arrive while the
 * server shuts down (503 `SERVICE_UNAVAILABLE`, `Connection: close`, so a load balancer moves on). Not
 * encapsulated: it sets the handlers of the whole server.
 */
export const errorAnswers = fastifyPlugin<ErrorAnswersOptions>(
  async (app, { bodyLimitBytes, graphqlPath }) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      const message =
        status === 413
          ? `The request body is larger than ${bodyLimitBytes} bytes.`
          : status >= 500
            ? 'Internal server error'
            : error.message;
      return reply.code(status).send(graphqlErrorBody(message, httpErrorCode(status), request.id));
    });
    app.setNotFoundHandler((request, reply) =>
      reply
        .code(404)
        .send(
          graphqlErrorBody(
            `Nothing is served at ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}: GraphQL is at ${graphqlPath} (POST, GET, WebSocket); probes at /healthz and /readyz.`,
            'NOT_FOUND',
            request.id,
          ),
        ),
    );
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    // A callback hook: it runs on every request, and an async one costs a promise each time.
    app.addHook('onRequest', (request, reply, done) => {
      if (!closing) return done();
      reply
        .code(503)
        .header('connection', 'close')
        .send(
          graphqlErrorBody(
            'The server is shutting down; send the request again.',
            'SERVICE_UNAVAILABLE',
            request.id,
          ),
        );
    });
  },
  { name: 'copy-gateway-error-answers' },
) as FastifyPluginAsync<ErrorAnswersOptions>;
