import type { Execution } from './errors.js';
import type { CopyErrorInfo, CopyItemResult, CopyItemStatus, ItemEvidence } from './types.js';

/**
 * The evidence of an item whose upstream call failed as a whole: NONE when the work may have run (the
 * item is UNKNOWN), UPSTREAM_ANSWER when the upstream answered with a refusal, NOT_SENT when the
 * request never left the gateway (no connection, an open circuit, the deadline or budget before
 * sending: there is no upstream HTTP status).
 */
export function failureEvidence(execution: Execution, error: CopyErrorInfo): ItemEvidence {
  if (execution === 'unknown') return 'NONE';
  return error.upstream?.httpStatus === undefined ? 'NOT_SENT' : 'UPSTREAM_ANSWER';
}

/** The evidence of an item read from an upstream answer (an item result or a task's result). */
export function answerEvidence(status: CopyItemStatus): ItemEvidence {
  return status === 'UNKNOWN' ? 'NONE' : 'UPSTREAM_ANSWER';
}

/** An item as JSON stores it: `checkedAt` as text, and no `evidence` when an older gateway wrote it. */
export type StoredItem = Omit<CopyItemResult, 'evidence' | 'checkedAt'> & {
  evidence?: ItemEvidence;
  checkedAt?: Date | string;
};

/**
 * An item read back from a store (idempotency answers and progress logs, job records): `checkedAt` as a
 * Date again, and, for records written before items carried their evidence, the evidence its status
 * and error imply (a FAILED item with no upstream status or code was never sent).
 */
export function storedItem(item: StoredItem): CopyItemResult {
  const checkedAt = item.checkedAt === undefined ? undefined : new Date(item.checkedAt);
  let evidence = item.evidence ?? answerEvidence(item.status);
  if (
    item.evidence === undefined &&
    item.status === 'FAILED' &&
    item.error?.upstream?.httpStatus === undefined &&
    item.error?.upstream?.code === undefined
  )
    evidence = 'NOT_SENT';
  return checkedAt ? { ...item, evidence, checkedAt } : { ...item, evidence, checkedAt: undefined };
}
