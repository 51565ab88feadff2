import { ErrorCode } from '../copy/error-codes.js';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { operationInputErrors } from '../graphql/input-errors.js';
import type { GraphQLPolicy } from '../graphql/policy.js';

/**
 * The answer to a subscription sent over HTTP: 400 `BAD_REQUEST`, naming the transport that carries
 * subscriptions.
 */
export function subscriptionOverHttp(path: string): GraphQLError {
  return new GraphQLError(
    `Subscriptions run over WebSocket (the graphql-transport-ws protocol, as the graphql-ws client speaks it) at ${path}; HTTP POST and GET carry queries and mutations only.`,
    { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } } },
  );
}

/**
 * Applies the {@link GraphQLPolicy} to Apollo Server through its plugin hooks: validation errors about
 * a literal value name their place; after the operation is resolved (before execution) a subscription
 * is refused ({@link subscriptionOverHttp}) and argument values that graphql-js would refuse only
 * while executing are answered as a 400 `BAD_USER_INPUT` request error. Variable errors are left to
 * Apollo, which reports every one of them the same way.
 */
export function apolloPolicyPlugin<TContext extends object>(
  policy: GraphQLPolicy,
  path: string,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async validationDidStart({ document }) {
          return async (errors) => {
            if (errors) {
              policy.describeValidationErrors(
                document,
                errors.filter((e) => e instanceof GraphQLError),
              );
            }
          };
        },
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return; // Apollo answers that itself
          if (operation.operation === 'subscription') throw subscriptionOverHttp(path);
          // Apollo coerces the variables right after this hook and reports their errors itself;
          // coercing them here as well would double the cost of large inputs (100,000 items: ~300 ms each).
          const found = operationInputErrors(schema, document, operation, request.variables, {
            variables: 'as-sent',
          });
          if (found?.source === 'arguments') throw found.errors[0];
        },
        // Apollo refuses a subscription in a GET itself, before didResolveOperation, as a 405 that
        // names POST; whatever the method, the answer names the transport that carries subscriptions.
        async willSendResponse({ operation, response }) {
          if (operation?.operation !== 'subscription') return;
          const error = subscriptionOverHttp(path);
          response.http.status = 400;
          response.http.headers.delete('allow');
          response.body = {
            kind: 'single',
            singleResult: {
              errors: [{ message: error.message, extensions: { code: ErrorCode.BAD_REQUEST } }],
            },
          };
        },
      };
    },
  };
}
