// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const MAX_ID_LENGTH = 256;

/**
 * Why an upstream id (library, space, user, dentry) is unusable, or undefined when it is fine. Ids
 * become URL path segments and query values, so "/", "." and ".." would address something else.
 */
export function idProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty';
  if (CONTROL_CHARS.test(value)) return 'contains a control character';
  if (value.includes('/')) return 'contains "/"';
  if (value === '.' || value === '..') return `is "${value}", which names no object`;
  if (value.length > MAX_ID_LENGTH) return `is over ${MAX_ID_LENGTH} characters`;
  return undefined;
}
