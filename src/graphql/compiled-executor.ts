import type {
  GatewayExecutor,
  GatewayInterface,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import {
  GraphQLError,
  Kind,
  execute,
  getVariableValues,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** A compiled query, or the errors graphql-jit found in the document instead. */
type Compiled = CompiledQuery | ExecutionResult;

/**
 * graphql-jit's field errors carry `locations` and `path` but are not graphql-js GraphQLErrors in
 * shape (no `nodes`, `extensions` left undefined). This is the error graphql-js's `locatedError`
 * would have made: the same message, path, locations, original error and extensions.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const located = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions ?? undefined,
  });
  // graphql-js derives locations from nodes, which graphql-jit does not keep; it gives them instead.
  if (error.locations) Object.assign(located, { locations: error.locations });
  return located;
}

/** Why no operation of `document` was chosen, in graphql-js's words (its `execute` says the same). */
function unresolvedOperation(document: DocumentNode, operationName: string | undefined): GraphQLError {
  if (operationName !== undefined && operationName !== null)
    return new GraphQLError(`Unknown operation named "${operationName}".`);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  return new GraphQLError(
    operations === 0
      ? 'Must provide an operation.'
      : 'Must provide operation name if query contains multiple operations.',
  );
}

/**
 * Executes operations with queries compiled by graphql-jit, behind Apollo Server's documented
 * `gateway` interface, which replaces execution only: parsing, validation, every plugin, error
 * formatting and the HTTP answer stay Apollo's. https://www.apollographql.com/docs/apollo-server/api/apollo-server#gateway
 * https://github.com/zalando-incubator/graphql-jit
 *
 * - One compiled query per document and operation name, made at the document's `compileAfter`th run
 *   and kept as long as the document is (Apollo keeps validated documents in its document store, so a
 *   repeated operation is compiled once); earlier runs, and every run with `compileAfter` 0, are
 *   graphql-js's `execute`. Compiling costs a few times validating: a document sent once is not
 *   worth it.
 * - Variables are coerced by graphql-js first, as its `execute` does (at most 50 errors): their
 *   errors read, and answer, exactly as without this executor, and `@oneOf` inputs are checked
 *   (graphql-jit does not know `@oneOf`).
 * - Field errors become graphql-js GraphQLErrors ({@link asGraphQLError}).
 */
export function compiledExecutor(schema: GraphQLSchema, compileAfter: number): GatewayInterface {
  /** By document, then by operation name: the runs so far, then the compiled query. */
  const compiled = new WeakMap<DocumentNode, Map<string, number | Compiled>>();
  const compiledFor = (document: DocumentNode, operationName: string | null): Compiled | undefined => {
    if (compileAfter === 0) return undefined;
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const name = operationName ?? '';
    const known = byName.get(name) ?? 0;
    if (typeof known !== 'number') return known;
    if (known + 1 < compileAfter) {
      byName.set(name, known + 1);
      return undefined;
    }
    const query = compileQuery(schema, document, operationName ?? undefined);
    byName.set(name, query);
    return query;
  };

  const executor: GatewayExecutor = async (request) => {
    const { document, operation, operationName } = request;
    // Apollo hands an executor the request even when the operation name the caller sent names no
    // operation, with `operationName` null: running the document then would run an operation the
    // caller did not ask for. Apollo answers these errors 400 OPERATION_RESOLUTION_FAILURE.
    if (!operation) return { errors: [unresolvedOperation(document, request.request.operationName)] };
    const variables = request.request.variables ?? {};
    const query = compiledFor(document, operationName);
    if (!query) {
      return execute({
        schema,
        document,
        contextValue: request.context,
        variableValues: variables,
        operationName,
      });
    }
    if (operation.variableDefinitions?.length) {
      const coerced = getVariableValues(schema, operation.variableDefinitions, variables, {
        maxErrors: 50,
      });
      if (coerced.errors) return { errors: coerced.errors };
    }
    if (!isCompiledQuery(query)) return query;
    const result = await query.query(undefined, request.context, variables);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };

  let unsubscribed = false;
  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
      // The schema is fixed: Apollo hears it once, at load.
      if (!unsubscribed) callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {
        unsubscribed = true;
      };
    },
    async stop() {},
  };
}
