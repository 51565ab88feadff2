import type { SmhCore } from './core.js';
import { EmulatorError, param, type Reply, type Route, type RouteContext } from '../kit/index.js';

function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The docs also describe a POST form; its fields are read from a urlencoded body as well as the query. */
async function tokenParams(ctx: RouteContext): Promise<URLSearchParams> {
  const params = new URLSearchParams(ctx.url.searchParams);
  const type = ctx.headers['content-type'] ?? '';
  if (ctx.method === 'POST' && type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await ctx.body())) if (!params.has(k)) params.set(k, v);
  }
  return params;
}

function checkSecret(core: SmhCore, libraryId: string | null, secret: string | null): string {
  const library = libraryId ? core.store.getLibrary(libraryId) : undefined;
  if (!library || !secret || library.secret !== secret) {
    throw new EmulatorError(404, 'WrongLibraryIdOrSecret', 'library id or secret is wrong');
  }
  return library.id;
}

async function create(core: SmhCore, ctx: RouteContext): Promise<Reply> {
  const q = await tokenParams(ctx);
  const libraryId = checkSecret(core, q.get('library_id'), q.get('library_secret'));
  const spaceIds = list(q.get('space_id'));
  for (const spaceId of spaceIds) {
    if (!core.store.getSpace(libraryId, spaceId)) {
      throw new EmulatorError(404, 'SpaceNotFound', `space ${spaceId} not found`);
    }
  }
  const periodText = q.get('period');
  if (periodText !== null && periodText !== '' && !/^\d+$/.test(periodText)) {
    throw new EmulatorError(400, 'InvalidArgument', 'period must be a whole number of seconds');
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
  const record = core.tokens.find(param(ctx, 'accessToken'), param(ctx, 'libraryId'));
  if (!record) throw new EmulatorError(403, 'InvalidAccessToken', 'access token is invalid or expired');
  const expiresIn = core.tokens.touch(record);
  return { status: 200, body: { accessToken: record.token, expiresIn } };
}

function libraryOrThrow(core: SmhCore, libraryId: string): void {
  if (!core.store.getLibrary(libraryId)) {
    throw new EmulatorError(404, 'LibraryNotFound', `library ${libraryId} not found`);
  }
}

/** Idempotent: deleting an unknown or already expired token is still 204. */
function revoke(core: SmhCore, ctx: RouteContext): Reply {
  const libraryId = param(ctx, 'libraryId');
  libraryOrThrow(core, libraryId);
  core.tokens.revoke(libraryId, param(ctx, 'accessToken'));
  return { status: 204 };
}

function revokeUsers(core: SmhCore, ctx: RouteContext): Reply {
  const q = ctx.url.searchParams;
  const libraryId = checkSecret(core, param(ctx, 'libraryId'), q.get('library_secret'));
  const userIds = list(q.get('user_id'));
  if (userIds.length === 0) throw new EmulatorError(400, 'InvalidArgument', 'user_id is required');
  core.tokens.revokeUsers(libraryId, userIds, list(q.get('client_id')), list(q.get('session_id')));
  return { status: 204 };
}

/** Token create (GET or POST), renew, delete and delete-by-user routes. */
export function tokenRoutes(core: SmhCore): Route[] {
  const generate = '/api/v1/token';
  const one = '/api/v1/token/:libraryId/:accessToken';
  return [
    ...[generate, `${generate}/`].flatMap((path): Route[] => [
      { name: 'token.create', method: 'GET', path, handle: (ctx) => create(core, ctx) },
      { name: 'token.create', method: 'POST', path, handle: (ctx) => create(core, ctx) },
    ]),
    { name: 'token.renew', method: 'POST', path: one, handle: (ctx) => renew(core, ctx) },
    { name: 'token.delete', method: 'DELETE', path: one, handle: (ctx) => revoke(core, ctx) },
    {
      name: 'token.deleteUser',
      method: 'DELETE',
      path: '/api/v1/token/:libraryId',
      handle: (ctx) => revokeUsers(core, ctx),
    },
  ];
}
