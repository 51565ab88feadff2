import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The header a caller may send its own request id in, and every answer carries the id in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's request id is taken as given when it is 1–128 of these characters (no spaces, no quotes). */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/**
 * A W3C `traceparent` header: version, trace id, parent id and flags in lower-case hex
 * (https://www.w3.org/TR/trace-context/#traceparent-header). Versions after 00 may append fields.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

/**
 * The trace id (32 lower-case hex digits) of a valid `traceparent` header; undefined when the header is
 * absent or invalid: version `ff`, an all-zero trace or parent id, or a version-00 header with more
 * than its four fields are invalid by the specification.
 */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, , rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return traceId;
}

/**
 * The id of one request, from its headers: the caller's `x-request-id` when it is 1–128 characters of
 * `A-Za-z0-9._:/+=@-`; else the trace id of a valid W3C `traceparent`, so the answer and the caller's
 * trace share one id; else a new random UUID (v4). A repeated header counts as absent.
 */
export function requestIdFor(headers: IncomingHttpHeaders): string {
  const given = single(headers[REQUEST_ID_HEADER]);
  if (given !== undefined && CALLER_REQUEST_ID.test(given)) return given;
  return traceIdOf(single(headers.traceparent)) ?? randomUUID();
}
