import { GraphQLScalarType, Kind, parse } from 'graphql';
import { DateTimeResolver, NonEmptyStringResolver, PositiveIntResolver } from 'graphql-scalars';
import type { Resolvers } from '../generated/resolvers.js';
import { summarize } from '../copy/summary.js';
import { commonTypeDefs } from './schema.js';
import type { CopyOutcome, CopyTask } from '../copy/types.js';

const UNION_MEMBER = {
  succeeded: 'CopySucceeded',
  partiallyFailed: 'CopyPartiallyFailed',
  accepted: 'CopyAccepted',
  rejected: 'CopyRejected',
} as const satisfies Record<CopyOutcome['kind'], string>;

/** The descriptions of the scalars the common SDL declares, by name. */
const scalarDescriptions = new Map(
  parse(commonTypeDefs()).definitions.flatMap((d) =>
    d.kind === Kind.SCALAR_TYPE_DEFINITION ? [[d.name.value, d.description?.value] as const] : [],
  ),
);

/** A graphql-scalars implementation described by the SDL's text, which is the documentation. */
function scalar(implementation: GraphQLScalarType): GraphQLScalarType {
  const { specifiedByURL: _url, astNode: _ast, ...config } = implementation.toConfig();
  return new GraphQLScalarType({ ...config, description: scalarDescriptions.get(config.name) });
}

const outcomeFields = { summary: (outcome: CopyOutcome) => summarize(outcome.items) };

/** Thin resolvers: the copy service does the work, these only pick types and derive fields. */
export const resolvers: Resolvers = {
  DateTime: scalar(DateTimeResolver),
  NonEmptyString: scalar(NonEmptyStringResolver),
  PositiveInt: scalar(PositiveIntResolver),
  Mutation: {
    batchCopy: (_root, { input }, context) => context.copy.batchCopy(input, context),
  },
  Query: {
    copyTask: (_root, { id }, context) => context.copy.loadTask(id, context),
    node: (_root, { id }, context) => context.copy.loadTask(id, context),
  },
  Subscription: {
    copyTaskUpdated: {
      subscribe: (_root, { id }, context) => context.copy.watchTask(id, context, context.watch),
      resolve: (update: CopyTask | Error) => {
        if (update instanceof Error) throw update;
        return update;
      },
    },
  },
  Node: { __resolveType: () => 'CopyTask' },
  CopyOutcome: { __resolveType: (outcome) => UNION_MEMBER[outcome.kind] },
  BatchCopyResult: { __resolveType: (outcome) => UNION_MEMBER[outcome.kind] },
  CopySucceeded: outcomeFields,
  CopyPartiallyFailed: outcomeFields,
  CopyRejected: {
    ...outcomeFields,
    error: (outcome) => (outcome.kind === 'rejected' ? outcome.error : unreachable(outcome.kind)),
  },
  CopyAccepted: {
    ...outcomeFields,
    task: (outcome) => (outcome.kind === 'accepted' ? outcome.task : unreachable(outcome.kind)),
  },
};

function unreachable(kind: string): never {
  throw new Error(`resolver for a ${kind} outcome reached the wrong union member`);
}
