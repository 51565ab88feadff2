/**
 * What a client put on the wire, as the emulator recorded it, and a comparison that ignores what may
 * legitimately differ between clients (header order and case, user agent, JSON key order, spacing).
 * The contract test records the official SDK's requests; the project's own client can be held to them.
 */

/** One request as the emulator received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, as sent (not decoded). */
  path: string;
  query: Record<string, string>;
  /** Lowercased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  rawBody: string;
  requestId: string;
}

/** The parts of a request two clients must agree on. */
export interface WireRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  accessToken: string | undefined;
  /** Media type and charset only, lowercased, spaces removed: `application/json;charset=utf-8`. */
  contentType: string | undefined;
  /** Parsed JSON body; undefined when there is none; the raw text when it is not JSON. */
  body: unknown;
}

/** The comparable parts of a recorded request. */
export function toWire(r: RecordedRequest): WireRequest {
  let body: unknown = undefined;
  if (r.rawBody !== '') {
    try {
      body = JSON.parse(r.rawBody) as unknown;
    } catch {
      body = r.rawBody;
    }
  }
  return {
    method: r.method.toUpperCase(),
    path: r.path,
    query: { ...r.query },
    accessToken: r.headers['x-acs-dingtalk-access-token'],
    contentType: r.headers['content-type']?.toLowerCase().replace(/\s+/g, ''),
    body,
  };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** Differences between two wire requests, one readable line each; empty when they match. */
export function compareWire(expected: WireRequest, actual: WireRequest): string[] {
  const diffs: string[] = [];
  const check = (field: keyof WireRequest): void => {
    const e = JSON.stringify(canonical(expected[field]));
    const a = JSON.stringify(canonical(actual[field]));
    if (e !== a) diffs.push(`${field}: expected ${e}, got ${a}`);
  };
  check('method');
  check('path');
  check('query');
  check('accessToken');
  check('contentType');
  check('body');
  return diffs;
}
