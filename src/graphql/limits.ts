import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config.js';

/**
 * How armor's rules refuse a document: reported as a validation error, without the `Syntax Error: `
 * armor puts before every message (the document parsed; it is over a limit), instead of thrown.
 */
const reportAsValidation = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => {
      // Every rule enabled here validates (with a context); a refusal without one must not pass.
      if (!context) throw error;
      context.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
    },
  ],
};

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
    maxDepth: {
      n: limits.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      ...reportAsValidation,
    },
    maxAliases: { n: limits.maxAliases, ...reportAsValidation },
    // Armor's token plugin throws from a parsing hook, which Apollo answers as a 500. graphql-js
    // counts tokens while parsing: a long document is then a syntax error, 400 GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives, ...reportAsValidation },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, ...reportAsValidation },
    // Apollo's own plugin hides suggestions in production; one mechanism is enough.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  // Every protection enabled here is a validation rule; armor's plugins (token and suggestion
  // filters) are disabled above.
  return {
    validationRules: [documentSizeRule(limits), ...armor.validationRules],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

/**
 * How often one response name may appear in one selection set (inline fragments flattened into it):
 * graphql-js compares every pair of fields that share a response name, so this bounds that quadratic
 * work. Real documents repeat a name a few times (`__typename` or `items` in each union member).
 */
export const MAX_SAME_RESPONSE_NAME = 20;

/** The counts {@link documentSizeRule} checks, in one pass over the document as written. */
function documentSize(definitions: readonly { kind: string; selectionSet?: SelectionSetNode }[]) {
  let fragments = 0;
  let selections = 0;
  let repeated: string | undefined;
  let aliases = 0;
  // Which fragments each fragment spreads, to find a cycle without graphql-js's costlier rule.
  const spreads = new Map<string, string[]>();
  const pending: [SelectionSetNode, string[] | undefined][] = [];
  for (const definition of definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments += 1;
      const name = (definition as unknown as FragmentDefinitionNode).name.value;
      const list = spreads.get(name) ?? [];
      spreads.set(name, list);
      if (definition.selectionSet) pending.push([definition.selectionSet, list]);
    } else if (definition.selectionSet) pending.push([definition.selectionSet, undefined]);
  }
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const [set, spreadsOf] = entry;
    // A field's response name, counted across the inline fragments merged into this set.
    const names = new Map<string, number>();
    const flat: SelectionSetNode[] = [set];
    for (let inner = flat.pop(); inner; inner = flat.pop()) {
      selections += inner.selections.length;
      for (const selection of inner.selections) {
        if (selection.kind === Kind.INLINE_FRAGMENT) flat.push(selection.selectionSet);
        else if (selection.kind === Kind.FRAGMENT_SPREAD) spreadsOf?.push(selection.name.value);
        else {
          if (selection.alias) aliases += 1;
          const name = selection.alias?.value ?? selection.name.value;
          const count = (names.get(name) ?? 0) + 1;
          names.set(name, count);
          if (count > MAX_SAME_RESPONSE_NAME) repeated ??= name;
          if (selection.selectionSet) pending.push([selection.selectionSet, spreadsOf]);
        }
      }
    }
  }
  return { fragments, selections, aliases, repeated, cycle: fragmentCycle(spreads) };
}

/** A fragment that spreads itself, directly or through others (depth-first search), if any. */
function fragmentCycle(spreads: ReadonlyMap<string, readonly string[]>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string): string | undefined => {
    const seen = state.get(name);
    if (seen === 'open') return name;
    if (seen === 'done' || !spreads.has(name)) return undefined;
    state.set(name, 'open');
    for (const next of spreads.get(name) ?? []) {
      const found = visit(next);
      if (found !== undefined) return found;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of spreads.keys()) {
    const found = visit(name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Counts fragment definitions and selections in one linear pass when validation enters the document,
 * and refuses a document over either limit before any other rule looks at its selections: some of
 * graphql-js's rules cost time quadratic in the selections of one selection set (a 48 KB document of
 * 1,000 fragments `{ __typename }` takes hundreds of milliseconds in `OverlappingFieldsCanBeMergedRule`).
 * On refusal it returns `null` from its `Document` visitor, which ends the traversal for every rule
 * (graphql-js's `visitInParallel`: a visitor that edits a node hides it from the visitors after it;
 * `visit`: returning `null` deletes the node, so nothing below it is visited). It must therefore come
 * before the other custom rules.
 */
export function documentSizeRule(
  limits: Pick<Config['limits'], 'maxFragments' | 'maxSelections' | 'maxAliases'>,
): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(node) {
      const { fragments, selections, aliases, repeated, cycle } = documentSize(node.definitions);
      const over =
        fragments > limits.maxFragments
          ? `${fragments} fragment definitions; at most ${limits.maxFragments} are allowed`
          : selections > limits.maxSelections
            ? `${selections} selections; at most ${limits.maxSelections} are allowed`
            : aliases > limits.maxAliases
              ? `${aliases} aliases; at most ${limits.maxAliases} are allowed`
              : repeated !== undefined
                ? `the field "${repeated}" more than ${MAX_SAME_RESPONSE_NAME} times in one selection set`
                : undefined;
      if (over === undefined && cycle === undefined) return undefined;
      context.reportError(
        new GraphQLError(
          over !== undefined
            ? `The document has ${over}.`
            : `Cannot spread fragment "${cycle}" within itself.`,
        ),
      );
      return null;
    },
  });
}
