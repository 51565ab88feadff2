import { GatewayError, InputError } from './errors.js';
import type { IdEnvelope } from './id-envelope.js';
import { isJobReference, JOB_ID_PREFIX, JOB_REFERENCE_BYTES, JOB_REFERENCE_PATTERN } from './background.js';

/** The task ids callers get: the internal reference (`ct1_` + payload) in a signed envelope. */
const PREFIX = 'ct2_';
const V1 = 'ct1_';
/** Signed ids are as long as the batch they come from needs (a 10,000-item batch stays below). */
const MAX_SIGNED_LENGTH = 64 * 1024;
/**
 * Unsigned ids (no TASK_ID_SECRET, callers' own tokens) can be made up by anyone: this length keeps
 * what one made-up id can ask of the upstream small (a few hundred task reads at most, within the
 * per-request budget) before anything is sent.
 */
const MAX_UNSIGNED_LENGTH = 8 * 1024;
/** The shape of a background task id: its reference, then `.` and a 22-character (16-byte) tag when signed. */
const JOB_ID_SHAPE = new RegExp(`^${JOB_REFERENCE_PATTERN}(\\.[A-Za-z0-9_-]{22})?$`);
/** A background task id: `cj1_`, 22 characters of reference, `.` and a 22-character tag (49 in all). */
const MAX_JOB_ID_LENGTH = 256;

export interface TaskIdSealOptions {
  /** Ids from before signing (`ct1_`, unsigned) are accepted: only where callers bring their own tokens. */
  acceptV1: boolean;
  /** Throws InputError when a reference is malformed, so that a broken id is called so first. */
  check?: (reference: string) => void;
}

/**
 * Puts the references the providers write into the ids callers see, and takes them out again: every
 * task id leaving the copy service goes through {@link issue}, every id coming in through
 * {@link accept}, which refuses a made-up, altered or foreign id before any upstream call or token
 * fetch.
 */
export class TaskIdSeal {
  constructor(
    private readonly envelope: IdEnvelope,
    private readonly options: TaskIdSealOptions,
  ) {}

  /** The id `scope` (who it is issued to: an API key's name, or '' without API keys) gets for `reference`. */
  issue(reference: string, scope: string): string {
    if (isJobReference(reference)) {
      const payload = Buffer.from(reference.slice(JOB_ID_PREFIX.length), 'base64url');
      return this.envelope.seal(JOB_ID_PREFIX, payload, scope);
    }
    if (!reference.startsWith(V1)) return reference;
    return this.envelope.seal(PREFIX, Buffer.from(reference.slice(V1.length), 'base64url'), scope);
  }

  /**
   * What {@link issue} gives `scope` for `reference` when `acceptedFrom` is the id {@link accept} just
   * took `reference` from for the same scope: a signed id is that very string (sealing is
   * deterministic and signed ids open only as seal writes them), answered without signing again.
   */
  reissue(reference: string, scope: string, acceptedFrom: string): string {
    return this.envelope.signed && acceptedFrom.startsWith(PREFIX)
      ? acceptedFrom
      : this.issue(reference, scope);
  }

  /**
   * The reference behind `id` for `scope`. Throws InputError (BAD_USER_INPUT) for what is not a task
   * id, and GatewayError NOT_FOUND for an id that does not verify (altered, made up, or issued to
   * another caller: the same answer, so an id's existence is never confirmed to a stranger).
   */
  accept(id: string, scope: string): string {
    if (id.startsWith(JOB_ID_PREFIX)) return this.#acceptJob(id, scope);
    if (id.startsWith(V1)) {
      if (id.length > MAX_UNSIGNED_LENGTH) throw malformed();
      this.options.check?.(id);
      if (this.options.acceptV1) return id;
      throw new InputError(
        'Task ids starting with ct1_ were issued unsigned, before this gateway signed its task ids; with managed credentials it accepts signed ids only. Read the task with the id a new copy answers with.',
        { field: 'id' },
      );
    }
    const max = this.envelope.signed ? MAX_SIGNED_LENGTH : MAX_UNSIGNED_LENGTH;
    const payload = this.envelope.open(PREFIX, id, scope, max);
    if (payload === 'malformed') throw malformed();
    if (payload === 'forged') throw taskNotFound();
    const reference = V1 + payload.toString('base64url');
    if (!this.envelope.signed) this.options.check?.(reference);
    return reference;
  }

  /** The job reference behind a background task id (`cj1_…`), as {@link accept} answers. */
  #acceptJob(id: string, scope: string): string {
    // Not of a job id's shape (a 22-character reference, and a 22-character tag if any): not an id at
    // all, whatever the key. An id of this shape that does not verify is a stranger's or made up.
    if (!JOB_ID_SHAPE.test(id)) throw malformed();
    const payload = this.envelope.open(JOB_ID_PREFIX, id, scope, MAX_JOB_ID_LENGTH);
    if (payload === 'malformed' || (payload !== 'forged' && payload.length !== JOB_REFERENCE_BYTES))
      throw malformed();
    if (payload === 'forged') throw taskNotFound();
    return JOB_ID_PREFIX + payload.toString('base64url');
  }
}

/**
 * An id that names no task of this caller: altered, made up, issued to another caller or gone (one
 * answer for all, so an id's existence is never confirmed to a stranger).
 */
export function taskNotFound(): GatewayError {
  return new GatewayError('No task with this id for this caller.', 'NOT_FOUND', { field: 'id' });
}

function malformed(): InputError {
  return new InputError('Malformed task id: pass the id from a CopyAccepted answer unchanged.', {
    field: 'id',
  });
}
