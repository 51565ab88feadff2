import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { GatewayMetrics } from '../metrics.js';
import { refuseOtherMethods } from './method-not-allowed.js';

/** Options of {@link metricsRoutes}. */
export interface MetricsRoutesOptions {
  metrics: GatewayMetrics;
}

/**
 * Counts every HTTP answer of the whole server (so it is not encapsulated: its `onResponse` hook sees
 * the routes of every other plugin) and serves `GET /metrics` in Prometheus text format (other methods: 405 with `Allow`). The route
 * needs no API key (scrapers have none); it shows counts only, never a credential.
 */
export const metricsRoutes = fastifyPlugin<MetricsRoutesOptions>(
  async (app, { metrics }) => {
    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      // The route pattern, never the raw URL (ids, tokens in query strings, unbounded 404 paths).
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpResponse(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    app.get('/metrics', async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
    refuseOtherMethods(app, '/metrics', ['GET', 'HEAD']);
  },
  { name: 'copy-gateway-metrics' },
) as FastifyPluginAsync<MetricsRoutesOptions>;
