/**
 * The node:http layer: routing, request ids, recording, fault injection and error bodies.
 * Business rules live in handlers.ts and below.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FiredFault } from '../shared/faults.js';
import { applyFault, readBody, sendJson } from '../shared/http.js';
import { handleAdmin, type AdminContext } from './admin.js';
import { ApiError, errorBody, type Reply } from './errors.js';
import { parseFaultRule } from './fault-presets.js';
import {
  handleAccessToken,
  handleBatchCopy,
  handleGetTask,
  type ApiRequest,
  type HandlerContext,
} from './handlers.js';
import type { RouteName } from './stats.js';
import type { RecordedRequest } from './wire.js';

export type ServerContext = HandlerContext & AdminContext;

/** Header carrying a one-off FaultRule (JSON) for just this request. */
export const FAULT_HEADER = 'x-emulator-fault';

interface Route {
  name: RouteName;
  run: (ctx: ServerContext, req: ApiRequest) => Reply;
}

const BATCH_COPY = /^\/v1\.0\/storage\/spaces\/([^/]*)\/dentries\/batchCopy$/;
const GET_TASK = /^\/v1\.0\/storage\/tasks\/([^/]+)$/;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchRoute(method: string, path: string): Route {
  if (method === 'POST' && path === '/v1.0/oauth2/accessToken') {
    return { name: 'token', run: handleAccessToken };
  }
  const copy = BATCH_COPY.exec(path);
  if (method === 'POST' && copy?.[1] !== undefined) {
    const spaceId = decode(copy[1]);
    return { name: 'batchCopy', run: (ctx, req) => handleBatchCopy(ctx, req, spaceId) };
  }
  const task = GET_TASK.exec(path);
  if (method === 'GET' && task?.[1] !== undefined) {
    const taskId = decode(task[1]);
    return { name: 'getTask', run: (ctx, req) => handleGetTask(ctx, req, taskId) };
  }
  return {
    name: 'notFound',
    run: () => {
      throw new ApiError(
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
      );
    },
  };
}

function headerMap(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function queryMap(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) out[k] = v;
  return out;
}

function toResponse(err: unknown): Reply & { code: string; message: string } {
  if (err instanceof ApiError) {
    return {
      status: err.status,
      body: undefined,
      headers: err.headers,
      code: err.code,
      message: err.message,
    };
  }
  return { status: 500, body: undefined, code: 'systemError', message: 'system error' };
}

export function createDingTalkServer(ctx: ServerContext): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID().toUpperCase();
    res.setHeader('x-acs-request-id', requestId);
    res.setHeader('x-acs-trace-id', randomUUID().replace(/-/g, ''));
    const sendError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      sendJson(res, status, errorBody(code, message, requestId), headers);

    const method = (req.method ?? 'GET').toUpperCase();
    const rawPath = req.url ?? '/';
    const url = new URL(rawPath, 'http://emulator.invalid');
    const path = rawPath.split('?')[0] ?? '/';

    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      sendError(413, 'paramError', 'request body too large');
      return;
    }

    if (path.startsWith('/__admin/')) {
      ctx.stats.countRequest('admin');
      let reply: Reply;
      try {
        reply = handleAdmin(ctx, method, path, rawBody);
      } catch (err) {
        const e = toResponse(err);
        sendError(e.status, e.code, e.message, e.headers);
        return;
      }
      sendJson(res, reply.status, reply.body, reply.headers);
      return;
    }

    const route = matchRoute(method, url.pathname);
    const headers = headerMap(req);
    ctx.stats.countRequest(route.name);
    const recorded: RecordedRequest = { method, path, query: queryMap(url), headers, rawBody, requestId };
    ctx.stats.lastRequests[route.name] = recorded;

    let fault: FiredFault | undefined;
    const headerFault = headers[FAULT_HEADER];
    if (headerFault !== undefined) {
      try {
        const rule = parseFaultRule(JSON.parse(headerFault) as unknown);
        fault = { fault: rule, after: rule.after ?? false };
        ctx.stats.countHeaderFault();
      } catch (err) {
        sendError(400, 'emulator.badFault', `bad ${FAULT_HEADER}: ${(err as Error).message}`);
        return;
      }
    } else {
      fault = ctx.faults.pick(method, path);
    }
    const faultBody = (code: string, message: string) => errorBody(code, message, requestId);

    if (fault && !fault.after && (await applyFault(res, fault.fault, faultBody))) return;

    let reply: Reply;
    try {
      reply = route.run(ctx, { requestId, query: recorded.query, headers, rawBody });
    } catch (err) {
      const e = toResponse(err);
      reply = { status: e.status, body: errorBody(e.code, e.message, requestId), headers: e.headers ?? {} };
    }

    // The work is done; the client now sees the fault instead of the answer (latency: a late answer).
    if (fault?.after && (await applyFault(res, fault.fault, faultBody))) return;
    sendJson(res, reply.status, reply.body, reply.headers);
  };

  return createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, errorBody('systemError', 'system error', 'emulator'));
      else res.destroy();
    });
  });
}
