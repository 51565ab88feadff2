/**
 * The emulator kit: what the SMH and DingTalk emulators share (clock, fault rules, route table, error
 * and reply types, the HTTP server with request ids and listen/close, the common admin routes).
 */
export { ManualClock, systemClock, type Clock } from './clock.js';
export { EmulatorError, isRecord, type Reply } from './errors.js';
export {
  FaultInjector,
  fired,
  optionalNumber,
  optionalString,
  parseFaultRule,
  type FaultKind,
  type FaultPresets,
  type FaultRule,
  type FiredFault,
} from './faults.js';
export { CallRates } from './call-rates.js';
export { sleep } from './http.js';
export { kitAdminRoutes, type KitAdminOptions } from './admin-routes.js';
export { param, queryObject, RouteTable, type Route, type RouteContext, type RouteMatch } from './routes.js';
export {
  FAULT_HEADER,
  parseJsonBody,
  startEmulatorServer,
  type EmulatorDialect,
  type EmulatorServer,
  type EmulatorServerOptions,
  type KitAnswer,
} from './server.js';
