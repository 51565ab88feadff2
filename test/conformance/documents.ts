/**
 * The GraphQL documents of the provider conformance suite, typed by GraphQL Code Generator's client
 * preset from schema/*.graphql plus the in-memory test provider's SDL (`npm run codegen` writes gql/).
 * Selections are spelled out rather than spread from fragments: the gateway's depth limit counts
 * fragment spreads as levels.
 */
import { graphql } from './gql/index.js';

/** One batch copy with whatever provider field `input` carries. */
export const BatchCopy = graphql(`
  mutation ConformanceBatchCopy($input: BatchCopyInput!) {
    batchCopy(input: $input) {
      __typename
      ... on CopyOutcome {
        provider
        items {
          index
          status
          source
          target
          result
          renamed
          error {
            code
            message
            retryable
            upstream {
              provider
              httpStatus
              code
            }
          }
        }
        summary {
          total
          succeeded
          failed
          pending
          unknown
        }
      }
      ... on CopyAccepted {
        task {
          id
          state
        }
      }
      ... on CopyRejected {
        error {
          code
          message
          retryable
        }
      }
    }
  }
`);

/** Two copy tasks (and the first again) in one GraphQL request. */
export const TwoTasks = graphql(`
  query ConformanceTwoTasks($a: ID!, $b: ID!) {
    a: copyTask(id: $a) {
      id
      provider
      state
      done
      summary {
        total
        succeeded
        failed
        pending
        unknown
      }
    }
    b: copyTask(id: $b) {
      id
      state
      done
    }
    again: copyTask(id: $a) {
      state
    }
  }
`);

/** One copy task. */
export const OneTask = graphql(`
  query ConformanceOneTask($id: ID!) {
    copyTask(id: $id) {
      id
      provider
      state
      done
      items {
        index
        status
      }
    }
  }
`);
