import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../copy/error-codes.js';
import { graphqlErrorBody } from './error-body.js';

/**
 * Answers every other method on `url` with 405 `METHOD_NOT_ALLOWED` and `Allow: <allowed>` (RFC 9110
 * §15.5.6), in the server's error shape, instead of the 404 of a path that is not served. OPTIONS is
 * left to CORS (it answers preflights on every path). `hint` says what to do instead.
 */
export function refuseOtherMethods(
  app: FastifyInstance,
  url: string,
  allowed: readonly string[],
  hint = '',
): void {
  const allow = allowed.join(', ');
  const others = app.supportedMethods.filter((m) => m !== 'OPTIONS' && !allowed.includes(m));
  app.route({
    method: others,
    url,
    // Answered before the body is read: whatever it holds (or its content type) changes nothing.
    onRequest: (request, reply) => {
      void reply
        .code(405)
        .header('allow', allow)
        .send(
          graphqlErrorBody(
            `${request.method} is not supported on ${url}: ${hint || `use ${allow}.`}`,
            ErrorCode.METHOD_NOT_ALLOWED,
            request.id,
          ),
        );
    },
    handler: () => undefined,
  });
}
