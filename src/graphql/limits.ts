import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ParseOptions, ValidationRule } from 'graphql';
import type { Config } from '../config.js';

/**
 * Document limits (depth, aliases, tokens, directives, cost), checked while validating the query,
 * before any resolver runs. The defaults leave room for any real client (a 2,000-item batch written
 * inline, 50 copyTask aliases, GraphiQL's introspection) and stop documents built to exhaust the server.
 */
export function documentLimits(limits: Config['limits']): {
  validationRules: ValidationRule[];
  parseOptions: ParseOptions;
} {
  const armor = new ApolloArmor({
    // Fragments add no depth of their own: a client that spreads fragments is no deeper than one that inlines.
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    // Armor's token plugin throws from a parsing hook, which Apollo answers as a 500. graphql-js
    // counts tokens while parsing: a long document is then a syntax error, 400 GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    // Apollo's own plugin hides suggestions in production; one mechanism is enough.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  // Every protection enabled here is a validation rule; armor's plugins (token and suggestion
  // filters) are disabled above.
  return { validationRules: armor.validationRules, parseOptions: { maxTokens: limits.maxTokens } };
}
