import { ManualClock } from '../shared/clock.js';
import type { SmhCore } from './core.js';
import { SmhError } from './errors.js';
import { parseFaultRule } from './faultRules.js';
import { isItemFaultRule } from './itemFaults.js';
import { param, parseJson, type Reply, type Route, type RouteContext } from './router.js';

async function addFault(core: SmhCore, ctx: RouteContext): Promise<Reply> {
  const rule = parseFaultRule(parseJson(await ctx.body()));
  if (!rule) throw new SmhError(400, 'InvalidArgument', 'body is not a valid FaultRule');
  core.faults.add(rule);
  return { status: 204 };
}

async function addItemFault(core: SmhCore, ctx: RouteContext): Promise<Reply> {
  const rule: unknown = parseJson(await ctx.body());
  if (!isItemFaultRule(rule)) throw new SmhError(400, 'InvalidArgument', 'body is not a valid ItemFaultRule');
  core.itemFaults.add(rule);
  return { status: 204 };
}

async function advanceClock(core: SmhCore, ctx: RouteContext): Promise<Reply> {
  if (!(core.clock instanceof ManualClock)) {
    throw new SmhError(409, 'ClockNotManual', 'the emulator runs on the system clock');
  }
  const body = parseJson(await ctx.body());
  const ms = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).ms : undefined;
  if (typeof ms !== 'number' || !(ms >= 0)) throw new SmhError(400, 'InvalidArgument', 'ms must be >= 0');
  core.clock.advance(ms);
  core.tasks.settle();
  return { status: 200, body: { now: core.clock.now() } };
}

function stats(core: SmhCore): Reply {
  return {
    status: 200,
    body: { ...core.stats.snapshot(), pendingTasks: core.tasks.pendingCount, now: core.clock.now() },
  };
}

function tree(core: SmhCore, ctx: RouteContext): Reply {
  const dump = core.store.dump(param(ctx, 0), param(ctx, 1));
  if (!dump) throw new SmhError(404, 'SpaceNotFound', 'space not found');
  return { status: 200, body: dump };
}

export function adminRoutes(core: SmhCore): Route[] {
  const faults = /^\/__admin\/faults$/;
  const itemFaults = /^\/__admin\/item-faults$/;
  const statsPath = /^\/__admin\/stats$/;
  const admin = true;
  return [
    {
      name: 'admin.faults.add',
      admin,
      method: 'POST',
      pattern: faults,
      handle: (ctx) => addFault(core, ctx),
    },
    {
      name: 'admin.faults.clear',
      admin,
      method: 'DELETE',
      pattern: faults,
      handle: () => (core.faults.clear(), { status: 204 }),
    },
    {
      name: 'admin.itemFaults.add',
      admin,
      method: 'POST',
      pattern: itemFaults,
      handle: (ctx) => addItemFault(core, ctx),
    },
    {
      name: 'admin.itemFaults.clear',
      admin,
      method: 'DELETE',
      pattern: itemFaults,
      handle: () => (core.itemFaults.clear(), { status: 204 }),
    },
    { name: 'admin.stats', admin, method: 'GET', pattern: statsPath, handle: () => stats(core) },
    {
      name: 'admin.stats.reset',
      admin,
      method: 'DELETE',
      pattern: statsPath,
      handle: () => (core.stats.reset(), { status: 204 }),
    },
    {
      name: 'admin.clock.advance',
      admin,
      method: 'POST',
      pattern: /^\/__admin\/clock\/advance$/,
      handle: (ctx) => advanceClock(core, ctx),
    },
    {
      name: 'admin.tree',
      admin,
      method: 'GET',
      pattern: /^\/__admin\/tree\/([^/]+)\/([^/]+)$/,
      handle: (ctx) => tree(core, ctx),
    },
  ];
}
