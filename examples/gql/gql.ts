/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CopyDentries($input: DingTalkBatchCopyInput!) {\n    batchCopy(input: { dingtalk: $input }) {\n      __typename\n      ... on CopyOutcome {\n        provider\n        summary {\n          total\n          succeeded\n          pending\n          failed\n        }\n      }\n      ... on CopyAccepted {\n        task {\n          id\n        }\n      }\n      ... on CopyRejected {\n        error {\n          code\n          message\n        }\n      }\n    }\n  }\n": typeof types.CopyDentriesDocument,
    "\n  query Task($id: ID!) {\n    copyTask(id: $id) {\n      id\n      state\n      done\n      summary {\n        total\n        succeeded\n        failed\n      }\n    }\n  }\n": typeof types.TaskDocument,
    "\n  subscription WatchTask($id: ID!) {\n    copyTaskUpdated(id: $id) {\n      state\n      done\n      summary {\n        total\n        succeeded\n        pending\n      }\n    }\n  }\n": typeof types.WatchTaskDocument,
    "\n  mutation CopyFiles($libraryId: NonEmptyString!, $items: [SmhCopyItemInput!]!, $idempotencyKey: String) {\n    batchCopy(\n      input: {\n        smh: {\n          libraryId: $libraryId\n          items: $items\n          conflictStrategy: RENAME\n          idempotencyKey: $idempotencyKey\n        }\n      }\n    ) {\n      __typename\n      ... on CopyOutcome {\n        summary {\n          total\n          succeeded\n          failed\n          unknown\n        }\n        items {\n          index\n          status\n          source\n          result\n          renamed\n          error {\n            code\n            message\n            retryable\n          }\n        }\n      }\n    }\n  }\n": typeof types.CopyFilesDocument,
};
const documents: Documents = {
    "\n  mutation CopyDentries($input: DingTalkBatchCopyInput!) {\n    batchCopy(input: { dingtalk: $input }) {\n      __typename\n      ... on CopyOutcome {\n        provider\n        summary {\n          total\n          succeeded\n          pending\n          failed\n        }\n      }\n      ... on CopyAccepted {\n        task {\n          id\n        }\n      }\n      ... on CopyRejected {\n        error {\n          code\n          message\n        }\n      }\n    }\n  }\n": types.CopyDentriesDocument,
    "\n  query Task($id: ID!) {\n    copyTask(id: $id) {\n      id\n      state\n      done\n      summary {\n        total\n        succeeded\n        failed\n      }\n    }\n  }\n": types.TaskDocument,
    "\n  subscription WatchTask($id: ID!) {\n    copyTaskUpdated(id: $id) {\n      state\n      done\n      summary {\n        total\n        succeeded\n        pending\n      }\n    }\n  }\n": types.WatchTaskDocument,
    "\n  mutation CopyFiles($libraryId: NonEmptyString!, $items: [SmhCopyItemInput!]!, $idempotencyKey: String) {\n    batchCopy(\n      input: {\n        smh: {\n          libraryId: $libraryId\n          items: $items\n          conflictStrategy: RENAME\n          idempotencyKey: $idempotencyKey\n        }\n      }\n    ) {\n      __typename\n      ... on CopyOutcome {\n        summary {\n          total\n          succeeded\n          failed\n          unknown\n        }\n        items {\n          index\n          status\n          source\n          result\n          renamed\n          error {\n            code\n            message\n            retryable\n          }\n        }\n      }\n    }\n  }\n": types.CopyFilesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CopyDentries($input: DingTalkBatchCopyInput!) {\n    batchCopy(input: { dingtalk: $input }) {\n      __typename\n      ... on CopyOutcome {\n        provider\n        summary {\n          total\n          succeeded\n          pending\n          failed\n        }\n      }\n      ... on CopyAccepted {\n        task {\n          id\n        }\n      }\n      ... on CopyRejected {\n        error {\n          code\n          message\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CopyDentries($input: DingTalkBatchCopyInput!) {\n    batchCopy(input: { dingtalk: $input }) {\n      __typename\n      ... on CopyOutcome {\n        provider\n        summary {\n          total\n          succeeded\n          pending\n          failed\n        }\n      }\n      ... on CopyAccepted {\n        task {\n          id\n        }\n      }\n      ... on CopyRejected {\n        error {\n          code\n          message\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Task($id: ID!) {\n    copyTask(id: $id) {\n      id\n      state\n      done\n      summary {\n        total\n        succeeded\n        failed\n      }\n    }\n  }\n"): (typeof documents)["\n  query Task($id: ID!) {\n    copyTask(id: $id) {\n      id\n      state\n      done\n      summary {\n        total\n        succeeded\n        failed\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchTask($id: ID!) {\n    copyTaskUpdated(id: $id) {\n      state\n      done\n      summary {\n        total\n        succeeded\n        pending\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription WatchTask($id: ID!) {\n    copyTaskUpdated(id: $id) {\n      state\n      done\n      summary {\n        total\n        succeeded\n        pending\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CopyFiles($libraryId: NonEmptyString!, $items: [SmhCopyItemInput!]!, $idempotencyKey: String) {\n    batchCopy(\n      input: {\n        smh: {\n          libraryId: $libraryId\n          items: $items\n          conflictStrategy: RENAME\n          idempotencyKey: $idempotencyKey\n        }\n      }\n    ) {\n      __typename\n      ... on CopyOutcome {\n        summary {\n          total\n          succeeded\n          failed\n          unknown\n        }\n        items {\n          index\n          status\n          source\n          result\n          renamed\n          error {\n            code\n            message\n            retryable\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CopyFiles($libraryId: NonEmptyString!, $items: [SmhCopyItemInput!]!, $idempotencyKey: String) {\n    batchCopy(\n      input: {\n        smh: {\n          libraryId: $libraryId\n          items: $items\n          conflictStrategy: RENAME\n          idempotencyKey: $idempotencyKey\n        }\n      }\n    ) {\n      __typename\n      ... on CopyOutcome {\n        summary {\n          total\n          succeeded\n          failed\n          unknown\n        }\n        items {\n          index\n          status\n          source\n          result\n          renamed\n          error {\n            code\n            message\n            retryable\n          }\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;