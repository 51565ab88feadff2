import type { FastifyError, FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { graphqlErrorBody } from './error-body.js';

/** Options of {@link errorAnswers}. */
export interface ErrorAnswersOptions {
  /** The configured request body limit, named in the 413 message. */
  bodyLimitBytes: number;
}

const HTTP_ERROR_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Failures Fastify raises before a route answers (body too large, not JSON, unsupported media type)
 * and anything a handler throws answer in the GraphQL error shape too, with a code. Not encapsulated:
 * it sets the handlers of the whole server.
 */
export const errorAnswers = fastifyPlugin<ErrorAnswersOptions>(
  async (app, { bodyLimitBytes }) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      const code = HTTP_ERROR_CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
      const message =
        status === 413
          ? `The request body is larger than ${bodyLimitBytes} bytes.`
          : status >= 500
            ? 'Internal server error'
            : error.message;
      return reply.code(status).send(graphqlErrorBody(message, code));
    });
  },
  { name: 'copy-gateway-error-answers' },
) as FastifyPluginAsync<ErrorAnswersOptions>;
