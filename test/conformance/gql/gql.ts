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
    "\n  mutation ConformanceBatchCopy($input: BatchCopyInput!) {\n    batchCopy(input: $input) {\n      __typename\n      ... on CopyOutcome {\n        provider\n        items {\n          index\n          status\n          source\n          target\n          result\n          renamed\n          error {\n            code\n            message\n            retryable\n            upstream {\n              provider\n              httpStatus\n              code\n            }\n          }\n        }\n        summary {\n          total\n          succeeded\n          failed\n          pending\n          unknown\n        }\n      }\n      ... on CopyAccepted {\n        task {\n          id\n          state\n        }\n      }\n      ... on CopyRejected {\n        error {\n          code\n          message\n          retryable\n        }\n      }\n    }\n  }\n": typeof types.ConformanceBatchCopyDocument,
    "\n  query ConformanceTwoTasks($a: ID!, $b: ID!) {\n    a: copyTask(id: $a) {\n      id\n      provider\n      state\n      done\n      summary {\n        total\n        succeeded\n        failed\n        pending\n        unknown\n      }\n    }\n    b: copyTask(id: $b) {\n      id\n      state\n      done\n    }\n    again: copyTask(id: $a) {\n      state\n    }\n  }\n": typeof types.ConformanceTwoTasksDocument,
    "\n  query ConformanceOneTask($id: ID!) {\n    copyTask(id: $id) {\n      id\n      provider\n      state\n      done\n      items {\n        index\n        status\n      }\n    }\n  }\n": typeof types.ConformanceOneTaskDocument,
};
const documents: Documents = {
    "\n  mutation ConformanceBatchCopy($input: BatchCopyInput!) {\n    batchCopy(input: $input) {\n      __typename\n      ... on CopyOutcome {\n        provider\n        items {\n          index\n          status\n          source\n          target\n          result\n          renamed\n          error {\n            code\n            message\n            retryable\n            upstream {\n              provider\n              httpStatus\n              code\n            }\n          }\n        }\n        summary {\n          total\n          succeeded\n          failed\n          pending\n          unknown\n        }\n      }\n      ... on CopyAccepted {\n        task {\n          id\n          state\n        }\n      }\n      ... on CopyRejected {\n        error {\n          code\n          message\n          retryable\n        }\n      }\n    }\n  }\n": types.ConformanceBatchCopyDocument,
    "\n  query ConformanceTwoTasks($a: ID!, $b: ID!) {\n    a: copyTask(id: $a) {\n      id\n      provider\n      state\n      done\n      summary {\n        total\n        succeeded\n        failed\n        pending\n        unknown\n      }\n    }\n    b: copyTask(id: $b) {\n      id\n      state\n      done\n    }\n    again: copyTask(id: $a) {\n      state\n    }\n  }\n": types.ConformanceTwoTasksDocument,
    "\n  query ConformanceOneTask($id: ID!) {\n    copyTask(id: $id) {\n      id\n      provider\n      state\n      done\n      items {\n        index\n        status\n      }\n    }\n  }\n": types.ConformanceOneTaskDocument,
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
export function graphql(source: "\n  mutation ConformanceBatchCopy($input: BatchCopyInput!) {\n    batchCopy(input: $input) {\n      __typename\n      ... on CopyOutcome {\n        provider\n        items {\n          index\n          status\n          source\n          target\n          result\n          renamed\n          error {\n            code\n            message\n            retryable\n            upstream {\n              provider\n              httpStatus\n              code\n            }\n          }\n        }\n        summary {\n          total\n          succeeded\n          failed\n          pending\n          unknown\n        }\n      }\n      ... on CopyAccepted {\n        task {\n          id\n          state\n        }\n      }\n      ... on CopyRejected {\n        error {\n          code\n          message\n          retryable\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConformanceBatchCopy($input: BatchCopyInput!) {\n    batchCopy(input: $input) {\n      __typename\n      ... on CopyOutcome {\n        provider\n        items {\n          index\n          status\n          source\n          target\n          result\n          renamed\n          error {\n            code\n            message\n            retryable\n            upstream {\n              provider\n              httpStatus\n              code\n            }\n          }\n        }\n        summary {\n          total\n          succeeded\n          failed\n          pending\n          unknown\n        }\n      }\n      ... on CopyAccepted {\n        task {\n          id\n          state\n        }\n      }\n      ... on CopyRejected {\n        error {\n          code\n          message\n          retryable\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConformanceTwoTasks($a: ID!, $b: ID!) {\n    a: copyTask(id: $a) {\n      id\n      provider\n      state\n      done\n      summary {\n        total\n        succeeded\n        failed\n        pending\n        unknown\n      }\n    }\n    b: copyTask(id: $b) {\n      id\n      state\n      done\n    }\n    again: copyTask(id: $a) {\n      state\n    }\n  }\n"): (typeof documents)["\n  query ConformanceTwoTasks($a: ID!, $b: ID!) {\n    a: copyTask(id: $a) {\n      id\n      provider\n      state\n      done\n      summary {\n        total\n        succeeded\n        failed\n        pending\n        unknown\n      }\n    }\n    b: copyTask(id: $b) {\n      id\n      state\n      done\n    }\n    again: copyTask(id: $a) {\n      state\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConformanceOneTask($id: ID!) {\n    copyTask(id: $id) {\n      id\n      provider\n      state\n      done\n      items {\n        index\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConformanceOneTask($id: ID!) {\n    copyTask(id: $id) {\n      id\n      provider\n      state\n      done\n      items {\n        index\n        status\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;