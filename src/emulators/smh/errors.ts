/** A request-level failure: the HTTP layer turns it into `{code, message, requestId}` with `status`. */
export class SmhError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'SmhError';
    this.status = status;
    this.code = code;
  }
}

/** The body every SMH error carries; SDKs read exactly these three fields. */
export interface SmhErrorBody {
  code: string;
  message: string;
  requestId: string;
}

export function errorBody(code: string, message: string, requestId: string): SmhErrorBody {
  return { code, message, requestId };
}
