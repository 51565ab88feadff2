// What a benchmark run sends: for each scenario, the gateway's GraphQL request and the bare proxy's
// request that makes the same upstream call, and how to tell that an answer is the right one.
import { request } from 'undici';

export const API_KEY = 'bench-api-key-0123456789abcdef';
export const SMH_LIBRARY = 'benchlib';
export const SMH_TOKEN = 'canned-smh-token';
export const DINGTALK_TOKEN = 'canned-dingtalk-token';
export const TASK_LOOKUPS = 100;

const OUTCOME = `__typename ... on CopyOutcome { items { index status result } summary { total succeeded failed } }`;
const SMH_COPY = `mutation BenchSmhCopy($input: SmhBatchCopyInput!) { batchCopy(input: { smh: $input }) { ${OUTCOME} } }`;
const DINGTALK_COPY = `mutation BenchDingTalkCopy($input: DingTalkBatchCopyInput!) { batchCopy(input: { dingtalk: $input }) { ${OUTCOME} } }`;
const SMH_ITEMS = [1, 2, 3].map((n) => ({ from: `src/${n}.jpg`, to: `bench/copy-${n}.jpg` }));
const DINGTALK_INPUT = {
  spaceId: 'space-src',
  unionId: 'union-bench',
  targetSpaceId: 'space-dst',
  targetFolderId: 'folder-bench',
  dentryIds: ['dentry-1', 'dentry-2', 'dentry-3'],
};

const gatewayHeaders = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };

/** One HTTP request as the load generator sends it. */
const post = (path, headers, body) => ({ path, headers, body: JSON.stringify(body) });

/** The environment of a gateway as a user runs it in production: managed credentials, API keys, defaults. */
export function gatewayEnv(port, upstream) {
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    SMH_BASE_URL: upstream,
    SMH_LIBRARY_ID: SMH_LIBRARY,
    SMH_LIBRARY_SECRET: 'bench-library-secret',
    DINGTALK_BASE_URL: upstream,
    DINGTALK_APP_KEY: 'bench-app-key',
    DINGTALK_APP_SECRET: 'bench-app-secret',
    GATEWAY_API_KEYS: `bench:${API_KEY}`,
    // Managed credentials sign task ids: the gateway refuses to start without a secret.
    TASK_ID_SECRET: 'bench-task-id-secret-0123456789abcdef',
    // The caller rate limit stays on (its cost is measured) but never refuses the bench's one caller:
    // the default (5,000 requests per second per caller) is below what the proxy side is driven at.
    RATE_LIMIT_MAX: '100000000',
    // 100 copyTask fields in one document need 99 aliases; the default limit is 50.
    GRAPHQL_MAX_ALIASES: String(TASK_LOOKUPS),
    // No load balancer in front: SIGTERM closes at once (stopAll kills after 2 s).
    SHUTDOWN_DELAY_MS: '0',
    // The canned upstream has no rate limit; the bench measures the gateway, not DingTalk's 20 calls/s.
    DINGTALK_MAX_CALLS_PER_SECOND: '0',
  };
}

/** Every item of a batch copy answer succeeded, three of them. */
function copied(json) {
  const outcome = json?.data?.batchCopy;
  return (
    !json.errors &&
    outcome?.__typename === 'CopySucceeded' &&
    outcome.items.length === 3 &&
    outcome.items.every((item) => item.status === 'SUCCEEDED')
  );
}

/** Each scenario: gateway and proxy requests, a substring every good answer holds, a full check. */
export function scenarios({ ids: taskIds, upstreamIds }) {
  const taskQuery =
    'query BenchTasks { ' +
    taskIds.map((id, i) => `t${i}: copyTask(id: ${JSON.stringify(id)}) { ...Task }`).join(' ') +
    ' } fragment Task on CopyTask { id state done summary { total succeeded } items { index status result } }';
  return {
    smh: {
      title: 'SMH batch copy of 3 files',
      upstreamCount: 'smhBatch',
      gateway: post('/graphql', gatewayHeaders, {
        query: SMH_COPY,
        variables: { input: { libraryId: SMH_LIBRARY, items: SMH_ITEMS } },
      }),
      proxy: post(
        '/smh',
        { 'content-type': 'application/json', 'x-smh-access-token': SMH_TOKEN },
        { libraryId: SMH_LIBRARY, spaceId: '-', items: SMH_ITEMS },
      ),
      expect: { gateway: '"CopySucceeded"', proxy: '"result"' },
      check: { gateway: copied, proxy: (json) => json?.result?.length === 3 },
    },
    dingtalk: {
      title: 'DingTalk batch copy of 3 dentries',
      upstreamCount: 'dingTalkBatch',
      gateway: post('/graphql', gatewayHeaders, {
        query: DINGTALK_COPY,
        variables: { input: DINGTALK_INPUT },
      }),
      proxy: post(
        '/dingtalk',
        { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': DINGTALK_TOKEN },
        DINGTALK_INPUT,
      ),
      expect: { gateway: '"CopySucceeded"', proxy: '"resultItems"' },
      check: { gateway: copied, proxy: (json) => json?.resultItems?.length === 3 },
    },
    tasks: {
      title: `copyTask × ${taskIds.length} SMH tasks in one request`,
      upstreamCount: 'smhTasks',
      gateway: post('/graphql', gatewayHeaders, { query: taskQuery }),
      proxy: post(
        '/tasks',
        { 'content-type': 'application/json', 'x-smh-access-token': SMH_TOKEN },
        { libraryId: SMH_LIBRARY, spaceId: 'async', taskIds: upstreamIds },
      ),
      expect: { gateway: `"t${taskIds.length - 1}"`, proxy: '"taskId"' },
      check: {
        gateway: (json) =>
          !json.errors &&
          Object.keys(json?.data ?? {}).length === taskIds.length &&
          Object.values(json.data).every((task) => task?.state === 'SUCCEEDED' && task.done === true),
        proxy: (json) => Array.isArray(json) && json.length === taskIds.length,
      },
    },
  };
}

/** POSTs one scenario request to `origin` and parses the answer. */
export async function send(origin, { path, headers, body }) {
  const response = await request(origin + path, { method: 'POST', headers, body });
  const text = await response.body.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, text, json };
}

/**
 * Makes `count` SMH copies that the canned upstream runs as tasks (space `async` answers 202) and
 * returns the gateway's task ids for them and the upstream task ids they stand for.
 */
export async function makeTaskIds(gateway, count) {
  const query =
    'mutation BenchTask($input: SmhBatchCopyInput!) { batchCopy(input: { smh: $input }) { __typename ... on CopyAccepted { task { id upstreamTaskIds } } } }';
  const ids = [];
  const upstreamIds = [];
  for (let i = 0; i < count; i++) {
    const answer = await send(gateway, {
      path: '/graphql',
      headers: gatewayHeaders,
      body: JSON.stringify({
        query,
        variables: {
          input: {
            libraryId: SMH_LIBRARY,
            spaceId: 'async',
            items: [{ from: 'src/1.jpg', to: `bench/t-${i}.jpg` }],
          },
        },
      }),
    });
    const task = answer.json?.data?.batchCopy?.task;
    if (typeof task?.id !== 'string')
      throw new Error(`no task id from the gateway: ${answer.text.slice(0, 300)}`);
    ids.push(task.id);
    upstreamIds.push(...task.upstreamTaskIds);
  }
  return { ids, upstreamIds };
}
