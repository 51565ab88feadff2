/**
 * Errors of the caller's input that graphql-js 16 finds only while executing: argument values built
 * from variables (`input: { <provider>: $p }` with `$p` null, an explicit null for a variable with a default
 * used where a value is required, `@include(if: $b)` with `$b` null). Execution reports them as field
 * errors without a code, as if the server had failed. {@link operationInputErrors} finds them before
 * execution with graphql-js's own coercion functions, so they are answered as request errors.
 */
import { ErrorCode } from '../copy/error-codes.js';
import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  coerceInputValue,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  isInterfaceType,
  isInputType,
  isObjectType,
  typeFromAST,
  valueFromAST,
  valueFromASTUntyped,
  visit,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** The code of every error of the caller's input. */
export const BAD_USER_INPUT = ErrorCode.BAD_USER_INPUT;

/**
 * A GraphQL request error caused by the caller's input: `extensions.code` `BAD_USER_INPUT` and, over
 * HTTP, status 400 (what the GraphQL-over-HTTP specification gives a request error that prevents
 * execution).
 */
export function userInputError(message: string, nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(message, {
    nodes,
    extensions: { code: BAD_USER_INPUT, http: { status: 400 } },
  });
}

/** The errors found before execution, and whether they come from the variables or from arguments. */
export interface OperationInputErrors {
  /** `variables`: graphql-js's own variable coercion (all of them); `arguments`: the first argument error. */
  source: 'variables' | 'arguments';
  errors: GraphQLError[];
}

function fieldDefinition(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function pathText(name: string, path: readonly (string | number)[]): string {
  return [name, ...path]
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i ? `.${key}` : key))
    .join('');
}

/** Why graphql-js refused an argument value: the first coercion error of the value, at its path. */
function reason(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  error: GraphQLError,
  variables: Record<string, unknown>,
): string | undefined {
  const argument = node.arguments?.find((a) => error.nodes?.includes(a.value));
  const definition = field.args.find((a) => a.name === argument?.name.value);
  if (!argument || !definition) return undefined;
  let first: string | undefined;
  coerceInputValue(valueFromASTUntyped(argument.value, variables), definition.type, (path, _value, cause) => {
    first ??= path.length > 0 ? `at "${pathText(definition.name, path)}": ${cause.message}` : cause.message;
  });
  return first;
}

/**
 * Coerces the variables, then every argument of every field and of `@skip`/`@include` that execution
 * would reach, exactly as graphql-js will, and returns what fails (as {@link userInputError}s), or
 * undefined when execution will meet no input error. Runs on a validated document; fragments are
 * checked once each.
 */
export function operationInputErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  options: { variables: 'coerce' | 'as-sent' } = { variables: 'coerce' },
): OperationInputErrors | undefined {
  // Without variables every argument and directive value is a literal, which validation has checked
  // (ValuesOfCorrectTypeRule, ProvidedRequiredArgumentsRule): execution finds nothing more.
  if (!operation.variableDefinitions?.length) return undefined;
  let values: Record<string, unknown>;
  if (options.variables === 'as-sent') {
    values = variablesAsSent(schema, operation, variables ?? {});
  } else {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, {
      maxErrors: 50,
    });
    if (coerced.errors) {
      return {
        source: 'variables',
        errors: coerced.errors.map((e) => userInputError(e.message, e.nodes)),
      };
    }
    values = coerced.coerced;
  }
  const sites = argumentSites(schema, document, operation);
  try {
    if (sites === 'walk') checkAll(schema, document, operation, values);
    else for (const { field, node } of sites) checkArguments(field, node, values);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const located =
      error.extensions.code === BAD_USER_INPUT ? error : userInputError(error.message, error.nodes);
    return { source: 'arguments', errors: [located] };
  }
  return undefined;
}

/** A field whose arguments read a variable, with the definition its arguments are coerced to. */
interface ArgumentSite {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
}

/** Each schema's plans by operation: documents are parsed once and kept (Apollo's document store). */
const plans = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, ArgumentSite[] | 'walk'>>();

/**
 * The fields whose arguments execution will coerce from variables, in document order, found once per
 * operation: only those can fail at execution (literal values were checked by validation). An
 * operation with `@skip`/`@include` whose condition is a variable is `walk`ed per request instead, since
 * which selections run depends on the variables.
 */
function argumentSites(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): ArgumentSite[] | 'walk' {
  let bySchema = plans.get(schema);
  if (!bySchema) plans.set(schema, (bySchema = new WeakMap()));
  let plan = bySchema.get(operation);
  if (plan === undefined) {
    const sites: ArgumentSite[] = [];
    let conditional = false;
    walk(
      schema,
      document,
      operation,
      (node) => {
        if (node.directives?.some(isVariableCondition)) conditional = true;
        // Literal conditions are the same on every request: `@skip(if: true)` never runs.
        return conditional || included(node, NO_VARIABLES);
      },
      (field, node) => {
        if (node.arguments?.some((argument) => readsVariable(argument.value))) sites.push({ field, node });
      },
    );
    plan = conditional ? 'walk' : sites;
    bySchema.set(operation, plan);
  }
  return plan;
}

const NO_VARIABLES: Record<string, unknown> = {};

/** Whether execution runs a selection, by its `@skip`/`@include` conditions. */
function included(node: SelectionNode, values: Record<string, unknown>): boolean {
  return (
    getDirectiveValues(GraphQLSkipDirective, node, values)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, values)?.if !== false
  );
}

