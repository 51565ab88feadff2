import { GatewayError, UpstreamFailure } from '../../copy/errors.js';
import { outcomeFromItems, summarize } from '../../copy/summary.js';
import type { CopyItemResult, CopyOutcome, CopyTask, Provider } from '../../copy/types.js';
import { mapBounded } from './concurrency.js';
import type { RunProgress } from '../../copy/progress.js';
import { failureEvidence } from '../../copy/evidence.js';
import type { CallContext } from '../../copy/call.js';
import type { TokenSource } from '../../credentials/token-source.js';
import { ensureToken } from '../../credentials/with-token.js';

/** What a chunk asked for: where it starts in the request and what each item names. */
export interface ChunkInput<T> {
  offset: number;
  payload: T;
  requested: { source: string; target?: string }[];
}

/** A chunk's answer translated to the domain: its items, and the async parts a task must cover. */
export interface ChunkSuccess<Part> {
  items: CopyItemResult[];
  parts: Part[];
}

/** A chunk's answer: its translated items and parts, or the classified failure of its upstream call. */
export type ChunkAnswer<Part> = ChunkSuccess<Part> | { failure: UpstreamFailure };

/**
 * Sends chunks with bounded concurrency; an UpstreamFailure becomes that chunk's answer, not the
 * request's. With `progress` (a keyed run), each chunk's items are reported as possibly sent before
 * the chunk goes upstream (a chunk whose report is refused is not sent), and as known after its answer.
 */
export function sendChunks<T, Part>(
  chunks: readonly ChunkInput<T>[],
  concurrency: number,
  send: (chunk: ChunkInput<T>) => Promise<ChunkSuccess<Part>>,
  progress?: RunProgress,
): Promise<ChunkAnswer<Part>[]> {
  return mapBounded(chunks, concurrency, async (chunk) => {
    let answer: ChunkAnswer<Part>;
    try {
      await progress?.sending(chunk.requested.map((_item, k) => chunk.offset + k));
      answer = await send(chunk);
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      answer = { failure: error };
    }
    progress?.settled('failure' in answer ? failedItems(chunk, answer.failure) : answer.items);
    return answer;
  });
}

/** A failed chunk's items: FAILED when it did not run, UNKNOWN when it may have. */
function failedItems(chunk: ChunkInput<unknown>, failure: UpstreamFailure): CopyItemResult[] {
  const status = failure.execution === 'unknown' ? 'UNKNOWN' : 'FAILED';
  return chunk.requested.map((item, k) => ({
    index: chunk.offset + k,
    status,
    ...item,
    renamed: false,
    error: failure.error,
    evidence: failureEvidence(failure.execution, failure.error),
  }));
}

/** A rejected credential as the error that ends the operation (a GraphQL error UNAUTHENTICATED). */
function credentialRefusal(provider: Provider, failure: UpstreamFailure): GatewayError {
  return new GatewayError(failure.error.message, 'UNAUTHENTICATED', {
    provider,
    upstream: failure.error.upstream,
  });
}

/**
 * Checks that a batch for `scope` has a credential (see {@link ensureToken}) and fails as
 * {@link mergeChunks} fails a batch whose every chunk lacked one: GatewayError UNAUTHENTICATED; any
 * other refusal stays an UpstreamFailure (answered CopyRejected).
 */
export async function checkCredential(
  provider: Provider,
  tokens: TokenSource,
  scope: string,
  call: CallContext,
): Promise<void> {
  try {
    await ensureToken(tokens, scope, call.callerTokens[provider], call);
  } catch (error) {
    if (error instanceof UpstreamFailure && error.code === 'UNAUTHENTICATED')
      throw credentialRefusal(provider, error);
    throw error;
  }
}

/**
 * Merges chunk answers in request order into one outcome. A chunk that failed leaves its items FAILED
 * (it did not run) or UNKNOWN (it may have run); a rejected credential ends the operation; when every
 * chunk was refused before running, the whole request is CopyRejected.
 */
export function mergeChunks<Part>(
  provider: Provider,
  chunks: readonly ChunkInput<unknown>[],
  answers: readonly ChunkAnswer<Part>[],
  taskIdFor: (parts: Part[]) => { id: string; upstreamTaskIds: string[] },
): CopyOutcome {
  const items: CopyItemResult[] = [];
  const parts: Part[] = [];
  const failures: UpstreamFailure[] = [];
  answers.forEach((answer, i) => {
    const chunk = chunks[i] as ChunkInput<unknown>;
    if ('failure' in answer) {
      failures.push(answer.failure);
      items.push(...failedItems(chunk, answer.failure));
    } else {
      items.push(...answer.items);
      parts.push(...answer.parts);
    }
  });

  // `failures.length > 0`: with no chunks at all there is no refusal to report.
  const nothingRan =
    failures.length > 0 &&
    failures.length === answers.length &&
    failures.every((f) => f.execution === 'not-executed');
  // A rejected credential is the caller's problem, not an item's, so it ends the operation, but only
  // when nothing ran: an error instead of results would hide copies already made.
  const auth = failures.find((f) => f.code === 'UNAUTHENTICATED');
  if (auth && nothingRan) throw credentialRefusal(provider, auth);
  if (nothingRan) {
    return { kind: 'rejected', provider, items, error: (failures[0] as UpstreamFailure).error };
  }
  if (parts.length === 0) return outcomeFromItems(provider, items);
  const pending = items.filter((item) => item.status === 'PENDING');
  const ids = taskIdFor(parts);
  const task: CopyTask = {
    ...ids,
    provider,
    state: 'RUNNING',
    done: false,
    items: pending,
    summary: summarize(pending),
    checkedAt: new Date(),
  };
  return outcomeFromItems(provider, items, task);
}
