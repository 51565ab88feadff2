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
 * Only a failure to connect proves the request never left; anything later (a reset, a timeout, an
 * abort) may have reached the upstream, so its outcome is unknown.
 */
export function classifyTransportFailure(
  { provider, displayName: name }: UpstreamIdentity,
  error: unknown,
  {
    deadline,
    callTimeout,
    timeoutMs,
  }: { deadline?: AbortSignal; callTimeout: Pick<AbortSignal, 'aborted'>; timeoutMs: number },
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
  // Our own signals aborted the request: undici rejects with the abort reason, not an AbortError.
  if (deadline?.aborted) {
    return fail('UPSTREAM_TIMEOUT', `${name} did not answer before the operation deadline.`, 'unknown');
  }
  if (callTimeout.aborted) {
    return fail('UPSTREAM_TIMEOUT', `${name} did not answer within ${timeoutMs} ms.`, 'unknown');
  }
  const code = (error as { code?: string } | undefined)?.code ?? '';
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
