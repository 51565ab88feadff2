import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Config } from '../config.js';

/**
 * Document limits (depth, aliases, tokens, directives, cost), checked while validating the query,
 * before any resolver runs. The defaults leave room for any real client (a 2,000-item batch written
 * inline, 50 copyTask aliases, GraphiQL's introspection) and stop documents built to exhaust the server.
 */
export function documentLimits(limits: Config['limits']) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    // Apollo's own plugin hides suggestions in production; one mechanism is enough.
    blockFieldSuggestion: { enabled: false },
  }).protect();
}
