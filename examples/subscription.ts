/**
 * Follow a copy task live over WebSocket (graphql-ws, the graphql-transport-ws protocol) on the same
 * /graphql path: the gateway emits the task at once, on every change, and completes when it is done.
 */
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { graphql } from './gql/index.js';
import type { WatchTaskSubscription } from './gql/graphql.js';

const WatchTask = graphql(`
  subscription WatchTask($id: ID!) {
    copyTaskUpdated(id: $id) {
      state
      done
      summary {
        total
        succeeded
        pending
      }
    }
  }
`);

type TaskUpdate = WatchTaskSubscription['copyTaskUpdated'];

/**
 * Every update of task `id` until it is done. `url` is the gateway's (e.g. `http://127.0.0.1:4000`);
 * `apiKey`, when it requires one, goes in the connection_init payload, as browsers cannot set headers.
 */
export async function followTask(url: string, id: string, apiKey?: string): Promise<TaskUpdate[]> {
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    // Node 22 and later have a global WebSocket; the `ws` package serves Node 20 too.
    webSocketImpl: WebSocket,
    connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  });
  const updates: TaskUpdate[] = [];
  try {
    const stream = client.iterate<WatchTaskSubscription>({ query: print(WatchTask), variables: { id } });
    for await (const { data, errors } of stream) {
      if (errors) throw new Error(errors.map((error) => error.message).join('; '));
      updates.push(data!.copyTaskUpdated);
    }
  } finally {
    await client.dispose();
  }
  return updates;
}
