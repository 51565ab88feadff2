/**
 * The one shape of every error this server answers, whatever the route or transport: the GraphQL
 * response format's `errors` list (https://spec.graphql.org/October2021/#sec-Errors), each error with
 * a machine-readable `extensions.code`.
 */
export interface GraphQLErrorBody {
  errors: { message: string; extensions: { code: string } & Record<string, unknown> }[];
}

/**
 * `{ errors: [{ message, extensions: { code, ...extra } }] }` for one error. `message` is for people;
 * `code` (e.g. `BAD_REQUEST`, `UNAUTHENTICATED`, `NOT_FOUND`) is what clients branch on.
 */
export function graphqlErrorBody(
  message: string,
  code: string,
  extra: Record<string, unknown> = {},
): GraphQLErrorBody {
  return { errors: [{ message, extensions: { ...extra, code } }] };
}
