import { randomBytes } from 'node:crypto';

/**
 * Ids of tasks the gateway runs itself (background jobs). The id names a record in the job store, so
 * it stays short for any batch size: `ct2_` + 22 base64url characters (128 random bits), 26 characters
 * in all. Ids of upstream tasks (`ct1_…`) carry their upstream task ids instead and stay as they are.
 */
const PREFIX = 'ct2_';
const SHAPE = /^ct2_[A-Za-z0-9_-]{22}$/;

/** A new, unguessable job task id. */
export function newJobTaskId(): string {
  return PREFIX + randomBytes(16).toString('base64url');
}

/** True for an id of this shape (whether the job still exists is the store's question). */
export function isJobTaskId(id: string): boolean {
  return SHAPE.test(id);
}

/** True for any id in the job id family, well formed or not, so malformed ones get the job's error. */
export function looksLikeJobTaskId(id: string): boolean {
  return id.startsWith(PREFIX);
}
