import type { SmhCore } from './core.js';
import { SmhError } from './errors.js';
import { param, type Reply, type Route, type RouteContext } from './router.js';

function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The docs also describe a POST form; its fields are read from a urlencoded body as well as the query. */
async function tokenParams(ctx: RouteContext): Promise<URLSearchParams> {
  const params = new URLSearchParams(ctx.url.searchParams);
  const type = ctx.req.headers['content-type'] ?? '';
  if (ctx.req.method === 'POST' && type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await ctx.body())) if (!params.has(k)) params.set(k, v);
  }
  return params;
}

function checkSecret(core: SmhCore, libraryId: string | null, secret: string | null): string {
  const library = libraryId ? core.store.getLibrary(libraryId) : undefined;
  if (!library || !secret || library.secret !== secret) {
    throw new SmhError(404, 'WrongLibraryIdOrSecret', 'library id or secret is wrong');
  }
  return library.id;
}

async function create(core: SmhCore, ctx: RouteContext): Promise<Reply> {
  const q = await tokenParams(ctx);
  const libraryId = checkSecret(core, q.get('library_id'), q.get('library_secret'));
  const spaceIds = list(q.get('space_id'));
  for (const spaceId of spaceIds) {
    if (!core.store.getSpace(libraryId, spaceId)) {
      throw new SmhError(404, 'SpaceNotFound', `space ${spaceId} not found`);
    }
  }
  const periodText = q.get('period');
  if (periodText !== null && periodText !== '' && !/^\d+$/.test(periodText)) {
    throw new SmhError(400, 'InvalidArgument', 'period must be a whole number of seconds');
  }
  const record = core.tokens.issue({
    libraryId,
    spaceIds,
    grants: list(q.get('grant')),
    userId: q.get('user_id') ?? '',
    clientId: q.get('client_id') ?? '',
    sessionId: q.get('session_id') ?? '',
    period: periodText ? Number(periodText) : undefined,
  });
  return { status: 200, body: { accessToken: record.token, expiresIn: record.periodSeconds } };
}

function renew(core: SmhCore, ctx: RouteContext): Reply {
  const record = core.tokens.find(param(ctx, 1), param(ctx, 0));
  if (!record) throw new SmhError(403, 'InvalidAccessToken', 'access token is invalid or expired');
  const expiresIn = core.tokens.touch(record);
  return { status: 200, body: { accessToken: record.token, expiresIn } };
}

function libraryOrThrow(core: SmhCore, libraryId: string): void {
  if (!core.store.getLibrary(libraryId)) {
    throw new SmhError(404, 'LibraryNotFound', `library ${libraryId} not found`);
  }
}

/** Idempotent: deleting an unknown or already expired token is still 204. */
function revoke(core: SmhCore, ctx: RouteContext): Reply {
  const libraryId = param(ctx, 0);
  libraryOrThrow(core, libraryId);
  core.tokens.revoke(libraryId, param(ctx, 1));
  return { status: 204 };
}

function revokeUsers(core: SmhCore, ctx: RouteContext): Reply {
  const q = ctx.url.searchParams;
  const libraryId = checkSecret(core, param(ctx, 0), q.get('library_secret'));
  const userIds = list(q.get('user_id'));
  if (userIds.length === 0) throw new SmhError(400, 'InvalidArgument', 'user_id is required');
  core.tokens.revokeUsers(libraryId, userIds, list(q.get('client_id')), list(q.get('session_id')));
  return { status: 204 };
}

export function tokenRoutes(core: SmhCore): Route[] {
  const generate = /^\/api\/v1\/token\/?$/;
  const one = /^\/api\/v1\/token\/([^/]+)\/([^/]+)$/;
  return [
    { name: 'token.create', method: 'GET', pattern: generate, handle: (ctx) => create(core, ctx) },
    { name: 'token.create', method: 'POST', pattern: generate, handle: (ctx) => create(core, ctx) },
    { name: 'token.renew', method: 'POST', pattern: one, handle: (ctx) => renew(core, ctx) },
    { name: 'token.delete', method: 'DELETE', pattern: one, handle: (ctx) => revoke(core, ctx) },
    {
      name: 'token.deleteUser',
      method: 'DELETE',
      pattern: /^\/api\/v1\/token\/([^/]+)$/,
      handle: (ctx) => revokeUsers(core, ctx),
    },
  ];
}
