import {
  NoSchemaIntrospectionCustomRule,
  type DocumentNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config.js';
import { createFormatError } from './errors.js';
import { nameInvalidValues } from './input-errors.js';
import { documentLimits } from './limits.js';

/**
 * What the gateway lets a GraphQL document do and what its errors may reveal, decided once and applied
 * by every transport (Apollo Server over HTTP, graphql-ws over WebSocket): the parser's token cap, the
 * document limits and introspection rule run after graphql-js's specified rules, and one error
 * formatter (codes, masking of unexpected errors, suggestions hidden in production).
 */
export interface GraphQLPolicy {
  /** graphql-js parse options (the token cap). */
  readonly parseOptions: ParseOptions;
  /** Rules to run after graphql-js's `specifiedRules`. */
  readonly validationRules: readonly ValidationRule[];
  /** Gives validation errors about a literal value the place of that value (changes them in place). */
  describeValidationErrors(document: DocumentNode, errors: readonly GraphQLError[]): void;
  /** Formats every error that leaves the server. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
}

/**
 * The policy for a configuration: in production (`NODE_ENV=production`) suggestions are hidden and
 * unexpected errors read "Internal server error"; introspection follows `INTROSPECTION`; the limits
 * come from the `GRAPHQL_MAX_*` variables.
 */
export function graphqlPolicy(
  config: Pick<Config, 'production' | 'introspection' | 'limits'>,
): GraphQLPolicy {
  const limits = documentLimits(config.limits);
  return {
    parseOptions: limits.parseOptions,
    validationRules: [
      ...limits.validationRules,
      ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ],
    describeValidationErrors: nameInvalidValues,
    formatError: createFormatError({
      exposeInternal: !config.production,
      hideSuggestions: config.production,
    }),
  };
}
