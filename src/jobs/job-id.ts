import { randomBytes } from 'node:crypto';
import { isJobReference, JOB_ID_PREFIX } from '../copy/background.js';

/**
 * Ids of tasks the gateway runs itself (background jobs). The id names a record in the job store, so
 * it stays short for any batch size: `cj1_` + 22 base64url characters (128 random bits), 26 characters
 * in all; callers see it sealed (signed and scoped) by the copy service. Ids of upstream tasks carry
 * their upstream task ids instead and stay as they are.
 */
export function newJobTaskId(): string {
  return JOB_ID_PREFIX + randomBytes(16).toString('base64url');
}

/** True for an id of this shape (whether the job still exists is the store's question). */
export function isJobTaskId(id: string): boolean {
  return isJobReference(id);
}
