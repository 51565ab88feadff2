/** SMH's own `/__admin/*` test controls beside the kit's (faults, clock): item faults, stats, tree dumps. */
import { EmulatorError, param, parseJsonBody, type Reply, type Route } from '../kit/index.js';
import type { SmhCore } from './core.js';
import { SMH_ADMIN_CODES } from './dialect.js';
import { isItemFaultRule } from './item-faults.js';

function stats(core: SmhCore): Reply {
  return {
    status: 200,
    body: { ...core.stats.snapshot(), pendingTasks: core.tasks.pendingCount, now: core.clock.now() },
  };
}

/**
 * `POST|DELETE /__admin/item-faults`, `GET|DELETE /__admin/stats`, `GET /__admin/tree/:libraryId/:spaceId`
 * and `GET /__admin/copies` (every item that ran, with its final path).
 */
export function smhAdminRoutes(core: SmhCore): Route[] {
  const admin = true;
  return [
    {
      name: 'admin.itemFaults.add',
      admin,
      method: 'POST',
      path: '/__admin/item-faults',
      handle: async (ctx) => {
        const rule = parseJsonBody(await ctx.body(), SMH_ADMIN_CODES.badRequest);
        if (!isItemFaultRule(rule)) {
          throw new EmulatorError(400, SMH_ADMIN_CODES.badFault, 'body is not a valid ItemFaultRule');
        }
        core.itemFaults.add(rule);
        return { status: 204 };
      },
    },
    {
      name: 'admin.itemFaults.clear',
      admin,
      method: 'DELETE',
      path: '/__admin/item-faults',
      handle: () => (core.itemFaults.clear(), { status: 204 }),
    },
    { name: 'admin.stats', admin, method: 'GET', path: '/__admin/stats', handle: () => stats(core) },
    {
      name: 'admin.stats.reset',
      admin,
      method: 'DELETE',
      path: '/__admin/stats',
      handle: () => (core.stats.reset(), { status: 204 }),
    },
    {
      name: 'admin.copies',
      admin,
      method: 'GET',
      path: '/__admin/copies',
      handle: () => ({ status: 200, body: { copies: core.stats.copies } }),
    },
    {
      name: 'admin.tree',
      admin,
      method: 'GET',
      path: '/__admin/tree/:libraryId/:spaceId',
      handle: (ctx) => {
        const dump = core.store.dump(param(ctx, 'libraryId'), param(ctx, 'spaceId'));
        if (!dump) throw new EmulatorError(404, 'SpaceNotFound', 'space not found');
        return { status: 200, body: dump };
      },
    },
  ];
}
