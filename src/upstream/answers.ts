import { unknownOutcome, UpstreamFailure, upstreamError, type Execution } from '../copy/errors.js';
import type { CopyErrorInfo } from '../copy/types.js';
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
 * The JSON body of an answer, or an UpstreamFailure when it is not readable JSON. A write answered
 * 2xx or 5xx with garbage may have run (`ifSent` says what to assume); a 4xx did not. An HTML page
 * with 403/429 is a recognisable throttle page (DingTalk's IP limit answers with one).
 */
export function jsonBody(
  response: UpstreamResponse,
  upstream: UpstreamIdentity,
  ifSent: Execution,
  requestId?: string,
): unknown {
  if (!response.malformed) return response.json;
  const { provider, displayName: name } = upstream;
  const status = response.status;
  const said = { httpStatus: status, requestId };
  if ((status === 429 || status === 403) && /html/i.test(response.contentType + response.snippet)) {
    throw new UpstreamFailure(
      upstreamError(
        provider,
        'THROTTLED',
        `${name} answered ${status} with a throttling page; the request did not run. Retry later.`,
        true,
        said,
      ),
      'not-executed',
      retryAfterMs(response.headers),
    );
  }
  const execution: Execution = status >= 400 && status < 500 ? 'not-executed' : ifSent;
  const what = `a body that is not JSON (${response.contentType || 'no content type'})`;
  throw shapeFailure(upstream, status, what, execution, requestId);
}

/** An answer the upstream documents (an error body, a wrong shape) as a typed failure, with Retry-After. */
export function failureOf(
  response: UpstreamResponse,
  classified: { error: CopyErrorInfo; execution: Execution },
): UpstreamFailure {
  return new UpstreamFailure(classified.error, classified.execution, retryAfterMs(response.headers));
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
