import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '@opentelemetry/api';
import { endOperationSpan, nameOperationSpan } from './operation-span.js';

/**
 * Completes the span of each GraphQL operation through Apollo Server's plugin hooks: names it once the
 * operation is resolved, and ends it when the answer leaves, with the answer's error codes and HTTP
 * status. The span itself is started with the operation's context (`trace`), before Apollo parses the
 * request, so that everything the operation calls is under it; a request Apollo refuses before any
 * hook runs (no query, say) leaves its span unended, and it is never exported.
 */
export function operationSpanPlugin<TContext extends { trace?: Context }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const { trace } = contextValue;
      if (!trace) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (operation) nameOperationSpan(trace, operation.operation, operationName);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          endOperationSpan(trace, errors, response.http.status ?? 200);
        },
      };
    },
  };
}
