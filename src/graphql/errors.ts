import { ErrorCode } from '../copy/error-codes.js';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../copy/ports.js';
import { GatewayError, UpstreamFailure } from '../copy/errors.js';
import { BAD_USER_INPUT } from './input-errors.js';

/** How {@link createFormatError} treats what it formats. */
export interface FormatErrorOptions {
  /** Show the message of an unexpected error (outside production); otherwise "Internal server error". */
  exposeInternal: boolean;
  /** Drop graphql-js's `Did you mean …?` hints, which reveal the schema (production). */
  hideSuggestions: boolean;
}

const SUGGESTION = / ?Did you mean .+\?$/s;

/**
 * Where a coercion error of graphql-js puts the refused value: `… at "input.items[0].from"` (a
 * variable or an argument, by path), else `Variable "$id" …` (the whole variable).
 */
const AT_PATH = / at "([^"]+)"/g;
const VARIABLE = /^Variable "\$([^"]+)"/;

/**
 * The refused value's place, named by a coercion error's message, as `extensions.field`: its path in
 * dots, the variable or argument first (`input.items.0.from`), or undefined when the message names none.
 */
export function coercionField(message: string): string | undefined {
  const path = [...message.matchAll(AT_PATH)].at(-1)?.[1] ?? VARIABLE.exec(message)?.[1];
  return path?.replace(/\[(\d+)\]/g, '.$1');
}

/** `extensions` with `field` named from the message, for an input error that names none. */
function withField(extensions: Record<string, unknown>, message: string): Record<string, unknown> {
  if (extensions.code !== BAD_USER_INPUT || extensions.field !== undefined) return extensions;
  const field = coercionField(message);
  return field === undefined ? extensions : { ...extensions, field };
}

/**
 * An error graphql-js raised about the request itself (not from a resolver, not at a field): e.g.
 * "Too many errors processing variables". Execution returns it without a code.
 */
function requestLevelError(error: unknown): boolean {
  return (
    error instanceof GraphQLError &&
    error.extensions.code === undefined &&
    error.path === undefined &&
    error.originalError === undefined
  );
}

/**
 * True for an error none of our code expected: not a GatewayError, without a code of its own (or with
 * INTERNAL_SERVER_ERROR), and not a request-level error of graphql-js. {@link createFormatError} masks
 * these; {@link logUnexpectedErrors} logs them.
 */
export function isUnexpectedError(error: unknown): boolean {
  if (unwrapResolverError(error) instanceof GatewayError || requestLevelError(error)) return false;
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return typeof code !== 'string' || code === ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * Logs each unexpected error ({@link isUnexpectedError}) of an operation with its cause, on the
 * operation's logger (so the line carries its request id): the answer only says "Internal server error".
 */
export function logUnexpectedErrors(log: Logger, errors: readonly unknown[]): void {
  for (const error of errors) {
    if (isUnexpectedError(error)) {
      log.error({ err: unwrapResolverError(error) }, 'unexpected error in a GraphQL operation');
    }
  }
}

/**
 * The one error formatter of both transports. Every error leaves with a code in `extensions.code`:
 * our own errors carry theirs; request-level errors graphql-js raises without one are the caller's
 * input (`BAD_USER_INPUT`, with `extensions.field` naming the refused value's place when the message
 * does: {@link coercionField}); anything else unexpected is masked as INTERNAL_SERVER_ERROR, since its
 * message may hold anything (each transport logs it: {@link logUnexpectedErrors}). `extensions.http`
 * (a status for the HTTP layer) never leaves.
 */
export function createFormatError(options: FormatErrorOptions) {
  const clean = (message: string) => (options.hideSuggestions ? message.replace(SUGGESTION, '') : message);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GatewayError) {
      const upstream =
        original instanceof UpstreamFailure
          ? { upstream: original.error.upstream, retryable: original.error.retryable }
          : {};
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...original.extra, ...upstream, code: original.code },
      };
    }
    const { http: _http, ...extensions } = formatted.extensions ?? {};
    // Apollo Server refuses a mutation sent as GET with 405 but code BAD_REQUEST: a 405 reads the
    // same whichever layer refused the method.
    if (error instanceof GraphQLError && (error.extensions.http as { status?: unknown })?.status === 405)
      return { ...formatted, extensions: { ...extensions, code: ErrorCode.METHOD_NOT_ALLOWED } };
    const code = extensions.code;
    if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const message = clean(formatted.message);
      return { ...formatted, message, extensions: withField(extensions, message) };
    }
    if (requestLevelError(error)) {
      const message = clean(formatted.message);
      return { ...formatted, message, extensions: withField({ code: BAD_USER_INPUT }, message) };
    }
    if (options.exposeInternal)
      return { ...formatted, extensions: { ...extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
