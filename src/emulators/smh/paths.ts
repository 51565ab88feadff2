/**
 * SMH paths are relative to the space root with `/` between segments. Leading, trailing and doubled
 * slashes are tolerated because clients build paths by joining; `.` and `..` are refused because the
 * real service has no notion of them and accepting them would let a copy escape its parent.
 */
export type PathInput = string | readonly string[];

/** The non-empty segments of a path. */
export function toSegments(path: PathInput): string[] {
  const parts = typeof path === 'string' ? path.split('/') : [...path];
  return parts.filter((s) => s.length > 0);
}

/** True when a segment is `.`, `..` or holds `/` or NUL. */
export function hasInvalidSegment(segments: readonly string[]): boolean {
  return segments.some((s) => s === '.' || s === '..' || s.includes('/') || s.includes('\0'));
}

/** Longest file or directory name SMH accepts, in characters. */
export const MAX_NAME_LENGTH = 255;
