import { createHash, randomBytes } from 'node:crypto';
import { isJobReference, JOB_ID_PREFIX, JOB_REFERENCE_BYTES } from '../copy/background.js';

/**
 * Ids of tasks the gateway runs itself (background jobs). The id names a record in the job store, so
 * it stays short for any batch size: `cj1_` + 22 base64url characters (128 random bits), 26 characters
 * in all; callers see it sealed (signed and scoped) by the copy service. Ids of upstream tasks carry
 * their upstream task ids instead and stay as they are.
 */
export function newJobTaskId(): string {
  return JOB_ID_PREFIX + randomBytes(JOB_REFERENCE_BYTES).toString('base64url');
}

/**
 * The id of the one job that retries job `of`: derived from it (SHA-256, 128 bits, the same shape as
 * {@link newJobTaskId}), so every call and every instance names the same job, and the store's
 * create-if-absent decides which call creates it.
 */
export function retryJobTaskId(of: string): string {
  return (
    JOB_ID_PREFIX +
    createHash('sha256').update(`retry:${of}`).digest().subarray(0, JOB_REFERENCE_BYTES).toString('base64url')
  );
}

/** True for an id of this shape (whether the job still exists is the store's question). */
export function isJobTaskId(id: string): boolean {
  return isJobReference(id);
}
