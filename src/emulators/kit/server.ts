/**
 * The HTTP server both emulators run on: request ids, routing through a {@link RouteTable}, fault
 * rules applied before or after the work, the upstream's error body, and listen/close.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorError, type Reply } from './errors.js';
import { fired, parseFaultRule, type FaultInjector, type FaultPresets, type FiredFault } from './faults.js';
import { applyFault, readBody, sendEmpty, sendJson } from './http.js';
import { RouteTable, type Route, type RouteContext } from './routes.js';
import type { Clock } from './clock.js';

/** Request header carrying a one-off fault rule (JSON) for just this request; its matchers are ignored. */
export const FAULT_HEADER = 'x-emulator-fault';

/** A fixed answer of the kit itself: HTTP status, error code and message. */
export interface KitAnswer {
  status: number;
  code: string;
  message: string;
}

/** How one upstream spells what every emulator answers: request ids, error bodies, the kit's own errors. */
export interface EmulatorDialect {
  /** A fresh request id. */
  newRequestId(): string;
  /** Headers that carry the request id on every answer (faults and errors included). */
  requestIdHeaders(requestId: string): Record<string, string>;
  /** The upstream's JSON error body. */
  errorBody(code: string, message: string, requestId: string): unknown;
  /** A path no route serves. */
  notFound: KitAnswer;
  /** A path served only with other methods; unset answers as {@link notFound}. */
  methodNotAllowed?: KitAnswer;
  /** An unexpected exception in a handler. */
  internal: KitAnswer;
  /** Code of 400 answers to malformed requests the kit itself refuses (path encoding, unreadable body). */
  badRequestCode: string;
  /** Code of 400 answers to an invalid fault rule (header or admin body). */
  badFaultCode: string;
}

/** Everything one emulator hands to the kit. */
export interface EmulatorServerOptions<Name extends string> {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  routes: readonly Route<Name>[];
  /** Runs when no route matches (so unknown paths are counted and faulted like the real service's). */
  fallback?: Route<Name>;
  dialect: EmulatorDialect;
  faults: FaultInjector;
  faultPresets?: FaultPresets;
  /** Runs first on every request, e.g. to let background tasks catch up with the clock. */
  beforeRequest?(): void;
  /**
   * The emulator's clock: every answer's `Date` header (RFC 9110 §6.6.1) reads it, as a real server's
   * reads its own clock, so clients that compare the upstream's times see one clock. Default: Node's.
   */
  clock?: Clock;
  /** Runs for every matched route before any fault: counting and recording. */
  onRoute?(route: Route<Name>, ctx: RouteContext): Promise<void> | void;
  /** Runs when a fault fires for a request; `fromHeader` tells a one-off header fault from a rule. */
  onFault?(fault: FiredFault, fromHeader: boolean): void;
  /** Runs once when the server is closed. */
  onClose?(): void;
}

/** A listening emulator server. */
export interface EmulatorServer {
  /** `http://host:port`, IPv6 hosts in brackets. */
  url: string;
  port: number;
  /** Stops listening and ends every open connection, keep-alive ones included. */
  close(): Promise<void>;
}

function headerMap(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function bodyReader(req: IncomingMessage, badRequestCode: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= readBody(req).catch(() => {
      throw new EmulatorError(413, badRequestCode, 'request body too large or unreadable');
    });
    return cached;
  };
}

/**
 * Parses JSON from an admin or API body for the kit's users; throws EmulatorError(400, `code`) when it
 * is not JSON. An empty body reads as `{}`.
 */
export function parseJsonBody(text: string, code: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EmulatorError(400, code, 'request body is not valid JSON');
  }
}

/** Starts an emulator server and resolves once it listens. */
export async function startEmulatorServer<Name extends string>(
  opts: EmulatorServerOptions<Name>,
): Promise<EmulatorServer> {
  const { dialect } = opts;
  const table = new RouteTable(opts.routes);

  const errorReply = (err: unknown, requestId: string): Reply => {
    const e =
      err instanceof EmulatorError
        ? err
        : new EmulatorError(dialect.internal.status, dialect.internal.code, dialect.internal.message);
    return { status: e.status, body: dialect.errorBody(e.code, e.message, requestId), headers: e.headers };
  };
  const send = (res: ServerResponse, reply: Reply): void => {
    if (reply.body === undefined) sendEmpty(res, reply.status, reply.headers);
    else sendJson(res, reply.status, reply.body, reply.headers);
  };

  const headerFault = (headers: Record<string, string>): FiredFault | undefined => {
    const raw = headers[FAULT_HEADER];
    if (raw === undefined) return undefined;
    try {
      return fired(parseFaultRule(JSON.parse(raw) as unknown, opts.faultPresets));
    } catch (err) {
      throw new EmulatorError(400, dialect.badFaultCode, `bad ${FAULT_HEADER}: ${(err as Error).message}`);
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    // Set before any writeHead so faults, errors and 204s all carry it.
    for (const [name, value] of Object.entries(dialect.requestIdHeaders(requestId)))
      res.setHeader(name, value);
    if (opts.clock) res.setHeader('date', new Date(opts.clock.now()).toUTCString());
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    opts.beforeRequest?.();

    let route: Route<Name>;
    let params: Record<string, string> = {};
    const match = table.match(method, url.pathname, dialect.badRequestCode);
    if (match && 'route' in match) {
      ({ route, params } = match);
    } else if (match && dialect.methodNotAllowed) {
      const { status, code, message } = dialect.methodNotAllowed;
      throw new EmulatorError(status, code, message, { allow: match.allow.join(', ') });
    } else if (opts.fallback) {
      route = opts.fallback;
    } else {
      const { status, code, message } = dialect.notFound;
      throw new EmulatorError(status, code, message);
    }

    const ctx: RouteContext = {
      req,
      method,
      url,
      params,
      headers: headerMap(req),
      requestId,
      body: bodyReader(req, dialect.badRequestCode),
    };
    await opts.onRoute?.(route, ctx);

    let fault: FiredFault | undefined;
    if (!route.admin) {
      const fromHeader = headerFault(ctx.headers);
      fault = fromHeader ?? opts.faults.pick(method, url.pathname);
      if (fault) opts.onFault?.(fault, fromHeader !== undefined);
    }
    const faultBody = (code: string, message: string) => dialect.errorBody(code, message, requestId);
    if (fault && !fault.after && (await applyFault(res, fault.fault, faultBody))) return;

    let reply: Reply;
    try {
      reply = await route.handle(ctx);
    } catch (err) {
      reply = errorReply(err, requestId);
    }
    // The work is done; the caller never learns the outcome (or learns it late, for latency).
    if (fault?.after && (await applyFault(res, fault.fault, faultBody))) return;
    send(res, reply);
  }

  const server = createServer((req, res) => {
    const requestId = dialect.newRequestId();
    handle(req, res, requestId).catch((err: unknown) => {
      if (!res.headersSent) send(res, errorReply(err, requestId));
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        opts.onClose?.();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
