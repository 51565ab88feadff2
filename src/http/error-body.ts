/**
 * The one shape of every error this server answers, whatever the route or transport: the GraphQL
 * response format's `errors` list (https://spec.graphql.org/October2021/#sec-Errors), each error with
 * a machine-readable `extensions.code` and the request's id in `extensions.requestId`.
 */
export interface GraphQLErrorBody {
  errors: { message: string; extensions: { code: string; requestId: string } & Record<string, unknown> }[];
}

/**
 * `{ errors: [{ message, extensions: { code, requestId } }] }` for one error. `message` is for people;
 * `code` (e.g. `BAD_REQUEST`, `UNAUTHENTICATED`, `NOT_FOUND`) is what clients branch on; `requestId`
 * is the id the answer's `x-request-id` header carries too, which ties it to the request's log lines.
 */
export function graphqlErrorBody(message: string, code: string, requestId: string): GraphQLErrorBody {
  return { errors: [{ message, extensions: { code, requestId } }] };
}
