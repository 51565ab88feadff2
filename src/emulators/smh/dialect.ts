/**
 * How SMH spells the answers every emulator gives: `x-request-id` on every answer and the
 * `{code, message, requestId}` error body SMH's SDKs read
 * (https://www.tencentcloud.com/document/product/1283/75487).
 */
import type { EmulatorDialect } from '../kit/index.js';

/** The body every SMH error carries. */
export interface SmhErrorBody {
  code: string;
  message: string;
  requestId: string;
}

/** Error codes of the emulator's own test controls. */
export const SMH_ADMIN_CODES = {
  badRequest: 'InvalidArgument',
  badFault: 'InvalidFaultRule',
  clockNotManual: 'ClockNotManual',
} as const;

/** The SMH dialect; request ids look like `smh-00002a-1f2e3d4c` (a sequence number and noise from `random`). */
export function smhDialect(random: () => number): EmulatorDialect {
  let seq = 0;
  return {
    newRequestId: () => {
      seq += 1;
      const noise = Math.floor(random() * 0xffffffff)
        .toString(16)
        .padStart(8, '0');
      return `smh-${seq.toString(16).padStart(6, '0')}-${noise}`;
    },
    requestIdHeaders: (requestId) => ({ 'x-request-id': requestId }),
    errorBody: (code, message, requestId): SmhErrorBody => ({ code, message, requestId }),
    notFound: { status: 404, code: 'NotFound', message: 'no such route' },
    methodNotAllowed: { status: 405, code: 'MethodNotAllowed', message: 'method not allowed here' },
    internal: { status: 500, code: 'InternalServerError', message: 'internal server error' },
    badRequestCode: SMH_ADMIN_CODES.badRequest,
    badFaultCode: SMH_ADMIN_CODES.badFault,
  };
}
