/**
 * The test controls every emulator offers under `/__admin/`: fault rules and the manual clock. Not part
 * of any upstream; never subject to fault injection.
 */
import { ManualClock, type Clock } from './clock.js';
import { EmulatorError, isRecord } from './errors.js';
import { parseFaultRule, type FaultInjector, type FaultPresets } from './faults.js';
import type { Route } from './routes.js';
import { parseJsonBody } from './server.js';

/** What the shared admin routes act on. */
export interface KitAdminOptions {
  faults: FaultInjector;
  faultPresets?: FaultPresets;
  clock: Clock;
  /** Runs after the clock moved, e.g. to run background work that became due. */
  afterClockAdvance?(): void;
  /** Error codes in the emulator's own spelling. */
  codes: { badRequest: string; badFault: string; clockNotManual: string };
}

/**
 * `POST /__admin/faults` (one rule or an array; answers `{added}`), `DELETE /__admin/faults` (204) and
 * `POST /__admin/clock/advance` (`{ms}`; answers `{now}`; 409 unless the emulator runs on a ManualClock).
 */
export function kitAdminRoutes(opts: KitAdminOptions): Route<'admin'>[] {
  const { codes } = opts;
  return [
    {
      name: 'admin',
      admin: true,
      method: 'POST',
      path: '/__admin/faults',
      handle: async (ctx) => {
        const value = parseJsonBody(await ctx.body(), codes.badRequest);
        const rules = (Array.isArray(value) ? value : [value]).map((v: unknown) => {
          try {
            return parseFaultRule(v, opts.faultPresets);
          } catch (err) {
            throw new EmulatorError(400, codes.badFault, (err as Error).message);
          }
        });
        for (const rule of rules) opts.faults.add(rule);
        return { status: 200, body: { added: rules.length } };
      },
    },
    {
      name: 'admin',
      admin: true,
      method: 'DELETE',
      path: '/__admin/faults',
      handle: () => (opts.faults.clear(), { status: 204 }),
    },
    {
      name: 'admin',
      admin: true,
      method: 'POST',
      path: '/__admin/clock/advance',
      handle: async (ctx) => {
        const { clock } = opts;
        if (!(clock instanceof ManualClock)) {
          throw new EmulatorError(409, codes.clockNotManual, 'the emulator runs on the system clock');
        }
        const body = parseJsonBody(await ctx.body(), codes.badRequest);
        const ms = isRecord(body) ? body.ms : undefined;
        if (typeof ms !== 'number' || !(ms >= 0))
          throw new EmulatorError(400, codes.badRequest, 'ms must be >= 0');
        clock.advance(ms);
        opts.afterClockAdvance?.();
        return { status: 200, body: { now: clock.now() } };
      },
    },
  ];
}
