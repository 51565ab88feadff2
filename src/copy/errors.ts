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

/**
 * Unified codes that mean the upstream itself failed while it handled the request (a 5xx, SMH's item
 * status 500, DingTalk's `systemError` or `operationTimeout`): it may have done the work first.
 */
const SERVER_FAULTS: ReadonlySet<CopyErrorCode> = new Set(['UPSTREAM_ERROR', 'UPSTREAM_TIMEOUT']);

/**
 * The one rule, for every provider, on what an upstream's answer says about the work: a server fault
 * leaves it unknown (the item is UNKNOWN), any other refusal means it did not run (the item is FAILED).
 * Each provider maps its own codes to a unified code; this decides what the code means for the item.
 */
export function answerExecution(code: CopyErrorCode): Execution {
  return SERVER_FAULTS.has(code) ? 'unknown' : 'not-executed';
}

/**
 * A redirect (3xx) is not an answer of the upstream's API: the gateway never follows one (it could
 * carry a token to another host), and the request was not processed where it was sent. Checked before
 * each provider's own codes, so both providers read a redirect the same way.
 */
export function redirectCode(status: number): CopyErrorCode | undefined {
  return status >= 300 && status < 400 ? 'UPSTREAM_PROTOCOL_ERROR' : undefined;
}

/** The status of an item whose upstream answer was a failure: UNKNOWN when the work may have run. */
export function failedItemStatus(execution: Execution): 'FAILED' | 'UNKNOWN' {
  return execution === 'unknown' ? 'UNKNOWN' : 'FAILED';
}

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
