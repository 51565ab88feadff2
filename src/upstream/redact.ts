/**
 * Query parameters that carry a secret on any OAuth 2.0-style API (RFC 6749 names), redacted whatever
 * the provider declares: https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
const ALWAYS_SECRET = ['access_token', 'client_secret'];

/**
 * A function that makes a path with its query string safe to log: the values of `secretParameters`
 * (matched without regard to case) and of {@link ALWAYS_SECRET} are replaced by `[REDACTED]`.
 */
export function pathRedactor(secretParameters: readonly string[]): (pathWithQuery: string) => string {
  const secret = new Set([...ALWAYS_SECRET, ...secretParameters].map((name) => name.toLowerCase()));
  return (pathWithQuery) => {
    const q = pathWithQuery.indexOf('?');
    if (q < 0) return pathWithQuery;
    const params = new URLSearchParams(pathWithQuery.slice(q + 1));
    const shown: string[] = [];
    for (const [key, value] of params) {
      shown.push(
        secret.has(key.toLowerCase()) ? `${key}=[REDACTED]` : value === '' ? key : `${key}=${value}`,
      );
    }
    return `${pathWithQuery.slice(0, q)}?${shown.join('&')}`;
  };
}
