/**
 * DingTalk's token, batch copy and task routes. Request-level failures are thrown as EmulatorError; the
 * kit turns them into `{code, message, requestid}` bodies.
 */
import { EmulatorError, isRecord, param, type Reply, type Route, type RouteContext } from '../kit/index.js';
import { batchCopy, isDingTalkConflictStrategy, type DingTalkConflictStrategy } from './copy.js';
import type { DingTalkState } from './state.js';
import type { DingTalkStats, RouteName } from './stats.js';

/** What the API routes act on: state, counters and the copy limits. */
export interface HandlerContext {
  state: DingTalkState;
  stats: DingTalkStats;
  maxDentryIds: number;
  /** Reject copies into a folder that a running task is still filling with `operationConcurrentControl` (opt-in). */
  concurrencyControl: boolean;
}

const ACCESS_TOKEN_HEADER = 'x-acs-dingtalk-access-token';

/**
 * DingTalk's answer to a missing or non-JSON body (it answers form-encoded token requests this way):
 * 400 `Missingbody`.
 */
export function parseApiBody(raw: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = raw.trim() === '' ? undefined : (JSON.parse(raw) as unknown);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed)) throw new EmulatorError(400, 'Missingbody', 'body is mandatory for this action.');
  return parsed;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Checks the `x-acs-dingtalk-access-token` header; returns the app key it belongs to. */
export function authenticate(state: DingTalkState, req: RouteContext): string {
  const token = req.headers[ACCESS_TOKEN_HEADER];
  if (token === undefined || token === '') {
    throw new EmulatorError(
      400,
      'AuthenticationFailed.MissingParameter',
      `${ACCESS_TOKEN_HEADER} is mandatory for this action.`,
    );
  }
  const check = state.tokens.check(token);
  if (!check.ok) throw new EmulatorError(400, 'InvalidAuthentication', '不合法的access_token');
  return check.appKey;
}

/** The operator's `unionId` query parameter, required by every storage API. */
export function requireUnionId(req: RouteContext): string {
  const unionId = req.url.searchParams.get('unionId');
  if (!nonEmptyString(unionId)) throw new EmulatorError(400, 'paramError', 'unionId is required');
  return unionId;
}

async function handleAccessToken(ctx: HandlerContext, req: RouteContext): Promise<Reply> {
  ctx.stats.tokenRequests += 1;
  const body = parseApiBody(await req.body());
  // Alibaba's gateway names a missing parameter as `Missing<name>`, like `Missingbody`.
  if (!nonEmptyString(body.appKey))
    throw new EmulatorError(400, 'MissingappKey', 'appKey is mandatory for this action.');
  if (!nonEmptyString(body.appSecret)) {
    throw new EmulatorError(400, 'MissingappSecret', 'appSecret is mandatory for this action.');
  }
  const issued = ctx.state.tokens.fetch(body.appKey, body.appSecret);
  if (!issued) throw new EmulatorError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
  return { status: 200, body: { accessToken: issued.accessToken, expireIn: issued.expireIn } };
}

async function handleBatchCopy(ctx: HandlerContext, req: RouteContext): Promise<Reply> {
  const sourceSpaceId = param(req, 'spaceId');
  authenticate(ctx.state, req);
  const unionId = requireUnionId(req);
  const body = parseApiBody(await req.body());
  if (sourceSpaceId === '') throw new EmulatorError(400, 'paramError.spaceId', 'spaceId is required');
  const { targetSpaceId, targetFolderId, dentryIds, option } = body;
  if (!nonEmptyString(targetSpaceId)) {
    throw new EmulatorError(400, 'paramError.targetSpaceId', 'targetSpaceId is required');
  }
  if (!nonEmptyString(targetFolderId)) {
    throw new EmulatorError(400, 'paramError.targetFolderId', 'targetFolderId is required');
  }
  if (!Array.isArray(dentryIds) || dentryIds.length === 0 || !dentryIds.every(nonEmptyString)) {
    throw new EmulatorError(400, 'paramError.dentryIds', 'dentryIds must be a non-empty list of ids');
  }
  if (dentryIds.length > ctx.maxDentryIds) {
    throw new EmulatorError(400, 'paramError.dentryIds', `dentryIds size exceed ${ctx.maxDentryIds}`);
  }
  let strategy: DingTalkConflictStrategy = 'AUTO_RENAME';
  if (option !== undefined && option !== null) {
    if (!isRecord(option)) throw new EmulatorError(400, 'paramError', 'option must be an object');
    const requested = option.conflictStrategy;
    if (requested !== undefined && requested !== null) {
      if (!isDingTalkConflictStrategy(requested)) {
        throw new EmulatorError(
          400,
          'paramError.conflictStrategy',
          `unknown conflictStrategy ${String(requested)}`,
        );
      }
      strategy = requested;
    }
  }

  ctx.state.sync();
  if (
    ctx.concurrencyControl &&
    ctx.state.tasks
      .running()
      .some((t) => t.targetSpaceId === targetSpaceId && t.targetFolderId === targetFolderId)
  ) {
    throw new EmulatorError(
      400,
      'operationConcurrentControl',
      'another operation on the target folder is running',
    );
  }

  const copyRequest = { unionId, sourceSpaceId, targetSpaceId, targetFolderId, dentryIds, strategy };
  const outcome = batchCopy(ctx.state.store, { ...copyRequest, now: ctx.state.clock.now() }, (plan) =>
    ctx.state.tasks.start(plan),
  );
  const clientRequestId = req.headers['x-request-id'];
  ctx.stats.recordCopy({
    requestId: req.requestId,
    ...(clientRequestId !== undefined && { clientRequestId }),
    ...copyRequest,
    executed: outcome.executed,
    resultItems: outcome.items,
    copied: outcome.copied,
    ...(outcome.requestError && { requestError: outcome.requestError.code }),
  });
  if (outcome.requestError) throw outcome.requestError;
  return { status: 200, body: { resultItems: outcome.items } };
}

function handleGetTask(ctx: HandlerContext, req: RouteContext): Reply {
  const taskId = param(req, 'taskId');
  authenticate(ctx.state, req);
  requireUnionId(req);
  const task = ctx.state.tasks.get(taskId);
  // The real API documents no code for an unknown task; `taskNotExist` is the emulator's invention.
  if (!task) throw new EmulatorError(404, 'taskNotExist', `task ${taskId} does not exist`);
  return { status: 200, body: { task } };
}

/** `POST /v1.0/oauth2/accessToken`, `POST …/spaces/:spaceId/dentries/batchCopy`, `GET /v1.0/storage/tasks/:taskId`. */
export function apiRoutes(ctx: HandlerContext): Route<RouteName>[] {
  return [
    {
      name: 'token',
      method: 'POST',
      path: '/v1.0/oauth2/accessToken',
      handle: (req) => handleAccessToken(ctx, req),
    },
    {
      name: 'batchCopy',
      method: 'POST',
      // An empty space id reaches the handler, which answers paramError.spaceId as DingTalk does.
      path: '/v1.0/storage/spaces/:spaceId?/dentries/batchCopy',
      handle: (req) => handleBatchCopy(ctx, req),
    },
    {
      name: 'getTask',
      method: 'GET',
      path: '/v1.0/storage/tasks/:taskId',
      handle: (req) => handleGetTask(ctx, req),
    },
  ];
}
