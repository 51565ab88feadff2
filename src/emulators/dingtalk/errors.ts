/** A request-level DingTalk error: the HTTP status plus the `code` that goes into the error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? code);
    this.name = 'ApiError';
  }
}

/** v1.0 error body; the SDK reads the lowercase `requestid` key (dingtalk.md §5). */
export interface ErrorBody {
  code: string;
  message: string;
  requestid: string;
}

export function errorBody(code: string, message: string, requestId: string): ErrorBody {
  return { code, message, requestid: requestId };
}

/** What a route handler answers; the HTTP layer turns it into a response (or a fault, after the work). */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
