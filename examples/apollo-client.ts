/**
 * Apollo Client against the gateway: start a DingTalk batch copy, then poll its task until it is done.
 * The cache needs `possibleTypes` (generated from the schema) to match fragments on the `CopyOutcome`
 * interface and the `BatchCopyResult` union.
 */
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { graphql } from './gql/index.js';
import type { DingTalkBatchCopyInput, TaskQuery } from './gql/graphql.js';
import introspection from './generated/possible-types.js';

const CopyDentries = graphql(`
  mutation CopyDentries($input: DingTalkBatchCopyInput!) {
    batchCopy(input: { dingtalk: $input }) {
      __typename
      ... on CopyOutcome {
        provider
        summary {
          total
          succeeded
          pending
          failed
        }
      }
      ... on CopyAccepted {
        task {
          id
        }
      }
      ... on CopyRejected {
        error {
          code
          message
        }
      }
    }
  }
`);

const Task = graphql(`
  query Task($id: ID!) {
    copyTask(id: $id) {
      id
      state
      done
      summary {
        total
        succeeded
        failed
      }
    }
  }
`);

type CopyTask = NonNullable<TaskQuery['copyTask']>;

/** A client for the gateway at `url` (e.g. `http://127.0.0.1:4000`); `apiKey` when it requires one. */
export function createGatewayClient(url: string, apiKey?: string): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({
      uri: `${url}/graphql`,
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    }),
    cache: new InMemoryCache({ possibleTypes: introspection.possibleTypes }),
  });
}

/** Starts the copy; answers the outcome's typename, its summary and, when accepted, the task id. */
export async function startCopy(client: ApolloClient, input: DingTalkBatchCopyInput) {
  const { data } = await client.mutate({ mutation: CopyDentries, variables: { input } });
  // batchCopy is null only next to a GraphQL error, which Apollo Client's default errorPolicy throws.
  const outcome = data?.batchCopy;
  if (!outcome) throw new Error('batchCopy answered null');
  if (outcome.__typename === 'CopyRejected')
    throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return {
    outcome: outcome.__typename,
    summary: outcome.summary,
    taskId: outcome.__typename === 'CopyAccepted' ? outcome.task.id : undefined,
  };
}

/** Polls `copyTask` every `pollMs` until the task is done; answers its last state. */
export function waitForTask(client: ApolloClient, id: string, pollMs = 1000): Promise<CopyTask> {
  return new Promise((resolve, reject) => {
    const watch = client.watchQuery({
      query: Task,
      variables: { id },
      pollInterval: pollMs,
      fetchPolicy: 'network-only',
    });
    const subscription = watch.subscribe({
      next: (result) => {
        if (result.error) {
          subscription.unsubscribe();
          reject(result.error);
        } else if (result.dataState === 'complete') {
          const task = result.data.copyTask;
          if (task === null) {
            subscription.unsubscribe();
            reject(new Error(`task ${id} is unknown upstream`));
          } else if (task.done) {
            subscription.unsubscribe();
            resolve(task);
          }
        }
      },
      error: reject,
    });
  });
}
