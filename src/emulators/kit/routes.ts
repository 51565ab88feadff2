/**
 * The route table: each route names a method and a path pattern such as
 * `/api/v1/batch/:libraryId/:spaceId`. `:name` matches one non-empty segment, `:name?` one possibly
 * empty segment, and a trailing `:name*` the rest of the path (slashes included, possibly empty).
 * Parameters arrive percent-decoded.
 */
import type { IncomingMessage } from 'node:http';
import { EmulatorError, type Reply } from './errors.js';

/** What a handler sees of one request. */
export interface RouteContext {
  req: IncomingMessage;
  /** Upper-case method. */
  method: string;
  url: URL;
  /** Decoded path parameters by name. */
  params: Readonly<Record<string, string>>;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Readonly<Record<string, string>>;
  requestId: string;
  /** The request body as text; reading twice returns the same text. */
  body(): Promise<string>;
}

/** One entry of the route table. */
export interface Route<Name extends string = string> {
  /** Stats key, e.g. `batch.copy`. */
  name: Name;
  method: string;
  /** Path pattern (see the module comment). */
  path: string;
  /** Test controls (`/__admin/…`): never faulted, not counted as upstream traffic. */
  admin?: boolean;
  handle(ctx: RouteContext): Promise<Reply> | Reply;
}

interface CompiledRoute<Name extends string> {
  route: Route<Name>;
  regex: RegExp;
  names: string[];
}

/** The result of looking a request up: a route, a path served with other methods, or nothing. */
export type RouteMatch<Name extends string> =
  | { route: Route<Name>; params: Record<string, string> }
  | { methodNotAllowed: true; allow: string[] }
  | undefined;

function compile<Name extends string>(route: Route<Name>): CompiledRoute<Name> {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^:([A-Za-z][A-Za-z0-9]*)([?*]?)$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1] as string);
      if (m[2] === '*') return '(.*)';
      return m[2] === '?' ? '([^/]*)' : '([^/]+)';
    })
    .join('/');
  return { route, regex: new RegExp(`^${source}$`), names };
}

/** A compiled route table; `match` is linear in the number of routes. */
export class RouteTable<Name extends string = string> {
  readonly #routes: CompiledRoute<Name>[];

  constructor(routes: readonly Route<Name>[]) {
    this.#routes = routes.map(compile);
  }

  /** Throws EmulatorError(400, `badPathCode`) for malformed percent-encoding in a matched path. */
  match(method: string, pathname: string, badPathCode: string): RouteMatch<Name> {
    const allow: string[] = [];
    for (const { route, regex, names } of this.#routes) {
      const m = regex.exec(pathname);
      if (!m) continue;
      if (route.method !== method) {
        allow.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      try {
        names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
      } catch {
        throw new EmulatorError(400, badPathCode, 'malformed percent-encoding in the path');
      }
      return { route, params };
    }
    return allow.length > 0 ? { methodNotAllowed: true, allow } : undefined;
  }
}

/** A path parameter that the route's pattern guarantees. */
export function param(ctx: RouteContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no parameter ${name}`);
  return value;
}

/** The query string as a plain object (the last value wins for repeated names). */
export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) out[k] = v;
  return out;
}
