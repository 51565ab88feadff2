import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FiredFault } from '../shared/faults.js';
import { applyFault, sendEmpty, sendJson } from '../shared/http.js';
import { adminRoutes } from './adminRoutes.js';
import { batchRoutes } from './batchRoutes.js';
import type { SmhCore } from './core.js';
import { errorBody, SmhError } from './errors.js';
import { parseFaultRule } from './faultRules.js';
import { bodyReader, matchRoute, type Reply, type Route } from './router.js';
import { tokenRoutes } from './tokenRoutes.js';

export const FAULT_HEADER = 'x-emulator-fault';

/** A rule in the header applies to this request alone, so its matchers are ignored. */
function headerFault(req: IncomingMessage): FiredFault | undefined {
  const raw = req.headers[FAULT_HEADER];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Array.isArray(raw) ? (raw[0] ?? '') : raw);
  } catch {
    parsed = undefined;
  }
  const rule = parseFaultRule(parsed);
  if (!rule) throw new SmhError(400, 'InvalidFaultHeader', `${FAULT_HEADER} is not a valid FaultRule`);
  const { method: _m, pathIncludes: _p, times: _t, rate: _r, after, ...fault } = rule;
  return { fault, after: after ?? false };
}

function errorReply(err: unknown, requestId: string): Reply {
  if (err instanceof SmhError)
    return { status: err.status, body: errorBody(err.code, err.message, requestId) };
  return { status: 500, body: errorBody('InternalServerError', 'internal server error', requestId) };
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) sendEmpty(res, reply.status);
  else sendJson(res, reply.status, reply.body);
}

export function createSmhServer(core: SmhCore, newRequestId: () => string): Server {
  const routes: Route[] = [...tokenRoutes(core), ...batchRoutes(core), ...adminRoutes(core)];

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    // Set before any writeHead so faults, errors and 204s all carry it.
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://smh.local');
    const method = (req.method ?? 'GET').toUpperCase();
    core.tasks.settle();

    let match;
    try {
      match = matchRoute(routes, method, url.pathname);
    } catch (err) {
      send(res, errorReply(err, requestId));
      return;
    }
    if (!match) {
      send(res, errorReply(new SmhError(404, 'NotFound', `no route for ${url.pathname}`), requestId));
      return;
    }
    if ('methodNotAllowed' in match) {
      send(
        res,
        errorReply(new SmhError(405, 'MethodNotAllowed', `${method} is not allowed here`), requestId),
      );
      return;
    }
    const { route, params } = match;

    let fault: FiredFault | undefined;
    if (!route.admin) {
      core.stats.countRequest(route.name);
      try {
        fault = headerFault(req) ?? core.faults.pick(method, url.pathname);
      } catch (err) {
        send(res, errorReply(err, requestId));
        return;
      }
      if (fault) core.stats.countFault(fault.fault.kind);
    }
    const faultBody = (code: string, message: string) => errorBody(code, message, requestId);

    if (fault && !fault.after && (await applyFault(res, fault.fault, faultBody))) return;

    let reply: Reply;
    try {
      reply = await route.handle({ req, url, params, requestId, body: bodyReader(req) });
    } catch (err) {
      reply = errorReply(err, requestId);
    }

    // The work is done; the caller never learns the outcome (or learns it late, for latency).
    if (fault?.after && (await applyFault(res, fault.fault, faultBody))) return;
    send(res, reply);
  }

  return createServer((req, res) => {
    const requestId = newRequestId();
    handle(req, res, requestId).catch((err: unknown) => {
      if (!res.headersSent) send(res, errorReply(err, requestId));
      else res.destroy();
    });
  });
}
