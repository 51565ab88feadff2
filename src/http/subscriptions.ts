import type { FastifyRequest } from 'fastify';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import type { RequestContext } from '../context.js';
import type { CallerInput } from './request-context.js';

/** Subscriptions one connection may hold at once: each one polls the upstream. */
const MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;

/** What {@link subscriptionHandler} needs: the schema, the same document rules as HTTP, the caller check. */
export interface SubscriptionOptions {
  schema: GraphQLSchema;
  validationRules: readonly ValidationRule[];
  /** The same document token limit as over HTTP. */
  maxTokens: number;
  /** Checks an API key; undefined when callers need none. */
  authenticate?: (authorization: string | undefined) => string | undefined;
  contextFor(input: CallerInput): RequestContext;
  formatError(error: GraphQLError): ReturnType<GraphQLError['toJSON']>;
  keepAliveMs?: number;
}

function param(params: Record<string, unknown> | undefined, name: string): string | undefined {
  const entry = Object.entries(params ?? {}).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' && entry[1].trim() !== '' ? entry[1].trim() : undefined;
}

/**
 * graphql-transport-ws on the /graphql path, for subscriptions only: queries and mutations keep to
 * HTTP, where body limits, CSRF protection and status codes apply. Browsers cannot set headers on a
 * WebSocket, so the API key and upstream tokens may come in the connection_init payload
 * (`{ authorization, "x-smh-access-token", "x-acs-dingtalk-access-token" }`) or the upgrade's headers.
 */
export function subscriptionHandler(options: SubscriptionOptions) {
  const credentialsOf =
    (request: FastifyRequest, params: Record<string, unknown> | undefined) => (name: string) =>
      param(params, name) ??
      (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);

  return makeHandler<Record<string, unknown>, { caller?: string; active?: Set<string> }>(
    {
      schema: options.schema,
      parse: (source) => parse(source, { maxTokens: options.maxTokens }),
      onSubscribe: (ctx, id) => {
        const active = (ctx.extra.active ??= new Set());
        if (active.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return [
            new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection.`),
          ];
        }
        active.add(id);
      },
      onComplete: (ctx, id) => {
        ctx.extra.active?.delete(id);
      },
      onConnect: (ctx) => {
        if (!options.authenticate) return true;
        const caller = options.authenticate(
          credentialsOf(ctx.extra.request, ctx.connectionParams)('authorization'),
        );
        if (!caller) return false; // closes with 4403 Forbidden
        ctx.extra.caller = caller;
        return true;
      },
      validate: (schema, document) => {
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length > 0) return errors;
        const operation = getOperationAST(document);
        if (operation?.operation !== 'subscription' || operation.kind !== Kind.OPERATION_DEFINITION) {
          return [
            new GraphQLError(
              'Only subscriptions run over WebSocket; send queries and mutations with HTTP POST.',
            ),
          ];
        }
        return [];
      },
      context: (ctx) => {
        const credential = credentialsOf(ctx.extra.request, ctx.connectionParams);
        return options.contextFor({
          log: ctx.extra.request.log,
          caller: ctx.extra.caller,
          credential: (name) => credential(name),
        });
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => ({
          ...error.toJSON(),
          extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
        })),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map(options.formatError) } : undefined,
    },
    options.keepAliveMs,
  );
}
