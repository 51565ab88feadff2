import type { ApolloServerPlugin } from '@apollo/server';
import type { CallContext } from '../copy/call.js';
import { logUnexpectedErrors } from '../graphql/errors.js';

/**
 * Ties Apollo Server's answers to the request's id through its plugin hooks: every error of an
 * operation's answer gets the id in `extensions.requestId` (willSendResponse, after formatError), and
 * unexpected errors are logged on the operation's logger, whose lines carry the id (didEncounterErrors).
 * Answers Apollo gives before an operation starts (a malformed request) pass no plugin hook: the route
 * adds the id to those ({@link addRequestIdToErrors}).
 */
export function requestIdPlugin<
  TContext extends Pick<CallContext, 'log' | 'requestId'>,
>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          logUnexpectedErrors(contextValue.log, errors);
        },
        async willSendResponse({ contextValue, response }) {
          const { requestId } = contextValue;
          if (requestId === undefined || response.body.kind !== 'single') return;
          const { singleResult } = response.body;
          if (singleResult.errors) {
            singleResult.errors = singleResult.errors.map((error) => ({
              ...error,
              extensions: { ...error.extensions, requestId },
            }));
          }
        },
      };
    },
  };
}

/**
 * A JSON answer's text with `requestId` in the `extensions` of each of its top-level errors, or
 * undefined when the text is not a JSON object with an `errors` list, or every error already has one.
 */
export function addRequestIdToErrors(text: string, requestId: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return undefined;
  let added = false;
  for (const error of errors as Array<{ extensions?: Record<string, unknown> } | null>) {
    if (typeof error !== 'object' || error === null || error.extensions?.requestId !== undefined) continue;
    error.extensions = { ...error.extensions, requestId };
    added = true;
  }
  return added ? JSON.stringify(body) : undefined;
}
