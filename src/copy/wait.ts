/**
 * How long a wait inside an operation may last (waitSeconds, a replay waiting for the first request
 * with its idempotency key): it ends before the operation's deadline, keeping time for a last read
 * and the answer, so that a mere wait never ends in a deadline error.
 */
import type { CallContext } from './call.js';

/** Time kept between the end of a wait and the operation's deadline (at most a quarter of what is left). */
export const ANSWER_RESERVE_MS = 1000;

/**
 * The latest a wait may end (epoch ms) in an operation whose deadline is `deadline`: a second before it
 * (a quarter of the time left at `now`, when less); no deadline: never.
 */
export function waitLimit(deadline: number | undefined, now = Date.now()): number {
  if (deadline === undefined) return Number.POSITIVE_INFINITY;
  return deadline - Math.min(ANSWER_RESERVE_MS, Math.max(0, deadline - now) / 4);
}

/**
 * When a wait of `waitSeconds` ends (epoch ms): then, or earlier when the operation's deadline comes
 * first (see {@link waitLimit}). Its answer is the state at its end.
 */
export function waitEnd(waitSeconds: number, call: Pick<CallContext, 'deadline'>, now = Date.now()): number {
  return Math.min(now + waitSeconds * 1000, waitLimit(call.deadline, now));
}

/**
 * `call` for one read of a wait that ends at `until`: aborted half the answer reserve after `until`
 * (never after the operation's deadline), so that a slow read cannot hold the answer past it.
 */
export function readCall(call: CallContext, until: number): CallContext {
  const latest = until + ANSWER_RESERVE_MS / 2;
  const end = call.deadline === undefined ? latest : Math.min(call.deadline, latest);
  const signal = AbortSignal.any([call.signal, AbortSignal.timeout(Math.max(0, end - Date.now()))]);
  return { ...call, signal, deadline: end };
}
