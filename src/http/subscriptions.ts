import { createHash } from 'node:crypto';
import { ErrorCode } from '../copy/error-codes.js';
import type { FastifyRequest } from 'fastify';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import type { Context, Tracer } from '@opentelemetry/api';
import type { RequestContext } from '../context.js';
import type { Logger } from '../copy/ports.js';
import { logUnexpectedErrors } from '../graphql/errors.js';
import { endOperationSpan, nameOperationSpan, startOperationSpan } from '../tracing/operation-span.js';
import { operationInputErrors } from '../graphql/input-errors.js';
import type { GraphQLPolicy } from '../graphql/policy.js';
import type { FailedAuthCount } from './rate-limit.js';
import type { CallerInput } from './request-context.js';
import type { SubscriptionCaps } from './subscription-caps.js';

/** Subscriptions one connection may hold at once: each one polls the upstream. */
const MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;

/** What {@link subscriptionHandler} needs: the schema, the policy HTTP applies too, the caller check. */
export interface SubscriptionOptions {
  schema: GraphQLSchema;
  /** Parse options, validation rules and error formatting, the same as over HTTP. */
  policy: GraphQLPolicy;
  /** Checks an API key; undefined when callers need none. */
  authenticate?: (authorization: string | undefined) => string | undefined;
  /** Counts a connection whose key failed against its client address, as failed HTTP requests are. */
  failedAuth?: FailedAuthCount;
  contextFor(input: CallerInput): RequestContext;
  /** Caps on live subscriptions per caller and per process. */
  caps: SubscriptionCaps;
  /** Every provider's credential header (lower case), read from connection_init or the upgrade. */
  credentialHeaders: readonly string[];
  keepAliveMs?: number;
  /** Makes a span for each operation when tracing is on (none when unset). */
  tracer?: Tracer;
}

function param(params: Record<string, unknown> | undefined, name: string): string | undefined {
  const entry = Object.entries(params ?? {}).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' && entry[1].trim() !== '' ? entry[1].trim() : undefined;
}

function coded(message: string, code: string, nodes?: GraphQLError['nodes']): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code } });
}

/** One operation of a connection: its request id (`<connectionId>:<n>`) and its logger, bound to it. */
interface Operation {
  requestId: string;
  log: Logger;
  /** The OpenTelemetry context of the operation's span, when tracing is on. */
  trace?: Context;
  /** One error of each code the operation's results carried so far, for its span (tracing only). */
  errors: Map<unknown, GraphQLFormattedError>;
}

/** What the handler keeps per connection (graphql-ws's `ctx.extra`, beside the upgrade request). */
type ConnectionState = {
  caller?: string;
  /** Cap keys of the live subscriptions, by operation id. */
  active?: Map<string, string>;
  /** Subscribe messages so far: numbers the operations. */
  operations?: number;
  /** The operations not yet finished, by the id the client gave them. */
  running?: Map<string, Operation>;
};

/**
 * graphql-transport-ws on the /graphql path, for subscriptions only: queries and mutations keep to
 * HTTP, where body limits, CSRF protection and status codes apply. Browsers cannot set headers on a
 * WebSocket, so the API key and upstream tokens may come in the connection_init payload
 * (`{ authorization, "<each provider's credential header>": token }`) or the upgrade's headers.
 * Every subscribe message goes through the same steps as an HTTP request, each error with its code:
 * parse (`GRAPHQL_PARSE_FAILED`), validate (`GRAPHQL_VALIDATION_FAILED`), subscriptions only
 * (`BAD_REQUEST`), variables and arguments (`BAD_USER_INPUT`).
 */
