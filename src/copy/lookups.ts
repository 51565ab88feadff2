/**
 * Looking at targets to settle items whose answer was lost (UNKNOWN), never by sending them again. A
 * provider brings two halves: {@link TargetMatching} on its module (pure: what to look at, and what
 * the look means) and {@link TargetReads} on its adapter (the upstream reads, batched, through the
 * same HTTP client as its copies, so rate limits, the circuit breaker and metrics apply to them).
 */
import type { CallContext } from './call.js';
import type { ConflictStrategy, CopyErrorInfo, Provider } from './types.js';

/**
 * How the gateway settles UNKNOWN items (`UNKNOWN_RESOLUTION`): not at all, by looking at the targets
 * after the answer was lost, or also by recording the targets before sending (which makes "not
 * copied" decidable where a look afterwards alone cannot tell).
 */
export type ResolutionMode = 'off' | 'lookup' | 'snapshot';

/** JSON: plans are stored with the task that keeps resolving them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One item to look for, as the request named it. */
export interface LookupItem {
  /** Position in the request. */
  index: number;
  source: string;
  target?: string;
  strategy: ConflictStrategy;
}

/** What one request's lookups need: where its items went, and when they may have been sent first. */
export interface LookupPlan {
  provider: Provider;
  /** Where the request copied, in the provider's own terms (library and space, or spaces and folder). */
  scope: Json;
  items: LookupItem[];
  /**
   * Epoch milliseconds just before the first item of the request was sent: a copy the request made
   * cannot be older (whole seconds are compared: some upstreams give no finer times).
   */
  sentAt: number;
  /** What the targets held before anything was sent (snapshot mode), in the provider's own terms. */
  before?: Json;
  /** Results the request's other items already hold: a copy found is never given to a second item. */
  claimed?: string[];
}

/** What a look at an item's target says. */
export type LookupVerdict =
  /** The target holds the copy: `result` names it as the upstream's answer would have. */
  | { status: 'SUCCEEDED'; result: string; renamed: boolean }
  /** The copy cannot have been made (e.g. FAIL onto a name taken before the send, still unchanged). */
  | { status: 'FAILED'; error: CopyErrorInfo }
  /** Nothing decisive: why, for the item's message. */
  | { status: 'UNKNOWN'; reason: string };

/** The pure half of a provider's lookups (on its module): no I/O. */
export interface TargetMatching<Request = unknown> {
  /**
   * The plan for the items at `indexes` of `request` (a request the adapter already accepted), without
   * `sentAt` and `before`, which the caller adds.
   */
  plan(request: Request, indexes: readonly number[]): Pick<LookupPlan, 'scope' | 'items'>;
  /**
   * Decides each item of `plan` at `indexes` from what {@link TargetReads.observe} found. `claimed`
   * holds the results other items of the request already have (a copy found for one item is never
   * given to another). Items are decided in index order; one item's find is claimed for the next.
   */
  decide(
    plan: LookupPlan,
    indexes: readonly number[],
    observed: Json,
    claimed: ReadonlySet<string>,
  ): Map<number, LookupVerdict>;
}

/** The I/O half of a provider's lookups (on its adapter): upstream reads, batched per target folder. */
export interface TargetReads {
  /**
   * Records what the plan's targets (and sources) hold before anything is sent (snapshot mode).
   * Reserves its calls from `call.budget`; throws an UpstreamFailure or GatewayError when a read fails.
   */
  snapshot(plan: LookupPlan, call: CallContext): Promise<Json>;
  /**
   * Reads what {@link TargetMatching.decide} needs for the items at `indexes`. Reserves its calls from
   * `call.budget`; throws when a read fails or the budget is spent (the items stay UNKNOWN).
   */
  observe(plan: LookupPlan, indexes: readonly number[], call: CallContext): Promise<Json>;
}

/** An upstream's clock as one of its answers showed it (its `Date` header) and ours when it arrived. */
export interface UpstreamClock {
  /** Epoch ms, from the answer's `Date` header (whole seconds). */
  upstream: number;
  /** Epoch ms on the gateway's clock when the answer arrived. */
  local: number;
}

/** The upstream's clock from an answer's `Date` header, or undefined when it has none. */
export function upstreamClock(date: string | string[] | undefined): UpstreamClock | undefined {
  const text = Array.isArray(date) ? date[0] : date;
  const upstream = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isFinite(upstream) ? { upstream, local: Date.now() } : undefined;
}

/**
 * The earliest upstream time a copy sent at `sentAt` (gateway clock) can carry, in whole seconds: the
 * send moved onto the upstream's clock by the offset an answer showed (so clocks that disagree do not
 * matter), else taken as is. Never later than the true time (the `Date` header is cut to the second).
 */
export function copiedSince(sentAt: number, clock: UpstreamClock | undefined): number {
  const since = clock ? clock.upstream - (clock.local - sentAt) : sentAt;
  return Math.floor(since / 1000) * 1000;
}
