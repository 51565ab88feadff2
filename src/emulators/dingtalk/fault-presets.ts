/**
 * The DingTalk faults a client must survive, ready-made: the batch copy page's request-level errors
 * (https://help.dingtalk.io/open/development/copy-files-or-folders-in-bulk), the platform's QPS limits
 * and IP throttle page (https://open.dingtalk.com/document/orgapp/invocation-frequency-limit), and
 * broken connections.
 */
import { optionalNumber, type FaultKind, type FaultPresets } from '../kit/index.js';

/** Builders of the DingTalk faults, by preset name. */
export const dingTalkFaults = {
  /** 400: another operation on the same source or target is running; rejected before any work. */
  concurrentControl: (): FaultKind => ({
    kind: 'status',
    status: 400,
    code: 'operationConcurrentControl',
    message: 'operation is under concurrent control, please retry later',
  }),
  /** 403 per-app-per-API QPS limit; the real service sends no Retry-After, so it is opt-in here. */
  qpsLimit: (retryAfterSeconds?: number): FaultKind => ({
    kind: 'status',
    status: 403,
    code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
    message: 'qps limit for appkey and api exceeded',
    ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  }),
  qpsLimitGlobal: (): FaultKind => ({
    kind: 'status',
    status: 403,
    code: 'Forbidden.AccessDenied.QpsLimitForApi',
    message: 'qps limit for api exceeded',
  }),
  systemError: (): FaultKind => ({
    kind: 'status',
    status: 500,
    code: 'systemError',
    message: 'system error',
  }),
  unknownError: (): FaultKind => ({
    kind: 'status',
    status: 500,
    code: 'unknownError',
    message: 'Unknown Error',
  }),
  operationTimeout: (): FaultKind => ({
    kind: 'status',
    status: 503,
    code: 'operationTimeout',
    message: 'operation timeout',
  }),
  spaceQuotaInsufficient: (): FaultKind => ({
    kind: 'status',
    status: 400,
    code: 'spaceQuotaInsufficient',
    message: 'space quota insufficient',
  }),
  /** The IP-level throttle page: HTML, not a JSON error. */
  html: (status = 503): FaultKind => ({ kind: 'html', status }),
  latency: (ms = 1000): FaultKind => ({ kind: 'latency', ms }),
  reset: (): FaultKind => ({ kind: 'reset' }),
  truncated: (): FaultKind => ({ kind: 'truncated' }),
} as const;

/** A preset name of {@link dingTalkFaults}. */
export type DingTalkFaultPreset = keyof typeof dingTalkFaults;

/**
 * The presets as the fault-rule parser reads them: `{"preset": "qpsLimit", "retryAfterSeconds": 2}`,
 * `{"preset": "html", "status": 403}`, `{"preset": "latency", "ms": 500}`, or any other preset by name.
 */
export const DINGTALK_FAULT_PRESETS: FaultPresets = {
  ...Object.fromEntries(
    Object.entries(dingTalkFaults).map(([name, build]) => [name, () => (build as () => FaultKind)()]),
  ),
  qpsLimit: (args) => dingTalkFaults.qpsLimit(optionalNumber(args, 'retryAfterSeconds')),
  html: (args) => dingTalkFaults.html(optionalNumber(args, 'status')),
  latency: (args) => dingTalkFaults.latency(optionalNumber(args, 'ms')),
};
