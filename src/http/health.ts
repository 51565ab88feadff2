import type { FastifyPluginAsync } from 'fastify';

/**
 * Health probes, without API key: `GET /healthz` answers 200 `{ "status": "ok" }` while the process
 * serves HTTP (liveness); `GET /readyz` answers 200 `{ "status": "ready" }` once the server listens and
 * 503 `{ "status": "starting" }` before (readiness).
 */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const listening = app.server.listening;
    return reply.code(listening ? 200 : 503).send({ status: listening ? 'ready' : 'starting' });
  });
};
