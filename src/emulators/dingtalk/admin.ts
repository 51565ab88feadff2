/**
 * `/__admin/*`: test and demo controls over HTTP, for tests that run the emulator as a separate process.
 * Not part of DingTalk; never subject to fault injection.
 */
import { ManualClock, type Clock } from '../shared/clock.js';
import type { FaultInjector } from '../shared/faults.js';
import { ApiError, type Reply } from './errors.js';
import { parseFaultRule } from './fault-presets.js';
import type { DingTalkState } from './state.js';
import type { DingTalkStats } from './stats.js';
import { StoreError, type DentryType } from './store.js';

export interface AdminContext {
  state: DingTalkState;
  stats: DingTalkStats;
  faults: FaultInjector;
  clock: Clock;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ApiError(400, 'emulator.badJson', 'body is not JSON');
  }
}

function object(raw: string): Record<string, unknown> {
  const value = parse(raw);
  if (!isRecord(value)) throw new ApiError(400, 'emulator.badJson', 'body must be a JSON object');
  return value;
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ApiError(400, 'emulator.badParam', `${key} must be a string`);
  return v;
}

function requiredStr(o: Record<string, unknown>, key: string): string {
  const v = str(o, key);
  if (v === undefined) throw new ApiError(400, 'emulator.badParam', `${key} is required`);
  return v;
}

const ok = (body: unknown = { ok: true }): Reply => ({ status: 200, body });

export function handleAdmin(ctx: AdminContext, method: string, path: string, rawBody: string): Reply {
  try {
    return route(ctx, method, path, rawBody);
  } catch (err) {
    if (err instanceof StoreError) {
      const status = err.code.endsWith('NotExist') ? 404 : 400;
      throw new ApiError(status, err.code, err.message);
    }
    throw err;
  }
}

function route(ctx: AdminContext, method: string, path: string, rawBody: string): Reply {
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /__admin/stats':
      return ok(ctx.stats.toJSON());
    case 'DELETE /__admin/stats':
      ctx.stats.reset();
      return ok();
    case 'POST /__admin/faults': {
      const value = parse(rawBody);
      const rules = (Array.isArray(value) ? value : [value]).map((v) => {
        try {
          return parseFaultRule(v);
        } catch (err) {
          throw new ApiError(400, 'emulator.badFault', (err as Error).message);
        }
      });
      for (const rule of rules) ctx.faults.add(rule);
      return ok({ added: rules.length });
    }
    case 'DELETE /__admin/faults':
      ctx.faults.clear();
      return ok();
    case 'POST /__admin/clock/advance': {
      const ms = object(rawBody).ms;
      if (!(ctx.clock instanceof ManualClock)) {
        throw new ApiError(400, 'emulator.clockNotManual', 'the emulator runs on the system clock');
      }
      if (typeof ms !== 'number' || !(ms >= 0))
        throw new ApiError(400, 'emulator.badParam', 'ms must be >= 0');
      ctx.clock.advance(ms);
      ctx.state.sync();
      return ok({ now: ctx.clock.now() });
    }
    case 'POST /__admin/tokens': {
      const appKey = requiredStr(object(rawBody), 'appKey');
      return ok(ctx.state.issueToken(appKey));
    }
    case 'POST /__admin/apps': {
      const body = object(rawBody);
      ctx.state.addApp(requiredStr(body, 'appKey'), requiredStr(body, 'appSecret'));
      return ok();
    }
    case 'POST /__admin/spaces': {
      const body = object(rawBody);
      const quota = body.quota;
      if (quota !== undefined && typeof quota !== 'number') {
        throw new ApiError(400, 'emulator.badParam', 'quota must be a number');
      }
      const input: { id?: string; name?: string; quota?: number } = {};
      const id = str(body, 'id');
      const name = str(body, 'name');
      if (id !== undefined) input.id = id;
      if (name !== undefined) input.name = name;
      if (quota !== undefined) input.quota = quota;
      return { status: 201, body: ctx.state.createSpace(input) };
    }
    case 'POST /__admin/dentries': {
      const body = object(rawBody);
      const type = str(body, 'type') ?? 'FILE';
      if (type !== 'FILE' && type !== 'FOLDER') {
        throw new ApiError(400, 'emulator.badParam', 'type must be FILE or FOLDER');
      }
      const input: { spaceId: string; name: string; type: DentryType; parentId?: string; id?: string } = {
        spaceId: requiredStr(body, 'spaceId'),
        name: requiredStr(body, 'name'),
        type,
      };
      const parentId = str(body, 'parentId');
      const id = str(body, 'id');
      if (parentId !== undefined) input.parentId = parentId;
      if (id !== undefined) input.id = id;
      return { status: 201, body: ctx.state.createDentry(input) };
    }
    case 'POST /__admin/acl': {
      // {dentryId, unionId?, copy: false} denies copying; copy: true lifts the denial again.
      const body = object(rawBody);
      const dentryId = requiredStr(body, 'dentryId');
      const unionId = str(body, 'unionId');
      if (body.copy === false) ctx.state.denyCopy(dentryId, unionId);
      else ctx.state.allowCopy(dentryId, unionId);
      return ok();
    }
    case 'POST /__admin/fail-on-copy': {
      const body = object(rawBody);
      const dentryId = requiredStr(body, 'dentryId');
      const errorCode = body.errorCode === null ? undefined : (str(body, 'errorCode') ?? 'systemError');
      ctx.state.failOnCopy(dentryId, errorCode);
      return ok();
    }
    case 'GET /__admin/tasks':
      return ok({ tasks: ctx.state.tasks.list() });
  }
  const tree = /^\/__admin\/spaces\/([^/]+)\/tree$/.exec(path);
  if (method === 'GET' && tree?.[1] !== undefined) {
    const spaceId = decodeURIComponent(tree[1]);
    if (!ctx.state.store.getSpace(spaceId))
      throw new ApiError(404, 'spaceNotExist', `space ${spaceId} does not exist`);
    return ok({ spaceId, children: ctx.state.tree(spaceId) });
  }
  const dentry = /^\/__admin\/dentries\/([^/]+)$/.exec(path);
  if (method === 'GET' && dentry?.[1] !== undefined) {
    const found = ctx.state.getDentry(decodeURIComponent(dentry[1]));
    if (!found) throw new ApiError(404, 'dentryNotExist', 'dentry does not exist');
    return ok(found);
  }
  throw new ApiError(404, 'emulator.notFound', `no admin route ${key}`);
}
