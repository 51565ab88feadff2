/** Query parameters that carry secrets somewhere upstream (SMH puts its token in the query string). */
const SECRET_PARAMS =
  /^(access_token|library_secret|share_access_token|appsecret|app_secret|client_secret)$/i;

/** A path with its query string, safe to log: secret parameter values are replaced. */
export function redactPath(pathWithQuery: string): string {
  const q = pathWithQuery.indexOf('?');
  if (q < 0) return pathWithQuery;
  const params = new URLSearchParams(pathWithQuery.slice(q + 1));
  const shown: string[] = [];
  for (const [key, value] of params) {
    shown.push(SECRET_PARAMS.test(key) ? `${key}=[REDACTED]` : value === '' ? key : `${key}=${value}`);
  }
  return `${pathWithQuery.slice(0, q)}?${shown.join('&')}`;
}
