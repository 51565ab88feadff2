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
  type GraphQLSchema,
} from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import type { RequestContext } from '../context.js';
import { operationInputErrors } from '../graphql/input-errors.js';
import type { GraphQLPolicy } from '../graphql/policy.js';
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
  contextFor(input: CallerInput): RequestContext;
  /** Caps on live subscriptions per caller and per process. */
  caps: SubscriptionCaps;
  /** Every provider's credential header (lower case), read from connection_init or the upgrade. */
  credentialHeaders: readonly string[];
  keepAliveMs?: number;
}

function param(params: Record<string, unknown> | undefined, name: string): string | undefined {
  const entry = Object.entries(params ?? {}).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' && entry[1].trim() !== '' ? entry[1].trim() : undefined;
}

function coded(message: string, code: string, nodes?: GraphQLError['nodes']): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code } });
}

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
  const format = (error: GraphQLError) => policy.formatError(error.toJSON(), error);

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

  return makeHandler<Record<string, unknown>, { caller?: string; active?: Map<string, string> }>(
    {
      schema,
      onSubscribe: (ctx, id, payload) => {
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
        const caller = ctx.extra.active?.get(id);
        if (caller === undefined) return;
        ctx.extra.active?.delete(id);
        options.caps.release(caller);
      },
      // A closed connection gives back every place it still held.
      onClose: (ctx) => releaseAll(ctx.extra.active),
      onConnect: (ctx) => {
        if (!options.authenticate) return true;
        const caller = options.authenticate(
          credentialsOf(ctx.extra.request, ctx.connectionParams)('authorization'),
        );
        if (!caller) return false; // closes with 4403 Forbidden
        ctx.extra.caller = caller;
        return true;
      },
      context: (ctx) => {
        const credential = credentialsOf(ctx.extra.request, ctx.connectionParams);
        return options.contextFor({
          log: ctx.extra.request.log,
          caller: ctx.extra.caller,
          credential: (name) => credential(name),
          credentialPlace: (name) => `the "${name}" field of the connection_init payload`,
        });
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(format),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map(format) } : undefined,
    },
    options.keepAliveMs,
  );
}
