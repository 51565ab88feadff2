/**
 * Background copy work, as the copy service sees it: how a provider's request splits into items and
 * upstream-sized chunks (each provider module describes its own), and the job system the service hands
 * large batches to (implemented outside the domain, on Redis with BullMQ or in this process).
 */
import type { RequestedItem } from './progress.js';
import type { CopyTask, Provider } from './types.js';

/**
 * How one provider's batch request splits for background work; pure functions, no I/O. A chunk is a
 * request of its own holding consecutive items, sent with the provider's ordinary batch copy.
 */
export interface BackgroundShape<Request = unknown> {
  /** Items per upstream call: chunk `n` holds items `[n × chunkSize, (n + 1) × chunkSize)`. */
  readonly chunkSize: number;
  /** Throws InputError (naming the field) for a request the provider would refuse before sending. */
  validate(request: Request): void;
  /** The request's items, in order (never throws for a bad request: names what it can). */
  describe(request: Request): RequestedItem[];
  /** The request with only items `[start, end)`. */
  slice(request: Request, start: number, end: number): Request;
  /** The request with only the items at `indices`, in that order. */
  pick(request: Request, indices: readonly number[]): Request;
  /**
   * Tasks one upstream task read takes at once (an upstream that queries a list of task ids in one
   * call); absent: one.
   */
  readonly tasksPerRead?: number;
}

/** Upstream calls a batch of `items` items needs when sent `chunkSize` at a time. */
export function upstreamCalls(items: number, chunkSize: number): number {
  return Math.ceil(items / chunkSize);
}

/** Who asks about a background task, and in which request. */
export interface BackgroundCaller {
  /**
   * Who may see the task of a provider: the API key's name, else a digest of the caller's token for
   * that provider (the job's owner is compared with it, so another caller's job reads as missing).
   */
  owner(provider: Provider): string;
  /** The caller's upstream tokens by provider id (pass-through mode): a new job calls with them. */
  tokens: Readonly<Record<string, string | undefined>>;
  /**
   * The id of the request that asks (see CallContext.requestId): a task it creates sends it upstream on
   * every call and logs it, whichever instance runs the task.
   */
  requestId?: string;
  /** When the asking request's deadline passes, in epoch milliseconds: what it waits for ends well before. */
  deadline?: number;
}

/**
 * Background tasks: accepted at once, run chunk by chunk by whichever gateway instance picks them up.
 * Ids are the job system's own references (`cj1_` + 22 base64url characters); the copy service seals
 * them before callers see them. Reads answer null for a task that does not exist for this caller.
 */
export interface BackgroundJobs {
  /** Records a job for a validated `request` and schedules it; every item of the answer is PENDING. */
  submit(provider: Provider, request: unknown, who: BackgroundCaller): Promise<CopyTask>;
  task(id: string, who: BackgroundCaller): Promise<CopyTask | null>;
  /**
   * Once this answers, no new upstream call starts for the task. Waits a bounded time (well within
   * `who.deadline`) for the calls in flight to be recorded: the task answered is then final (`done`,
   * CANCELLED unless nothing was left to cancel); otherwise it is RUNNING and turns final later.
   */
  cancel(id: string, who: BackgroundCaller): Promise<CopyTask | null>;
  /**
   * A new task, linked by `retryOf`, for the finished task's items that FAILED with retryable: true. A
   * task is retried at most once: a later or concurrent call answers that same retry task. `admit` is
   * called with the retry's request before a new task is recorded (what it throws refuses the retry).
   */
  retry(
    id: string,
    who: BackgroundCaller,
    admit?: (provider: Provider, request: unknown) => Promise<void>,
  ): Promise<CopyTask | null>;
  /** The task now, then after each change, until it is done or `maxMs` passes (an Error ends it). */
  watch(id: string, who: BackgroundCaller, maxMs: number): AsyncIterableIterator<CopyTask | Error>;
  close(): Promise<void>;
}

/** The prefix of background task ids, sealed and unsealed. */
export const JOB_ID_PREFIX = 'cj1_';

/** Bytes of a job reference after its prefix (128 bits), written as 22 base64url characters. */
export const JOB_REFERENCE_BYTES = 16;

/**
 * A job reference, unanchored (a RegExp source): the one place its shape is written; sealed ids add
 * their tag to it.
 */
export const JOB_REFERENCE_PATTERN = `${JOB_ID_PREFIX}[A-Za-z0-9_-]{22}`;

const JOB_REFERENCE = new RegExp(`^${JOB_REFERENCE_PATTERN}$`);

/** True for a job system reference (`cj1_` + 22 base64url characters: 128 random bits). */
export function isJobReference(reference: string): boolean {
  return JOB_REFERENCE.test(reference);
}
