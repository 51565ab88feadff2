import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One info line per HTTP request, written when it completes: the request (method, URL, host, peer),
 * the status and the time taken in milliseconds (`responseTime`), with the request id and, once
 * authenticated, the caller's name. Fastify's default writes an "incoming request" line too, which
 * doubles the logging work per request; that line is kept at debug level.
 * https://fastify.dev/docs/latest/Reference/Server/#logcontroller
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}
