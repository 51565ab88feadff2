import { GraphQLError, GraphQLScalarType, Kind, parse, print, type ValueNode } from 'graphql';
import { DateTimeResolver, NonEmptyStringResolver, PositiveIntResolver } from 'graphql-scalars';
import type { Resolvers } from '../generated/resolvers.js';
import { summarize } from '../copy/summary.js';
import { commonTypeDefs } from './schema.js';
import type { CopyOutcome, CopyProgress, CopyTask } from '../copy/types.js';

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

/**
 * `NonEmptyString` checks a value as graphql-scalars does (a string, not empty, not only whitespace),
 * with messages that end in a sentence: graphql-scalars appends the refused value, which reads as
 * stray text when it is empty or blank.
 */
function nonEmptyString(value: unknown, node?: ValueNode): string {
  const refuse = (message: string) => new GraphQLError(message, node ? { nodes: node } : undefined);
  if (typeof value !== 'string') {
    throw refuse(`Value is not a string: ${node ? print(node) : JSON.stringify(value)}.`);
  }
  if (value === '') throw refuse('Value cannot be an empty string.');
  if (value.trim() === '') throw refuse('Value cannot be an empty string: it holds only whitespace.');
  return value;
}

const outcomeFields = { summary: (outcome: CopyOutcome) => summarize(outcome.items) };

/** Thin resolvers: the copy service does the work, these only pick types and derive fields. */
export const resolvers: Resolvers = {
  DateTime: scalar(DateTimeResolver),
  NonEmptyString: new GraphQLScalarType({
    ...scalar(NonEmptyStringResolver).toConfig(),
    serialize: (value) => nonEmptyString(value),
    parseValue: (value) => nonEmptyString(value),
    parseLiteral: (node) => nonEmptyString(node.kind === Kind.STRING ? node.value : undefined, node),
  }),
  PositiveInt: scalar(PositiveIntResolver),
  Mutation: {
    batchCopy: (_root, { input }, context) => context.copy.batchCopy(input, context),
    cancelCopyTask: (_root, { id }, context) => context.copy.cancelTask(id, context),
    retryCopyTask: (_root, { id }, context) => context.copy.retryTask(id, context),
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
  CopyTask: {
    progress: (task) => task.progress ?? taskProgress(task),
    retryOf: (task, _args, context) =>
      task.retryOf === undefined ? null : context.copy.loadTask(task.retryOf, context),
  },
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

/**
 * Progress of an upstream task that did not measure its own: the upstream's entry counts where it
 * gives them (exact), else the task's finished items (derived from its finished upstream tasks).
 */
function taskProgress(task: CopyTask): CopyProgress {
  const fraction = (completed: number, total: number) => (total === 0 ? 1 : Math.min(1, completed / total));
  if (task.entries && task.entries.total > 0) {
    const completed = task.done ? task.entries.total : task.entries.succeeded + task.entries.failed;
    return {
      total: task.entries.total,
      completed,
      fraction: fraction(completed, task.entries.total),
      source: 'EXACT',
    };
  }
  const { total, pending } = task.summary;
  return { total, completed: total - pending, fraction: fraction(total - pending, total), source: 'DERIVED' };
}

function unreachable(kind: string): never {
  throw new Error(`resolver for a ${kind} outcome reached the wrong union member`);
}