export function subscriptionHandler(options: SubscriptionOptions) {
  const { policy, schema } = options;
  const credentialsOf =
    (request: FastifyRequest, params: Record<string, unknown> | undefined) => (name: string) =>
      param(params, name) ??
      (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
  const format = (error: GraphQLError, operation: Operation | undefined) => {
    const formatted = policy.formatError(error.toJSON(), error);
    return operation
      ? { ...formatted, extensions: { ...formatted.extensions, requestId: operation.requestId } }
      : formatted;
  };
  /**
   * Numbers a new operation of the connection: `<connectionId>:<n>`, the connection id being the
   * upgrade request's id. Its log lines carry that id as `reqId` (and the caller's name, if any).
   */
  const begin = (ctx: { extra: ConnectionState & { request: FastifyRequest } }, id: string): Operation => {
    const { request, caller } = ctx.extra;
    ctx.extra.operations = (ctx.extra.operations ?? 0) + 1;
    const requestId = `${request.id}:${ctx.extra.operations}`;
    const log = request.server.log.child(caller ? { reqId: requestId, caller } : { reqId: requestId });
    const trace = options.tracer ? startOperationSpan(options.tracer, request.headers, requestId) : undefined;
    const operation: Operation = { requestId, log, trace, errors: new Map() };
    (ctx.extra.running ??= new Map()).set(id, operation);
    return operation;
  };
  /** The operation is over (completed, failed, or its connection closed): its span ends. */
  const finish = (state: ConnectionState, id: string, errors: GraphQLFormattedError[] = []) => {
    const operation = state.running?.get(id);
    if (!operation) return;
    state.running?.delete(id);
    if (operation.trace) endOperationSpan(operation.trace, [...operation.errors.values(), ...errors]);
  };

  /**
   * Whose subscriptions count together: the API key's name; without API keys, the upstream tokens
   * the connection carries (a digest, never the token), else the client's address.
   */
  const capKey = (request: FastifyRequest, params: Record<string, unknown> | undefined, caller?: string) => {
    if (caller) return `key:${caller}`;
    const credential = credentialsOf(request, params);
    const tokens = options.credentialHeaders.map((name) => credential(name) ?? '');
    if (tokens.some((token) => token !== '')) {
      return `token:${createHash('sha256').update(tokens.join('\u0000')).digest('base64url')}`;
    }
    return `ip:${request.ip}`;
  };
  const releaseAll = (active: Map<string, string> | undefined) => {
    for (const [id, caller] of active ?? []) {
      active?.delete(id);
      options.caps.release(caller);
    }
  };

  return makeHandler<Record<string, unknown>, ConnectionState>(
    {
      schema,
      onSubscribe: (ctx, id, payload) => {
        const { trace } = begin(ctx, id);
        const active = (ctx.extra.active ??= new Map());
        if (active.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return [
            coded(
              `At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection.`,
              ErrorCode.BAD_REQUEST,
            ),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, policy.parseOptions);
        } catch (error) {
          if (!(error instanceof GraphQLError)) throw error;
          return [coded(error.message, ErrorCode.GRAPHQL_PARSE_FAILED, error.nodes)];
        }
        const invalid = validate(schema, document, [...specifiedRules, ...policy.validationRules]);
        if (invalid.length > 0) {
          policy.describeValidationErrors(document, invalid);
          return invalid.map((e) => coded(e.message, ErrorCode.GRAPHQL_VALIDATION_FAILED, e.nodes));
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) {
          return [
            coded('Could not pick the operation to run: name one with operationName.', ErrorCode.BAD_REQUEST),
          ];
        }
        if (trace) nameOperationSpan(trace, operation.operation, operation.name?.value);
        if (operation.operation !== 'subscription') {
          return [
            coded(
              'Only subscriptions run over WebSocket; send queries and mutations with HTTP POST.',
              ErrorCode.BAD_REQUEST,
            ),
          ];
        }
        const inputErrors = operationInputErrors(schema, document, operation, payload.variables ?? undefined);
        if (inputErrors) return inputErrors.errors;
        const caller = capKey(ctx.extra.request, ctx.connectionParams, ctx.extra.caller);
        const full = options.caps.take(caller);
        if (full) return [coded(full, 'TOO_MANY_SUBSCRIPTIONS')];
        active.set(id, caller);
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
        };
      },
      onComplete: (ctx, id) => {
        finish(ctx.extra, id);
        const caller = ctx.extra.active?.get(id);
        if (caller === undefined) return;
        ctx.extra.active?.delete(id);
        options.caps.release(caller);
      },
      // A closed connection gives back every place it still held.
      onClose: (ctx) => {
        releaseAll(ctx.extra.active);
        for (const id of [...(ctx.extra.running?.keys() ?? [])]) finish(ctx.extra, id);
      },
      onConnect: (ctx) => {
        if (!options.authenticate) return true;
        const caller = options.authenticate(
          credentialsOf(ctx.extra.request, ctx.connectionParams)('authorization'),
        );
        if (caller) {
          ctx.extra.caller = caller;
          return true;
        }
        // Closes with 4403 Forbidden, over the limit or not; the attempt counts like a failed HTTP one.
        if (!options.failedAuth) return false;
        return options.failedAuth(ctx.extra.request).then(
          () => false,
          () => false,
        );
      },
      context: (ctx, id) => {
        const credential = credentialsOf(ctx.extra.request, ctx.connectionParams);
        const operation = ctx.extra.running?.get(id) ?? begin(ctx, id);
        return options.contextFor({
          log: operation.log,
          requestId: operation.requestId,
          trace: operation.trace,
          caller: ctx.extra.caller,
          credential: (name) => credential(name),
          credentialPlace: (name) => `the "${name}" field of the connection_init payload`,
        });
      },
      // Errors of onSubscribe's checks, or of a subscription that broke off: the operation ends here.
      onError: (ctx, id, _payload, errors) => {
        const operation = ctx.extra.running?.get(id);
        if (operation) logUnexpectedErrors(operation.log, errors);
        const formatted = errors.map((error) => format(error, operation));
        finish(ctx.extra, id, formatted);
        return formatted;
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if (!result.errors) return undefined;
        const operation = ctx.extra.running?.get(id);
        if (operation) logUnexpectedErrors(operation.log, result.errors);
        const errors = result.errors.map((error) => format(error, operation));
        if (operation?.trace) for (const e of errors) operation.errors.set(e.extensions?.code, e);
        return { ...result, errors };
      },
    },
    options.keepAliveMs,
  );
}
