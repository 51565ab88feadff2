import { errors as undiciErrors } from 'undici';
import { unknownOutcome, UpstreamFailure, upstreamError, type Execution } from '../copy/errors.js';
import type { CopyErrorCode } from '../copy/types.js';
import type { UpstreamIdentity } from './ports.js';

/** An answer's body was larger than the client accepts (it was dumped unread). */
export class BodyTooLargeError extends Error {}

/** A failure while reading the body of an answer whose status had already arrived. */
export class BodyReadError extends Error {
  constructor(
    readonly status: number,
    cause: unknown,
  ) {
    super('upstream body could not be read', { cause });
  }
}

/**
 * Turns a transport failure into a typed failure; never includes the URL (it may hold a token).
 * A request that undici never handed to a connection (`dispatched` false: still queued behind busy
 * connections, or still connecting) was never sent, whatever ended it; a failure to connect proves
 * the same. Anything after the hand-over (a reset, a timeout, an abort) may have reached the
 * upstream, so its outcome is unknown.
 */
export function classifyTransportFailure(
  { provider, displayName: name }: UpstreamIdentity,
  error: unknown,
  {
    deadline,
    callTimeout,
    timeoutMs,
    dispatched = true,
  }: {
    deadline?: AbortSignal;
    callTimeout: Pick<AbortSignal, 'aborted'>;
    timeoutMs: number;
    /** Whether undici handed the request to a connection (it may have been written); default true. */
    dispatched?: boolean;
  },
): UpstreamFailure {
  const fail = (
    code: CopyErrorCode,
    message: string,
    execution: Execution,
    upstream: { httpStatus?: number } = {},
  ) =>
    new UpstreamFailure(
      upstreamError(
        provider,
        code,
        execution === 'unknown' ? unknownOutcome(message) : message,
        execution === 'not-executed',
        upstream,
      ),
      execution,
    );
  if (error instanceof UpstreamFailure) return error;
  if (error instanceof BodyReadError) {
    const status = { httpStatus: error.status };
    if (error.cause instanceof BodyTooLargeError) {
      return fail('UPSTREAM_PROTOCOL_ERROR', `${name} answered with an oversized body.`, 'unknown', status);
    }
    if (
      !(error.cause instanceof undiciErrors.BodyTimeoutError) &&
      !deadline?.aborted &&
      !callTimeout.aborted
    ) {
      return fail(
        'UPSTREAM_PROTOCOL_ERROR',
        `${name} answered ${error.status} with a body that broke off before its end.`,
        'unknown',
        status,
      );
    }
    error = error.cause;
  }
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (!dispatched) {
    // Waiting for a connection is not the upstream's fault, so a timeout here is the gateway's own.
    if (deadline?.aborted || callTimeout.aborted) {
      const when = deadline?.aborted ? 'the operation deadline' : `${timeoutMs} ms`;
      return fail(
        'UPSTREAM_TIMEOUT',
        `No connection to ${name} was free within ${when}; the request was not sent. Retry later.`,
        'not-executed',
      );
    }
    const connectTimeout =
      error instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT';
    return fail(
      'UPSTREAM_UNAVAILABLE',
      `${name} could not be reached${connectTimeout ? ' in time' : ''}; the request was not sent.`,
      'not-executed',
    );
  }
  // Our own signals aborted the request: undici rejects with the abort reason, not an AbortError.
  if (deadline?.aborted) {
    return fail('UPSTREAM_TIMEOUT', `${name} did not answer before the operation deadline.`, 'unknown');
  }
  if (callTimeout.aborted) {
    return fail('UPSTREAM_TIMEOUT', `${name} did not answer within ${timeoutMs} ms.`, 'unknown');
  }
  if (error instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return fail(
      'UPSTREAM_UNAVAILABLE',
      `${name} could not be reached in time; the request was not sent.`,
      'not-executed',
    );
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return fail(
      'UPSTREAM_UNAVAILABLE',
      `${name} could not be reached; the request was not sent.`,
      'not-executed',
    );
  }
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    (error as { name?: string })?.name === 'AbortError'
  ) {
    return fail('UPSTREAM_TIMEOUT', `${name} did not answer in time.`, 'unknown');
  }
  return fail(
    'UPSTREAM_ERROR',
    `The connection to ${name} failed (${code || 'connection error'}) after the request was sent.`,
    'unknown',
  );
}
