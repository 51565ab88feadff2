/**
 * DingTalk's own `/__admin/*` test controls beside the kit's (faults, clock): stats, apps, tokens,
 * spaces, dentries, copy permissions, per-item and request-level copy failures, tasks and tree dumps.
 * Not part of DingTalk; never subject to fault injection.
 */
import {
  EmulatorError,
  isRecord,
  param,
  parseJsonBody,
  type Reply,
  type Route,
  type RouteContext,
} from '../kit/index.js';
import type { RequestFailureRule } from './store.js';
import { DINGTALK_ADMIN_CODES } from './dialect.js';
import type { DingTalkState } from './state.js';
import type { DingTalkStats, RouteName } from './stats.js';
import type { DentryType } from './store.js';

/** What the admin routes act on. */
export interface AdminContext {
  state: DingTalkState;
  stats: DingTalkStats;
}

const BAD_PARAM = 'emulator.badParam';

async function object(ctx: RouteContext): Promise<Record<string, unknown>> {
  const value = parseJsonBody(await ctx.body(), DINGTALK_ADMIN_CODES.badRequest);
  if (!isRecord(value))
    throw new EmulatorError(400, DINGTALK_ADMIN_CODES.badRequest, 'body must be a JSON object');
  return value;
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new EmulatorError(400, BAD_PARAM, `${key} must be a string`);
  return v;
}

function requiredStr(o: Record<string, unknown>, key: string): string {
  const v = str(o, key);
  if (v === undefined) throw new EmulatorError(400, BAD_PARAM, `${key} is required`);
  return v;
}

function num(o: Record<string, unknown>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new EmulatorError(400, BAD_PARAM, `${key} must be a number`);
  }
  return v;
}

const ok = (body: unknown = { ok: true }): Reply => ({ status: 200, body });

async function createDentry(state: DingTalkState, ctx: RouteContext): Promise<Reply> {
  const body = await object(ctx);
  const type = str(body, 'type') ?? 'FILE';
  if (type !== 'FILE' && type !== 'FOLDER') {
    throw new EmulatorError(400, BAD_PARAM, 'type must be FILE or FOLDER');
  }
  const input: {
    spaceId: string;
    name: string;
    type: DentryType;
    parentId?: string;
    id?: string;
    size?: number;
  } = { spaceId: requiredStr(body, 'spaceId'), name: requiredStr(body, 'name'), type };
  const parentId = str(body, 'parentId');
  const id = str(body, 'id');
  const size = num(body, 'size');
  if (parentId !== undefined) input.parentId = parentId;
  if (id !== undefined) input.id = id;
  if (size !== undefined) input.size = size;
  return { status: 201, body: state.createDentry(input) };
}

/**
 * `{dentryId, errorCode?, level?, status?, othersRun?, times?}`: without `level` (or with `item`), copying
 * the dentry fails as a result item (or task sub-item) with `errorCode` (default `systemError`; null
 * lifts the flag). With `level: "request"`, any batch copy naming it fails as a whole with `errorCode`
 * (see RequestFailureRule; null lifts the rule).
 */
async function failOnCopy(state: DingTalkState, ctx: RouteContext): Promise<Reply> {
  const body = await object(ctx);
  const dentryId = requiredStr(body, 'dentryId');
  const level = str(body, 'level') ?? 'item';
  if (level === 'request') {
    if (body.errorCode === null) {
      state.failRequestOnCopy(dentryId, undefined);
      return ok();
    }
    const othersRun = str(body, 'othersRun') ?? 'none';
    if (othersRun !== 'none' && othersRun !== 'before' && othersRun !== 'all') {
      throw new EmulatorError(400, BAD_PARAM, 'othersRun must be none, before or all');
    }
    const rule: RequestFailureRule = { errorCode: requiredStr(body, 'errorCode'), othersRun };
    const status = num(body, 'status');
    const times = num(body, 'times');
    if (status !== undefined) rule.status = status;
    if (times !== undefined) rule.times = times;
    state.failRequestOnCopy(dentryId, rule);
    return ok();
  }
  if (level !== 'item') throw new EmulatorError(400, BAD_PARAM, 'level must be item or request');
  const errorCode = body.errorCode === null ? undefined : (str(body, 'errorCode') ?? 'systemError');
  state.failOnCopy(dentryId, errorCode);
  return ok();
}

/** The routes (see the module comment). */
export function dingTalkAdminRoutes({ state, stats }: AdminContext): Route<RouteName>[] {
  const route = (method: string, path: string, handle: Route['handle']): Route<RouteName> => ({
    name: 'admin',
    admin: true,
    method,
    path,
    handle,
  });
  return [
    route('GET', '/__admin/stats', () => ok(stats.toJSON())),
    route('DELETE', '/__admin/stats', () => (stats.reset(), ok())),
    route('GET', '/__admin/copies', () => ok({ copies: stats.copies })),
    route('POST', '/__admin/tokens', async (ctx) =>
      ok(state.issueToken(requiredStr(await object(ctx), 'appKey'))),
    ),
    route('POST', '/__admin/apps', async (ctx) => {
      const body = await object(ctx);
      state.addApp(requiredStr(body, 'appKey'), requiredStr(body, 'appSecret'));
      return ok();
    }),
    route('POST', '/__admin/spaces', async (ctx) => {
      const body = await object(ctx);
      const input: { id?: string; name?: string; quota?: number } = {};
      const id = str(body, 'id');
      const name = str(body, 'name');
      const quota = num(body, 'quota');
      if (id !== undefined) input.id = id;
      if (name !== undefined) input.name = name;
      if (quota !== undefined) input.quota = quota;
      return { status: 201, body: state.createSpace(input) };
    }),
    route('POST', '/__admin/dentries', (ctx) => createDentry(state, ctx)),
    route('POST', '/__admin/acl', async (ctx) => {
      // {dentryId, unionId?, copy: false} denies copying; copy: true lifts the denial again.
      const body = await object(ctx);
      const dentryId = requiredStr(body, 'dentryId');
      const unionId = str(body, 'unionId');
      if (body.copy === false) state.denyCopy(dentryId, unionId);
      else state.allowCopy(dentryId, unionId);
      return ok();
    }),
    route('POST', '/__admin/fail-on-copy', (ctx) => failOnCopy(state, ctx)),
    route('GET', '/__admin/tasks', () => ok({ tasks: state.tasks.list() })),
    route('GET', '/__admin/spaces/:spaceId/tree', (ctx) => {
      const spaceId = param(ctx, 'spaceId');
      if (!state.store.getSpace(spaceId)) {
        throw new EmulatorError(404, 'spaceNotExist', `space ${spaceId} does not exist`);
      }
      return ok({ spaceId, children: state.tree(spaceId) });
    }),
    route('GET', '/__admin/dentries/:dentryId', (ctx) => {
      const found = state.getDentry(param(ctx, 'dentryId'));
      if (!found) throw new EmulatorError(404, 'dentryNotExist', 'dentry does not exist');
      return ok(found);
    }),
  ];
}
