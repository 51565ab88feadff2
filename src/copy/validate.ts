/**
 * Characters no id or path the gateway forwards may hold: the C0 controls (U+0000–U+001F), DEL
 * (U+007F), the C1 controls (U+0080–U+009F, U+0085 NEXT LINE among them) and the Unicode line and
 * paragraph separators (U+2028, U+2029). Each breaks a line in some log, header or parser, and none
 * belongs in a file name or an upstream id.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Characters that change what a URL means when an id is put in one: the path, query and fragment
 * delimiters (`/`, `?`, `#`), the percent sign of escapes (an id decoded once more than it was encoded
 * names another id) and the backslash, which WHATWG URL parsers read as `/`. Upstream ids are strings
 * of letters, digits and dashes (DingTalk's dentry, space and task ids, and its `unionId`; SMH's
 * library and space ids, `-` for a single-tenant library), so none of these is ever part of one.
 */
export const URL_DELIMITERS = /[/?#%\\]/;

/** A UTF-16 surrogate not paired with another (the `u` flag reads a pair as one code point). */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

const MAX_ID_LENGTH = 256;

/** Why a string cannot be sent as it is: a control character, or a lone UTF-16 surrogate. */
export function characterProblem(value: string): string | undefined {
  if (CONTROL_CHARS.test(value)) return 'contains a control character';
  // A lone surrogate has no UTF-8 form: it would be sent as U+FFFD, naming something else.
  if (LONE_SURROGATE.test(value)) return 'contains a lone UTF-16 surrogate';
  return undefined;
}

/**
 * Why an upstream id (library, space, user, dentry) is unusable, or undefined when it is fine. Ids
 * become URL path segments and query values, so {@link URL_DELIMITERS}, "." and ".." would address
 * something else.
 */
export function idProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty';
  const characters = characterProblem(value);
  if (characters) return characters;
  const delimiter = URL_DELIMITERS.exec(value);
  if (delimiter) return `contains "${delimiter[0]}"`;
  if (value === '.' || value === '..') return `is "${value}", which names no object`;
  if (value.length > MAX_ID_LENGTH) return `is over ${MAX_ID_LENGTH} characters`;
  return undefined;
}

/**
 * The first value that repeats an earlier one: `[earlier, later]` indices, or undefined when every
 * value is distinct. `key` gives what makes two values the same (default: the value itself).
 */
export function firstDuplicate<T>(
  values: readonly T[],
  key: (value: T) => string = String,
): [number, number] | undefined {
  const seen = new Map<string, number>();
  for (const [index, value] of values.entries()) {
    const k = key(value);
    const earlier = seen.get(k);
    if (earlier !== undefined) return [earlier, index];
    seen.set(k, index);
  }
  return undefined;
}
