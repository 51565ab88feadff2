import { unknownOutcome, UpstreamFailure, upstreamError, type Execution } from '../copy/errors.js';
import type { CopyErrorCode, CopyErrorInfo } from '../copy/types.js';
import { retryAfterMs, type UpstreamResponse } from './http.js';
import type { UpstreamIdentity } from './ports.js';

/** The upstream's request id, from the body field or a response header. */
export function requestIdOf(
  response: UpstreamResponse,
  bodyField: string,
  headers: readonly string[],
): string | undefined {
  const body = response.json as Record<string, unknown> | undefined;
  const fromBody = typeof body === 'object' && body !== null ? body[bodyField] : undefined;
  if (typeof fromBody === 'string') return fromBody;
  for (const name of headers) {
    const value = response.headers[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * What a provider's answer that is not JSON means, by its HTTP status: a unified code, or undefined
 * when the status has no meaning of its own there (the answer is then an UPSTREAM_PROTOCOL_ERROR).
 * Each provider has its own rules (DingTalk's IP limit answers 403 with an HTML page; at SMH a 403
 * page is a refusal), so each passes its own.
 */
export type PageRule = (status: number) => CopyErrorCode | undefined;

/**
 * The JSON body of an answer, or an UpstreamFailure when it is not readable JSON. A write answered
 * 2xx or 5xx with garbage may have run (`ifSent` says what to assume); a 4xx did not, and the
 * provider's `pageRule` says what its status means.
 */
export function jsonBody(
  response: UpstreamResponse,
  upstream: UpstreamIdentity,
  ifSent: Execution,
  requestId?: string,
  pageRule?: PageRule,
): unknown {
  if (!response.malformed) return response.json;
  const { provider, displayName: name } = upstream;
  const status = response.status;
  const said = { httpStatus: status, requestId };
  const refused = status >= 400 && status < 500;
  const code = refused ? pageRule?.(status) : undefined;
  const what = `a body that is not JSON (${response.contentType || 'no content type'})`;
  if (code) {
    const message =
      code === 'THROTTLED'
        ? `${name} answered ${status} with a throttling page; the request did not run. Retry later.`
        : `${name} answered ${status} with ${what}: the request was refused and did not run.`;
    throw failureOf(response, {
      error: upstreamError(provider, code, message, code === 'THROTTLED', said),
      execution: 'not-executed',
    });
  }
  const execution: Execution = refused ? 'not-executed' : ifSent;
  throw shapeFailure(upstream, status, what, execution, requestId);
}

/**
 * An answer the upstream documents (an error body, a wrong shape) as a typed failure, with its
 * Retry-After: kept for the retry policy and, on a failure that may be sent again, given to the caller
 * as `retryAfterSeconds`.
 */
export function failureOf(
  response: UpstreamResponse,
  classified: { error: CopyErrorInfo; execution: Execution },
): UpstreamFailure {
  const waitMs = retryAfterMs(response.headers);
  const error =
    waitMs !== undefined && classified.error.retryable
      ? { ...classified.error, retryAfterSeconds: Math.ceil(waitMs / 1000) }
      : classified.error;
  return new UpstreamFailure(error, classified.execution, waitMs);
}

/** An answer whose body is not what the upstream documents: unreadable, or of the wrong shape. */
export function shapeFailure(
  upstream: UpstreamIdentity,
  status: number,
  what: string,
  execution: Execution,
  requestId?: string,
): UpstreamFailure {
  const answered = `${upstream.displayName} answered ${status} with ${what}`;
  return new UpstreamFailure(
    upstreamError(
      upstream.provider,
      'UPSTREAM_PROTOCOL_ERROR',
      execution === 'unknown' ? unknownOutcome(answered) : `${answered}.`,
      false,
      {
        httpStatus: status,
        requestId,
      },
    ),
    execution,
  );
}
