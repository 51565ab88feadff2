import { ErrorCode, type CopyErrorCode } from './error-codes.js';
import type { CopyErrorInfo, Provider, UpstreamErrorInfo } from './types.js';

/**
 * Failures that end a whole GraphQL operation (as opposed to per-item failures, which are data).
 * `code` becomes `extensions.code`; it is either a unified CopyErrorCode or one of Apollo's codes.
 */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: CopyErrorCode | typeof ErrorCode.BAD_USER_INPUT,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** Bad input found before anything was sent upstream. */
export class InputError extends GatewayError {
  constructor(message: string, details: { field?: string; index?: number; reason?: string } = {}) {
    super(message, ErrorCode.BAD_USER_INPUT, details);
    this.name = 'InputError';
  }
}

/**
 * Whether an upstream may have done the work. Only `not-executed` failures may be retried
 * automatically; re-sending an `unknown` copy can create a second copy.
 */
export type Execution = 'not-executed' | 'unknown';

/** A failed upstream call, already classified. */
export class UpstreamFailure extends GatewayError {
  constructor(
    readonly error: CopyErrorInfo,
    readonly execution: Execution,
    /** Milliseconds the upstream asked us to wait (Retry-After), if it did. */
    readonly retryAfterMs?: number,
  ) {
    super(error.message, error.code);
    this.name = 'UpstreamFailure';
  }
}

/**
 * The message of a failure whose outcome is unknown: what happened, then what the caller must do.
 * Every UNKNOWN item's message ends this way, so clients and people read one sentence for one case.
 */
export function unknownOutcome(what: string, hint = ''): string {
  return `${what.replace(/\.$/, '')}; the copy may or may not have happened: check the target before sending it again${hint}.`;
}

/** A CopyErrorInfo for a failure at `provider`, with what the upstream said about it. */
export function upstreamError(
  provider: Provider,
  code: CopyErrorCode,
  message: string,
  retryable: boolean,
  upstream: Omit<UpstreamErrorInfo, 'provider'> = {},
): CopyErrorInfo {
  return { code, message, retryable, upstream: { provider, ...upstream } };
}
