import { UpstreamFailure, unknownOutcome } from './errors.js';
import { outcomeFromItems } from './summary.js';
import { storedItem } from './evidence.js';
import type { CopyErrorInfo, CopyItemResult, CopyOutcome, Provider } from './types.js';

/**
 * Where a run reports what it is doing, so that a crash of the gateway leaves the run's last known
 * state behind instead of nothing: an idempotency key whose run may have started is never run again,
 * and its answer becomes what was known when the gateway stopped.
 */
export interface RunProgress {
  /**
   * Called before the items at these request indexes are sent upstream. Resolves once the "may have
   * been sent" marker is stored; rejects with a {@link ProgressRefused} when they must not be sent
   * (the marker could not be stored, or the run lost its claim to a retry that took it over).
   */
  sending(indexes: readonly number[]): Promise<void>;
  /** Called after an answer with what these items are now known to be. Never throws. */
  settled(items: readonly CopyItemResult[]): void;
}

/** Thrown by {@link RunProgress.sending}: the items were not sent and must not be. */
export class ProgressRefused extends UpstreamFailure {
  constructor(message: string) {
    super({ code: 'UPSTREAM_UNAVAILABLE', message, retryable: true }, 'not-executed');
    this.name = 'ProgressRefused';
  }
}

/** One entry of a run's progress log, in the order it was reported. */
export type ProgressEvent = { sending: number[] } | { settled: CopyItemResult[] };

/** What the request asked for at one index: the source and target of an item, for answers about it. */
export interface RequestedItem {
  source: string;
  target?: string;
}

const IN_FLIGHT: CopyErrorInfo = {
  code: 'INTERRUPTED',
  message: unknownOutcome('The gateway stopped while this copy was in flight'),
  retryable: false,
};

const NOT_SENT: CopyErrorInfo = {
  code: 'INTERRUPTED',
  message:
    'The gateway stopped before sending this item; it was not copied. Send it again under a new idempotencyKey.',
  retryable: true,
};

const NO_TASK: CopyErrorInfo = {
  code: 'INTERRUPTED',
  message: unknownOutcome(
    'The gateway stopped before it stored the upstream task that runs this copy, so the gateway cannot follow it',
  ),
  retryable: false,
};

/**
 * The answer of a run whose gateway stopped before it stored one: every item it knew keeps what it
 * knew; an item that may have been sent is UNKNOWN; an item never sent is FAILED (retryable). A
 * PENDING item becomes UNKNOWN too, since its task was not stored with it. Pure: the same events
 * always give the same answer, so every replay of the key answers the same.
 */
export function abandonedOutcome(
  provider: Provider,
  requested: readonly RequestedItem[],
  events: readonly ProgressEvent[],
): CopyOutcome {
  const sent = new Set<number>();
  const known = new Map<number, CopyItemResult>();
  for (const event of events) {
    if ('sending' in event) event.sending.forEach((index) => sent.add(index));
    else event.settled.forEach((item) => known.set(item.index, item));
  }
  const items = requested.map((item, index): CopyItemResult => {
    const found = known.get(index);
    if (found && found.status !== 'PENDING') return storedItem(found);
    const base = { index, source: item.source, target: item.target, renamed: false };
    if (found) return { ...base, status: 'UNKNOWN', error: NO_TASK, evidence: 'NONE' };
    if (sent.has(index)) return { ...base, status: 'UNKNOWN', error: IN_FLIGHT, evidence: 'NONE' };
    return { ...base, status: 'FAILED', error: NOT_SENT, evidence: 'NOT_SENT' };
  });
  return outcomeFromItems(provider, items);
}

/** Whether a progress log shows that something may have been sent upstream. */
export function mayHaveSent(events: readonly ProgressEvent[]): boolean {
  return events.some((event) => 'sending' in event && event.sending.length > 0);
}
