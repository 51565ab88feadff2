import type { ExampleTab } from '../http/graphiql.js';

/** Operations against the demo data the emulators are seeded with; GraphiQL opens with them. */
const OUTCOME_FIELDS = `    __typename
    ... on CopyOutcome {
      provider
      summary { total succeeded failed pending unknown }
      items { index status source target result renamed error { code message retryable } }
    }
    ... on CopyAccepted { task { id state } }
    ... on CopyRejected { error { code message upstream { httpStatus code requestId } } }`;

export const SMH_EXAMPLE = `# Copy two files in the demo SMH library: bar/1.jpg exists, so RENAME gives "bar/1 (1).jpg".
mutation SmhBatchCopy {
  batchCopy(input: { smh: {
    libraryId: "smhdemo"
    conflictStrategy: RENAME
    items: [
      { from: "foo/1.jpg", to: "bar/1.jpg" }
      { from: "foo/2.jpg", to: "bar/2.jpg", conflictStrategy: OVERWRITE }
    ]
  } }) {
${OUTCOME_FIELDS}
  }
}`;

export const DINGTALK_EXAMPLE = `# Copy three files and a non-empty folder in demo DingTalk storage. The folder runs asynchronously:
# follow it with the copyTask query below (the gateway sends the ids in chunks of 3).
mutation DingTalkBatchCopy {
  batchCopy(input: { dingtalk: {
    spaceId: "space-src"
    unionId: "union-demo"
    targetSpaceId: "space-dst"
    targetFolderId: "f-target"
    dentryIds: ["d-file-1", "d-file-2", "d-file-3", "d-folder-1"]
    conflictStrategy: RENAME
  } }) {
${OUTCOME_FIELDS}
  }
}`;

export const TASK_EXAMPLE = `# Paste the task id from a CopyAccepted answer.
query CopyTask($id: ID!) {
  copyTask(id: $id) {
    id provider state done upstreamTaskIds checkedAt
    summary { total succeeded failed pending unknown }
    items { index status source result error { code message } }
  }
}`;

export const WATCH_EXAMPLE = `# Follow a task live (WebSocket): paste the task id from a CopyAccepted answer.
subscription WatchCopyTask($id: ID!) {
  copyTaskUpdated(id: $id) {
    state done checkedAt
    summary { total succeeded failed pending }
  }
}`;

export const DEMO_EXAMPLES: ExampleTab[] = [
  { query: SMH_EXAMPLE },
  { query: DINGTALK_EXAMPLE },
  { query: TASK_EXAMPLE, variables: '{ "id": "" }' },
  { query: WATCH_EXAMPLE, variables: '{ "id": "" }' },
];
