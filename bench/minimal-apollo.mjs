// A reference point, not a product: the least an Apollo Server 5 + Fastify service can do for the bench's
// two copy mutations — one resolver, one undici call over a keep-alive Pool, the upstream's items mapped to
// the same answer shape the gateway gives. No API keys, validation of our own, metrics, logging, breaker,
// rate limits, tokens (the canned ones are sent), task ids or deadlines; Apollo's cache-control plugin off.
// Measured beside the gateway (`npm run bench -- --compare bench/minimal-apollo.mjs --only smh,dingtalk`),
// it shows how much of the gap to the bare proxy is Apollo + Fastify themselves and how much the gateway's.
// Reads the gateway's own variables: PORT, HOST, SMH_BASE_URL, DINGTALK_BASE_URL; serves /graphql, /readyz.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify from 'fastify';
import { Pool } from 'undici';

const typeDefs = /* GraphQL */ `
  type Query {
    ok: Boolean!
  }
  type Mutation {
    batchCopy(input: BatchCopyInput!): BatchCopyResult
  }
  input BatchCopyInput @oneOf {
    smh: SmhBatchCopyInput
    dingtalk: DingTalkBatchCopyInput
  }
  input SmhBatchCopyInput {
    libraryId: String!
    spaceId: String = "-"
    items: [SmhCopyItemInput!]!
  }
  input SmhCopyItemInput {
    from: String!
    to: String!
  }
  input DingTalkBatchCopyInput {
    spaceId: String!
    unionId: String!
    targetSpaceId: String!
    targetFolderId: String!
    dentryIds: [String!]!
  }
  enum CopyItemStatus {
    SUCCEEDED
    FAILED
  }
  type CopyItemResult {
    index: Int!
    status: CopyItemStatus!
    result: String
  }
  type CopySummary {
    total: Int!
    succeeded: Int!
    failed: Int!
  }
  interface CopyOutcome {
    items: [CopyItemResult!]!
    summary: CopySummary!
  }
  type CopySucceeded implements CopyOutcome {
    items: [CopyItemResult!]!
    summary: CopySummary!
  }
  type CopyPartiallyFailed implements CopyOutcome {
    items: [CopyItemResult!]!
    summary: CopySummary!
  }
  union BatchCopyResult = CopySucceeded | CopyPartiallyFailed
`;

const pools = new Map();
const poolFor = (origin) => {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
    pools.set(origin, pool);
  }
  return pool;
};
const seg = encodeURIComponent;

/** The union member and summary of a list of items. */
function outcome(items) {
  const succeeded = items.filter((item) => item.status === 'SUCCEEDED').length;
  return {
    __typename: succeeded === items.length ? 'CopySucceeded' : 'CopyPartiallyFailed',
    items,
    summary: { total: items.length, succeeded, failed: items.length - succeeded },
  };
}

async function smhCopy({ libraryId, spaceId, items }) {
  const answer = await poolFor(process.env.SMH_BASE_URL).request({
    method: 'POST',
    path: `/api/v1/batch/${seg(libraryId)}/${seg(spaceId)}?copy=1&access_token=canned-smh-token`,
    headers: { accept: 'application/json', 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(
      items.map((i) => ({ copyFrom: i.from, to: i.to, conflictResolutionStrategy: 'ask' })),
    ),
  });
  const { result } = await answer.body.json();
  return outcome(
    result.map((item, index) => ({
      index,
      status: item.status === 200 ? 'SUCCEEDED' : 'FAILED',
      result: item.path?.join('/') ?? null,
    })),
  );
}

async function dingTalkCopy({ spaceId, unionId, targetSpaceId, targetFolderId, dentryIds }) {
  const answer = await poolFor(process.env.DINGTALK_BASE_URL).request({
    method: 'POST',
    path: `/v1.0/storage/spaces/${seg(spaceId)}/dentries/batchCopy?unionId=${seg(unionId)}`,
    headers: {
      accept: 'application/json',
      'content-type': 'application/json; charset=utf-8',
      'x-acs-dingtalk-access-token': 'canned-dingtalk-token',
    },
    body: JSON.stringify({
      targetSpaceId,
      targetFolderId,
      dentryIds,
      option: { conflictStrategy: 'RETURN_ERROR_IF_EXISTS' },
    }),
  });
  const { resultItems } = await answer.body.json();
  return outcome(
    resultItems.map((item, index) => ({
      index,
      status: item.success ? 'SUCCEEDED' : 'FAILED',
      result: item.targetDentryId ?? null,
    })),
  );
}

const resolvers = {
  Query: { ok: () => true },
  Mutation: {
    batchCopy: (_root, { input }) => (input.smh ? smhCopy(input.smh) : dingTalkCopy(input.dingtalk)),
  },
};

const app = Fastify();
const apollo = new ApolloServer({
  typeDefs,
  resolvers,
  plugins: [ApolloServerPluginCacheControlDisabled(), fastifyApolloDrainPlugin(app)],
});
await apollo.start();
await app.register(fastifyApollo(apollo));
app.get('/readyz', async () => ({ ready: true }));
const address = await app.listen({
  port: Number(process.env.PORT ?? 0),
  host: process.env.HOST ?? '127.0.0.1',
});
process.stdout.write(`minimal Apollo listening at ${address}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
