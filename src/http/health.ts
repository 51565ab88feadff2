import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Readiness } from '../health/readiness.js';
import { refuseOtherMethods } from './method-not-allowed.js';

/** Options of {@link healthRoutes}. */
export interface HealthOptions {
  readiness: Readiness;
}

/**
 * Health probes, without API key (other methods than GET and HEAD: 405 with `Allow`). `GET /healthz` (liveness) answers 200 `{ "status": "ok" }` while the
 * process serves HTTP, whatever its dependencies. `GET /readyz` (readiness) answers 200
 * `{ "status": "ready", "checks": { "server": "up", "redis": "up" } }` when the server listens and every
 * configured dependency answers, else 503 `{ "status": "not ready", "checks": { … } }` naming what is
 * not: `"server": "starting"` or `"shutting down"`, or a dependency `"down"`. While shutting down,
 * every answer also carries `Connection: close`, so keep-alive clients reconnect elsewhere. Not
 * encapsulated (that hook covers every route).
 */
export const healthRoutes = fastifyPlugin<HealthOptions>(
  async (app, { readiness }) => {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const report = await readiness.report(app.server.listening);
      return reply.code(report.status === 'ready' ? 200 : 503).send(report);
    });
    for (const url of ['/healthz', '/readyz']) refuseOtherMethods(app, url, ['GET', 'HEAD']);
    // A callback hook: it runs for every answer, and an async one costs a promise each time.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (readiness.shuttingDown) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'copy-gateway-health' },
) as FastifyPluginAsync<HealthOptions>;
