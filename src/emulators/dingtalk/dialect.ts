/**
 * How DingTalk spells the answers every emulator gives: `x-acs-request-id` and `x-acs-trace-id` on every
 * answer, and the v1.0 error body `{code, message, requestid}` (the SDK reads the lowercase `requestid`;
 * https://open.dingtalk.com/document/orgapp/error-code).
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorDialect } from '../kit/index.js';

/** The v1.0 error body. */
export interface DingTalkErrorBody {
  code: string;
  message: string;
  requestid: string;
}

/** Error codes of the emulator's own test controls. */
export const DINGTALK_ADMIN_CODES = {
  badRequest: 'emulator.badJson',
  badFault: 'emulator.badFault',
  clockNotManual: 'emulator.clockNotManual',
} as const;

/** The DingTalk dialect: upper-case UUID request ids; any unserved method or path is DingTalk's 404. */
export function dingTalkDialect(): EmulatorDialect {
  return {
    newRequestId: () => randomUUID().toUpperCase(),
    requestIdHeaders: (requestId) => ({
      'x-acs-request-id': requestId,
      'x-acs-trace-id': randomUUID().replace(/-/g, ''),
    }),
    errorBody: (code, message, requestId): DingTalkErrorBody => ({ code, message, requestid: requestId }),
    notFound: {
      status: 404,
      code: 'InvalidAction.NotFound',
      message: 'Specified api is not found, please check your url and method.',
    },
    internal: { status: 500, code: 'systemError', message: 'system error' },
    badRequestCode: 'paramError',
    badFaultCode: DINGTALK_ADMIN_CODES.badFault,
  };
}
