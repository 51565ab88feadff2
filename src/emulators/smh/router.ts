import type { IncomingMessage } from 'node:http';
import { readBody } from '../shared/http.js';
import { SmhError } from './errors.js';

/** What a handler answers; the server sends it, or replaces it with an injected fault. */
export interface Reply {
  status: number;
  /** Undefined means no body (204). */
  body?: unknown;
}

export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  /** Decoded path parameters, in pattern order. */
  params: string[];
  requestId: string;
  /** The request body as text; reading twice returns the same text. */
  body(): Promise<string>;
}

export interface Route {
  /** Stats key, e.g. `batch.copy`. */
  name: string;
  method: string;
  pattern: RegExp;
  /** Admin routes are never faulted and not counted as API traffic. */
  admin?: boolean;
  handle(ctx: RouteContext): Promise<Reply> | Reply;
}

export type RouteMatch = { route: Route; params: string[] } | { methodNotAllowed: true } | undefined;

export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    try {
      return { route, params: m.slice(1).map((p) => decodeURIComponent(p ?? '')) };
    } catch {
      throw new SmhError(400, 'InvalidArgument', 'malformed percent-encoding in the path');
    }
  }
  return pathMatched ? { methodNotAllowed: true } : undefined;
}

export function bodyReader(req: IncomingMessage): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= readBody(req).catch(() => {
      throw new SmhError(400, 'InvalidArgument', 'request body could not be read');
    });
    return cached;
  };
}

export function param(ctx: RouteContext, index: number): string {
  const value = ctx.params[index];
  if (value === undefined) throw new Error(`route has no parameter ${index}`);
  return value;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SmhError(400, 'InvalidArgument', 'request body is not valid JSON');
  }
}
