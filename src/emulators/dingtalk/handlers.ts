/**
 * The three DingTalk routes as functions from a parsed request to a Reply. Request-level failures are
 * thrown as ApiError; the HTTP layer turns them into `{code, message, requestid}` bodies.
 */
import { batchCopy, isConflictStrategy, type ConflictStrategy } from './copy.js';
import { ApiError, type Reply } from './errors.js';
import type { DingTalkState } from './state.js';
import type { DingTalkStats } from './stats.js';

export interface ApiRequest {
  requestId: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  rawBody: string;
}

export interface HandlerContext {
  state: DingTalkState;
  stats: DingTalkStats;
  maxDentryIds: number;
  /** Reject copies into a folder that a running task is still filling (opt-in reading of §7). */
  concurrencyControl: boolean;
}

const ACCESS_TOKEN_HEADER = 'x-acs-dingtalk-access-token';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The gateway's answer to a missing or non-JSON body (seen for form-encoded token requests, §6). */
function parseJsonBody(raw: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = raw.trim() === '' ? undefined : (JSON.parse(raw) as unknown);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed)) throw new ApiError(400, 'Missingbody', 'body is mandatory for this action.');
  return parsed;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export function authenticate(state: DingTalkState, req: ApiRequest): string {
  const token = req.headers[ACCESS_TOKEN_HEADER];
  if (token === undefined || token === '') {
    throw new ApiError(
      400,
      'AuthenticationFailed.MissingParameter',
      `${ACCESS_TOKEN_HEADER} is mandatory for this action.`,
    );
  }
  const check = state.tokens.check(token);
  if (!check.ok) throw new ApiError(400, 'InvalidAuthentication', '不合法的access_token');
  return check.appKey;
}

function requireUnionId(req: ApiRequest): string {
  const unionId = req.query.unionId;
  if (!nonEmptyString(unionId)) throw new ApiError(400, 'paramError', 'unionId is required');
  return unionId;
}

export function handleAccessToken(ctx: HandlerContext, req: ApiRequest): Reply {
  ctx.stats.tokenRequests += 1;
  const body = parseJsonBody(req.rawBody);
  // Alibaba's gateway names a missing parameter as `Missing<name>`, like `Missingbody`.
  if (!nonEmptyString(body.appKey))
    throw new ApiError(400, 'MissingappKey', 'appKey is mandatory for this action.');
  if (!nonEmptyString(body.appSecret)) {
    throw new ApiError(400, 'MissingappSecret', 'appSecret is mandatory for this action.');
  }
  const issued = ctx.state.tokens.fetch(body.appKey, body.appSecret);
  if (!issued) throw new ApiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
  return { status: 200, body: { accessToken: issued.accessToken, expireIn: issued.expireIn } };
}

export function handleBatchCopy(ctx: HandlerContext, req: ApiRequest, sourceSpaceId: string): Reply {
  authenticate(ctx.state, req);
  const unionId = requireUnionId(req);
  const body = parseJsonBody(req.rawBody);
  if (sourceSpaceId === '') throw new ApiError(400, 'paramError.spaceId', 'spaceId is required');
  const { targetSpaceId, targetFolderId, dentryIds, option } = body;
  if (!nonEmptyString(targetSpaceId)) {
    throw new ApiError(400, 'paramError.targetSpaceId', 'targetSpaceId is required');
  }
  if (!nonEmptyString(targetFolderId)) {
    throw new ApiError(400, 'paramError.targetFolderId', 'targetFolderId is required');
  }
  if (!Array.isArray(dentryIds) || dentryIds.length === 0 || !dentryIds.every(nonEmptyString)) {
    throw new ApiError(400, 'paramError.dentryIds', 'dentryIds must be a non-empty list of ids');
  }
  if (dentryIds.length > ctx.maxDentryIds) {
    throw new ApiError(400, 'paramError.dentryIds', `dentryIds size exceed ${ctx.maxDentryIds}`);
  }
  let strategy: ConflictStrategy = 'AUTO_RENAME';
  if (option !== undefined && option !== null) {
    if (!isRecord(option)) throw new ApiError(400, 'paramError', 'option must be an object');
    const requested = option.conflictStrategy;
    if (requested !== undefined && requested !== null) {
      if (!isConflictStrategy(requested)) {
        throw new ApiError(
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
    throw new ApiError(
      400,
      'operationConcurrentControl',
      'another operation on the target folder is running',
    );
  }

  const copyRequest = { unionId, sourceSpaceId, targetSpaceId, targetFolderId, dentryIds, strategy };
  const outcome = batchCopy(ctx.state.store, copyRequest, (plan) => ctx.state.tasks.start(plan));
  ctx.stats.recordCopy({
    requestId: req.requestId,
    ...copyRequest,
    executed: outcome.executed,
    resultItems: outcome.items,
  });
  return { status: 200, body: { resultItems: outcome.items } };
}

export function handleGetTask(ctx: HandlerContext, req: ApiRequest, taskId: string): Reply {
  authenticate(ctx.state, req);
  requireUnionId(req);
  const task = ctx.state.tasks.get(taskId);
  // §11.8: the real API documents no code for this; `taskNotExist` is our invention.
  if (!task) throw new ApiError(404, 'taskNotExist', `task ${taskId} does not exist`);
  return { status: 200, body: { task } };
}
