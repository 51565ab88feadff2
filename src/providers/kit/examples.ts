/**
 * The selection every provider's example batch copy asks for: the outcome's union member, its items
 * and summary, a CopyAccepted's task and a CopyRejected's error.
 */
export const OUTCOME_SELECTION = `    __typename
    ... on CopyOutcome {
      provider
      summary { total succeeded failed pending unknown }
      items { index status source target result renamed error { code message retryable } }
    }
    ... on CopyAccepted { task { id state } }
    ... on CopyRejected { error { code message upstream { httpStatus code requestId } } }`;
