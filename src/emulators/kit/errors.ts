/**
 * The one error type and the one reply type of both emulators. A handler returns a {@link Reply} or
 * throws an {@link EmulatorError}; the kit's server turns either into the upstream's own error body.
 */

/** What a route handler answers: an HTTP status, a JSON body (none for 204 or HEAD) and extra headers. */
export interface Reply {
  status: number;
  /** Serialized as JSON; undefined sends no body. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request-level failure with the upstream's HTTP status and error `code`. */
export class EmulatorError extends Error {
  /**
   * @param status HTTP status of the answer.
   * @param code The upstream's error code, put in the error body.
   * @param message Human-readable text for the error body; defaults to `code`.
   * @param headers Extra response headers (for example `retry-after`).
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? code);
    this.name = 'EmulatorError';
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
