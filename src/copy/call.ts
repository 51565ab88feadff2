import type { Context } from '@opentelemetry/api';
import type { Logger } from './ports.js';
import type { RunProgress } from './progress.js';

/**
 * What one GraphQL operation carries down to the provider adapters: who may be called with which
 * credentials, the operation's deadline, and its budget of upstream calls.
 */
export interface CallContext {
  /** Logs of this operation: every line carries its request id (`reqId`). */
  log: Logger;
  /**
   * The id that ties this operation's answer, log lines and upstream calls together: the HTTP
   * request's id (its `x-request-id`), or `<connectionId>:<n>` for the n-th operation of a WebSocket
   * connection. Sent upstream as `x-request-id` on each call. Unset for work that no request started
   * (then upstream calls carry none).
   */
  requestId?: string;
  /**
   * The OpenTelemetry context that holds the operation's span, when tracing is on: each upstream
   * call's span is its child.
   */
  trace?: Context;
  /** Aborts when the operation's deadline passes. */
  signal: AbortSignal;
  /** When `signal` aborts, in milliseconds since the epoch (unset: no known deadline). */
  deadline?: number;
  budget: CallBudget;
  /** Upstream tokens the caller sent, by provider id (pass-through mode). */
  callerTokens: Readonly<Record<string, string | undefined>>;
  /**
   * Where the caller puts a credential named `name`, for messages: over HTTP the header of that name
   * (the default), over WebSocket a field of the connection_init payload.
   */
  credentialPlace?(name: string): string;
  /** Where a keyed run reports what it sends and learns (absent without an idempotency key). */
  progress?: RunProgress;
}

/** Caps how many upstream calls one GraphQL request may make, so it cannot fan out without bound. */
export interface CallBudget {
  /** The most calls the operation may make. */
  readonly limit: number;
  /** Calls still allowed. */
  readonly remaining: number;
  /** Reserves `count` calls up front, or throws a GatewayError (INVALID_ARGUMENT) before anything is sent. */
  reserve(count: number): void;
  /** Reserves `count` calls if the budget allows; false (and nothing reserved) otherwise. */
  tryReserve(count: number): boolean;
}
