/**
 * A typed client for a service: documents written with `graphql()` carry their result and variable
 * types (GraphQL Code Generator's client preset), and plain `fetch` sends them. No GraphQL client
 * library needed.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { graphql } from './gql/index.js';

export const CopyFiles = graphql(`
  mutation CopyFiles($libraryId: NonEmptyString!, $items: [SmhCopyItemInput!]!, $idempotencyKey: String) {
    batchCopy(
      input: {
        smh: {
          libraryId: $libraryId
          items: $items
          conflictStrategy: RENAME
          idempotencyKey: $idempotencyKey
        }
      }
    ) {
      __typename
      ... on CopyOutcome {
        summary {
          total
          succeeded
          failed
          unknown
        }
        items {
          index
          status
          source
          result
          renamed
          error {
            code
            message
            retryable
          }
        }
      }
    }
  }
`);

/** Sends one typed operation to the gateway at `url`; answers its data, or throws its errors. */
export async function request<Result, Variables>(
  url: string,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  headers: Record<string, string> = {},
): Promise<Result> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) {
    throw new Error(`HTTP ${response.status}: ${body.errors?.map((error) => error.message).join('; ')}`);
  }
  return body.data;
}
