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
   * Gateway epoch milliseconds just before the first item of the request was sent: a copy the request
   * made cannot be older. Compared with upstream times only through {@link sendWindow}.
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
   * `produced` says which entries are the gateway's own earlier results (see {@link madeSinceSend});
   * without it only proof by time or snapshot counts.
   */
  decide(
    plan: LookupPlan,
    indexes: readonly number[],
    observed: Json,
    claimed: ReadonlySet<string>,
    produced?: ProducedView,
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

/**
 * What the gateway knows of an upstream's clock from the `Date` headers of its answers: bounds on the
 * offset (upstream time minus gateway time, milliseconds), which every answer narrows.
 */
export interface UpstreamClock {
  /** The offset is at least this (ms). */
  low: number;
  /** The offset is at most this (ms). */
  high: number;
  /** Gateway epoch ms when the last answer that narrowed the bounds arrived (drift is counted from it). */
  at: number;
}

/**
 * How far a `Date` header may be from the upstream's time when it made the answer: the header has whole
 * seconds (RFC 9110 §5.6.7, https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7), cut or rounded.
 */
export const DATE_HEADER_GRANULARITY_MS = 1000;
/**
 * How far apart the clocks of an upstream's own servers may be (the one that answered a read, the one
 * that stamped an entry): a margin every time-based proof keeps. NTP keeps servers far closer.
 */
export const UPSTREAM_SKEW_MS = 1000;
/** How fast two clocks may drift apart (1 ms per second, far more than quartz clocks do). */
const DRIFT_PER_MS = 1e-3;

/**
 * The upstream's clock from an answer's `Date` header, or undefined when it has none. The upstream made
 * the answer while the gateway waited for it, between `askedAt` and `answeredAt` (gateway epoch ms),
 * at a time within {@link DATE_HEADER_GRANULARITY_MS} of the header's.
 */
export function upstreamClock(
  date: string | string[] | undefined,
  askedAt: number,
  answeredAt: number = Date.now(),
): UpstreamClock | undefined {
  const text = Array.isArray(date) ? date[0] : date;
  const upstream = text === undefined ? Number.NaN : Date.parse(text);
  if (!Number.isFinite(upstream)) return undefined;
  return {
    low: upstream - DATE_HEADER_GRANULARITY_MS - answeredAt,
    high: upstream + DATE_HEADER_GRANULARITY_MS - askedAt,
    at: answeredAt,
  };
}

/**
 * What two readings say together: the tighter bounds. Readings that cannot both be true (a clock was
 * set while reading) give empty bounds (`low` above `high`), which stay empty whatever is read next:
 * nothing is known of the clock then ({@link sendWindow} is undefined).
 */
export function mergeClocks(
  a: UpstreamClock | undefined,
  b: UpstreamClock | undefined,
): UpstreamClock | undefined {
  if (!a || !b) return a ?? b;
  return { low: Math.max(a.low, b.low), high: Math.min(a.high, b.high), at: Math.max(a.at, b.at) };
}

/** When, on the upstream's clock, a send may have happened: between `earliest` and `latest` (epoch ms). */
export interface SendWindow {
  earliest: number;
  latest: number;
}

/**
 * Where the gateway moment `sentAt` (gateway epoch ms, taken just before the send) falls on the
 * upstream's clock, as far as `clock` tells, widened by {@link UPSTREAM_SKEW_MS} and by the drift since
 * the clock was read; undefined without a reading, or with readings that contradict each other (no
 * time then proves anything).
 */
export function sendWindow(sentAt: number, clock: UpstreamClock | undefined): SendWindow | undefined {
  if (!clock || !(clock.low <= clock.high)) return undefined;
  const margin = UPSTREAM_SKEW_MS + Math.abs(clock.at - sentAt) * DRIFT_PER_MS;
  return { earliest: sentAt + clock.low - margin, latest: sentAt + clock.high + margin };
}

/**
 * Whether an upstream time stamp (ISO 8601) proves its event came after the send: `granularityMs` is how
 * far the stamp may be from the event (the field's unit, cut or rounded), so the event is after the
 * latest moment the send can have been only when the stamp less that is. Without a window, never.
 */
export function surelyAfter(
  stamp: string | undefined,
  window: SendWindow | undefined,
  granularityMs: number,
): boolean {
  const t = stamp === undefined ? Number.NaN : Date.parse(stamp);
  return window !== undefined && Number.isFinite(t) && t - granularityMs >= window.latest;
}

/**
 * Whether an upstream time stamp may be of an event after the send (the negation of "surely before"):
 * true without a window or a readable stamp.
 */
export function maybeAfter(
  stamp: string | undefined,
  window: SendWindow | undefined,
  granularityMs: number,
): boolean {
  const t = stamp === undefined ? Number.NaN : Date.parse(stamp);
  return window === undefined || !Number.isFinite(t) || t + granularityMs > window.earliest;
}

/**
 * How long before a send (gateway ms) the gateway's own results matter to its looks: an entry the
 * time rule cannot place surely before the send is stamped at most about 3 s before it (whole-second
 * `Date` header and stamp, 1 s of skew) plus the time an answer took; the rest covers answers that
 * took long and the clocks of replicas that share results.
 */
export const PRODUCED_MARGIN_MS = 10_000;

/**
 * The gateway's own recent results (entries its SUCCEEDED items produced, as their `result`) as one
 * look sees them: what the registry said of each result asked so far. A result not asked yet counts
 * as not produced and is noted in {@link missing}: the caller asks the registry and decides again,
 * until a decision asks nothing new.
 */
export class ProducedView {
  /** Results a decision asked about that the registry was not asked for yet. */
  readonly missing = new Set<string>();
  readonly #answers = new Map<string, number | null>();

  /** A view that takes every entry for not produced by this gateway (to choose what to read). */
  static none(): ProducedView {
    return new ProducedView(true);
  }

  constructor(private readonly assumeNone = false) {}

  /** Adds the registry's answers: result → gateway epoch ms it was recorded, or null: not known. */
  add(answers: ReadonlyMap<string, number | null>): void {
    for (const [result, at] of answers) {
      this.#answers.set(result, at);
      this.missing.delete(result);
    }
  }

  /** When the gateway recorded `result` as one of its results (epoch ms), or null when it did not. */
  recordedAt(result: string): number | null {
    const at = this.#answers.get(result);
    if (at !== undefined || this.assumeNone) return at ?? null;
    this.missing.add(result);
    return null;
  }
}

/**
 * Whether an entry (the item's `result` it would be, and its upstream time stamp) counts as made by
 * this item's send, when no snapshot tells:
 * - stamped provably after the send ({@link surelyAfter}): yes, unless the gateway recorded the entry
 *   as a result of its own from {@link PRODUCED_MARGIN_MS} before the send on (it may be that
 *   request's);
 * - stamped around the send (not provably after it, nor provably before it: {@link maybeAfter} with a
 *   window): only when `produced` is given and the gateway did not record the entry as a result of its
 *   own: an earlier request's copy a moment before the send is one of those;
 * - otherwise no.
 */
export function madeSinceSend(
  result: string,
  stamp: string | undefined,
  window: SendWindow | undefined,
  granularityMs: number,
  sentAt: number,
  produced: ProducedView | undefined,
): boolean {
  if (surelyAfter(stamp, window, granularityMs)) {
    const at = produced?.recordedAt(result) ?? null;
    return at === null || at < sentAt - PRODUCED_MARGIN_MS;
  }
  return (
    produced !== undefined &&
    window !== undefined &&
    stamp !== undefined &&
    Number.isFinite(Date.parse(stamp)) &&
    maybeAfter(stamp, window, granularityMs) &&
    produced.recordedAt(result) === null
  );
}