function isVariableCondition(directive: DirectiveNode): boolean {
  const name = directive.name.value;
  return (
    (name === GraphQLSkipDirective.name || name === GraphQLIncludeDirective.name) &&
    (directive.arguments ?? []).some((argument) => readsVariable(argument.value))
  );
}

function readsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(readsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => readsVariable(field.value));
  return false;
}

/**
 * Visits every selection execution could reach, in document order (fragments once each): `enter`
 * decides whether a selection is followed; `field` is called for each field with its definition.
 */
function walk(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  enter: (node: SelectionNode) => boolean,
  field: (definition: GraphQLField<unknown, unknown>, node: FieldNode) => void,
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const checked = new Set<string>();
  const follow = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): void => {
    for (const selection of selectionSet.selections) {
      if (!enter(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const definition = fieldDefinition(schema, parent, selection.name.value);
        if (!definition) continue;
        field(definition, selection);
        if (selection.selectionSet) follow(selection.selectionSet, getNamedType(definition.type));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        follow(selection.selectionSet, type);
      } else if (!checked.has(selection.name.value)) {
        checked.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) follow(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
      }
    }
  };
  follow(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
}

/** Checks every field's arguments that execution would reach with these variables. */
function checkAll(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  values: Record<string, unknown>,
): void {
  walk(
    schema,
    document,
    operation,
    (node) => included(node, values),
    (field, node) => checkArguments(field, node, values),
  );
}

/** Coerces one field's arguments as execution will; throws the caller's error when one fails. */
function checkArguments(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  values: Record<string, unknown>,
): void {
  try {
    getArgumentValues(field, node, values);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    // Only "has invalid value" leaves the caller guessing what is wrong inside the value.
    const why = /has invalid value/.test(error.message) ? reason(field, node, error, values) : undefined;
    const message = why ? `${error.message.replace(/\.$/, '')}: ${why}` : error.message;
    throw userInputError(message, error.nodes);
  }
}

/**
 * The variables as sent, with the defaults of those not sent: what argument checks need when the
 * variables' own errors are left to execution. Arguments read a variable's value as it is (graphql-js
 * coerces it once, as a variable), so only its presence and nullness matter to them.
 */
function variablesAsSent(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  sent: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (Object.hasOwn(sent, name)) values[name] = sent[name];
    else if (definition.defaultValue) {
      const type = typeFromAST(schema, definition.type);
      if (type && isInputType(type)) values[name] = valueFromAST(definition.defaultValue, type);
    }
  }
  return values;
}

const VALUE_KINDS = new Set<string>([
  Kind.VARIABLE,
  Kind.INT,
  Kind.FLOAT,
  Kind.STRING,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
]);

/** Where a value node sits: `argument "input" of "batchCopy" at "input.<provider>.<field>"`. */
function placeOf(document: DocumentNode, path: readonly (string | number)[]): string | undefined {
  let node: unknown = document;
  let owner: string | undefined;
  let argument: string | undefined;
  let variable: string | undefined;
  const at: (string | number)[] = [];
  let parentKind: string | undefined;
  for (const key of path) {
    node = (node as Record<string | number, unknown>)[key];
    if (Array.isArray(node)) continue;
    const current = node as ASTNode;
    if (current.kind === Kind.FIELD) owner = `"${current.name.value}"`;
    else if (current.kind === Kind.DIRECTIVE) owner = `"@${current.name.value}"`;
    else if (current.kind === Kind.VARIABLE_DEFINITION) variable = current.variable.name.value;
    else if (current.kind === Kind.ARGUMENT) argument = current.name.value;
    else if (current.kind === Kind.OBJECT_FIELD) at.push(current.name.value);
    else if (parentKind === Kind.LIST && typeof key === 'number') at.push(key);
    parentKind = current.kind;
  }
  if (argument !== undefined) {
    const where = at.length > 0 ? ` at "${pathText(argument, at)}"` : '';
    return `Invalid value for argument "${argument}"${owner ? ` of ${owner}` : ''}${where}`;
  }
  if (variable !== undefined) {
    return `Invalid default value of variable "$${variable}"${at.length > 0 ? ` at "${pathText(variable, at)}"` : ''}`;
  }
  return undefined;
}

/**
 * Validation errors about a literal value (an empty string for a `NonEmptyString`, a wrong scalar or
 * enum value) say what is wrong but not where: graphql-js reports the scalar's own message. This
 * prefixes each such message with the argument and the path inside it, e.g. `Invalid value for
 * argument "input" of "batchCopy" at "input.<provider>.<field>": Value cannot be an empty string.` It
 * changes the errors' messages in place, as Apollo Server's own suggestion filter does.
 */
export function nameInvalidValues(document: DocumentNode, errors: readonly GraphQLError[]): void {
  const targets = new Map<ASTNode, GraphQLError[]>();
  for (const error of errors) {
    const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
    if (node && VALUE_KINDS.has(node.kind)) targets.set(node, [...(targets.get(node) ?? []), error]);
  }
  if (targets.size === 0) return;
  visit(document, {
    enter(node, _key, _parent, path) {
      const found = targets.get(node);
      if (!found) return;
      const place = placeOf(document, path);
      if (place === undefined) return;
      for (const error of found) {
        const detail = error.message.replace(/: $/, '.');
        error.message = `${place}: ${detail}`;
      }
    },
  });
}
