/**
 * Every code the gateway puts in `code` (a CopyError) or `extensions.code` (a GraphQL error), in one
 * list, as Apollo Server lists its own in `ApolloServerErrorCode`
 * (https://www.apollographql.com/docs/apollo-server/data/errors#built-in-error-codes).
 */

/**
 * The unified failure codes, whichever upstream a failure came from: the values of the GraphQL enum
 * `CopyErrorCode` (a test checks they match the SDL); `CANCELLED`: an item of a cancelled background job.
 * `PARTIALLY_COPIED`: a copy that ran in part (a DingTalk folder copy whose task ended with failures).
 */
export const COPY_ERROR_CODES = [
  'CONFLICT',
  'NOT_FOUND',
  'PERMISSION_DENIED',
  'QUOTA_EXCEEDED',
  'INVALID_ARGUMENT',
  'UNSUPPORTED',
  'THROTTLED',
  'UNAUTHENTICATED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_ERROR',
  'UPSTREAM_PROTOCOL_ERROR',
  'IDEMPOTENCY_CONFLICT',
  'INTERRUPTED',
  'CANCELLED',
  'PARTIALLY_COPIED',
] as const;

/** A unified failure code (the GraphQL `CopyErrorCode` enum). */
export type CopyErrorCode = (typeof COPY_ERROR_CODES)[number];

/**
 * Codes of errors about the request itself rather than the copy: Apollo Server's own
 * (`GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`, `BAD_USER_INPUT`, `BAD_REQUEST`,
 * `INTERNAL_SERVER_ERROR`, …) and the gateway's answers to HTTP-level failures, named after the status.
 */
export const REQUEST_ERROR_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'INTERNAL_SERVER_ERROR',
  'FORBIDDEN',
  'METHOD_NOT_ALLOWED',
  'NOT_ACCEPTABLE',
  'REQUEST_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'REQUEST_HEADER_FIELDS_TOO_LARGE',
  'SERVICE_UNAVAILABLE',
] as const;

/** A request-level error code. */
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

/** Any code the gateway gives: a unified failure code or a request-level one. */
export type ErrorCode = CopyErrorCode | RequestErrorCode;

/** Every code by name, e.g. `ErrorCode.BAD_USER_INPUT`; use these instead of string literals. */
export const ErrorCode = Object.freeze(
  Object.fromEntries([...COPY_ERROR_CODES, ...REQUEST_ERROR_CODES].map((code) => [code, code])),
) as { readonly [Code in ErrorCode]: Code };
