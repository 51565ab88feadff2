import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import DataLoader from 'dataloader';
import type { ProviderAdapter } from './adapter.js';
import type { CallContext } from './call.js';
import { GatewayError, InputError, unknownOutcome } from './errors.js';
import type { CopyMetrics, IdempotencyPort } from './ports.js';
import type { CopyProvider } from './provider.js';
import { refusedOutcome, type RequestedItem } from './refusal.js';
import { outcomeFromItems } from './summary.js';
import { decodeTaskId, type TaskRef } from './task-id.js';
import type {
  BatchCopyRequest,
  BatchCopyRequestBase,
  CopyItemResult,
  CopyOutcome,
  CopyTask,
  Provider,
} from './types.js';

/** The providers a copy service answers for. */
export interface CopyServiceProviders {
  /** Every provider of the schema, configured or not: their input fields and task ids are understood. */
  providers: readonly CopyProvider[];
  /** The adapters of the configured providers; a provider without one answers UNSUPPORTED. */
  adapters: readonly ProviderAdapter[];
}

const MAX_WAIT_SECONDS = 60;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const WAIT_POLL_MS = 500;

/** The provider-neutral entry point the resolvers call. */
export class CopyService {
  /** Every provider this service understands, in the order they were given. */
  readonly providers: readonly CopyProvider[];
  readonly #byField: ReadonlyMap<string, CopyProvider>;
  readonly #adapters: ReadonlyMap<Provider, ProviderAdapter>;
  readonly #fieldList: string;

  /** @throws Error when two providers share an id, an input field or a task id tag. */
  constructor(
    { providers, adapters }: CopyServiceProviders,
    private readonly idempotency?: IdempotencyPort,
    private readonly metrics?: CopyMetrics,
  ) {
    for (const key of ['id', 'inputField'] as const) {
      if (new Set(providers.map((p) => p[key])).size !== providers.length)
        throw new Error(`two providers share one ${key}`);
    }
    if (new Set(providers.map((p) => p.taskRefs.tag)).size !== providers.length)
      throw new Error('two providers share one task id tag');
    this.providers = providers;
    this.#byField = new Map(providers.map((p) => [p.inputField, p]));
    this.#adapters = new Map(adapters.map((a) => [a.provider, a]));
    const fields = providers.map((p) => p.inputField);
    this.#fieldList =
      fields.length > 1 ? `${fields.slice(0, -1).join(', ')} or ${fields.at(-1)}` : (fields[0] ?? '');
  }

  #adapter(provider: Provider): ProviderAdapter {
    const adapter = this.#adapters.get(provider);
    if (!adapter) {
      const name = this.providers.find((p) => p.id === provider)?.displayName ?? provider;
      throw new GatewayError(`${name} is not configured on this gateway.`, 'UNSUPPORTED', { provider });
    }
    return adapter;
  }

  #decode(id: string): TaskRef {
    return decodeTaskId(
      id,
      this.providers.map((p) => p.taskRefs),
    );
  }

  /**
   * Runs a batch copy with the provider whose input field is set (exactly one must be), at most once
   * per caller and idempotencyKey, then waits up to `waitSeconds` for asynchronous work.
   * @throws InputError for bad input; GatewayError when the operation fails as a whole.
   */
  async batchCopy(
    input: BatchCopyRequest,
    call: CallContext & { loaders: TaskLoaders; caller?: string },
  ): Promise<CopyOutcome> {
    const set = Object.entries(input).filter(([, value]) => value !== undefined && value !== null);
    const [field, request] = set[0] ?? [];
    const chosen = field === undefined ? undefined : this.#byField.get(field);
    if (set.length !== 1 || !chosen || !request) {
      throw new InputError(`input needs exactly one of ${this.#fieldList}.`, { field: 'input' });
    }
    const waitSeconds = request.waitSeconds ?? 0;
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
      throw new InputError(`waitSeconds must be an integer from 0 to ${MAX_WAIT_SECONDS}.`, {
        field: 'waitSeconds',
      });
    }
    const provider = chosen.id;
    try {
      return await this.#batchCopy(provider, request, waitSeconds, call);
    } catch (error) {
      const refused = refusedOutcome(provider, this.#requested(provider, request), error);
      if (refused) return refused;
      throw error;
    }
  }

  /** The items a request names, as its provider's adapter reads them (none when it is not configured). */
  #requested(provider: Provider, request: unknown): RequestedItem[] {
    try {
      return this.#adapter(provider).requestedItems?.(request) ?? [];
    } catch {
      return [];
    }
  }

  async #batchCopy(
    provider: Provider,
    request: BatchCopyRequestBase,
    waitSeconds: number,
    call: CallContext & { loaders: TaskLoaders; caller?: string },
  ): Promise<CopyOutcome> {
    const adapter = this.#adapter(provider);
    // Counted where the work runs: an idempotent replay never gets here.
    const run = async () => {
      const outcome = await adapter.batchCopy(request, call);
      this.metrics?.copyOutcome(outcome);
      return outcome;
    };
    const key = request.idempotencyKey;
    let outcome: CopyOutcome;
    if (key === undefined || key === null || !this.idempotency) {
      outcome = await run();
    } else {
      if (key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
        throw new InputError(`idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`, {
          field: 'idempotencyKey',
        });
      }
      // The key is scoped to the caller (its API key's name or, without API keys, its upstream token,
      // so one caller never gets another's answer), not to the provider: the fingerprint covers the
      // whole request, provider included, and leaves out only what does not change the work.
      const { idempotencyKey: _key, waitSeconds: _wait, ...work } = request;
      outcome = await this.idempotency.run(
        { caller: callerScope(call, provider), key },
        { provider, work },
        run,
      );
    }
    if (outcome.kind !== 'accepted' || waitSeconds === 0) return outcome;
    return this.#waitFor(outcome, waitSeconds, call);
  }

  /** Polls the outcome's task until it finishes or the wait runs out, then folds its items in. */
  async #waitFor(
    outcome: Extract<CopyOutcome, { kind: 'accepted' }>,
    waitSeconds: number,
    call: CallContext,
  ): Promise<CopyOutcome> {
    const deadline = Date.now() + waitSeconds * 1000;
    const ref = this.#decode(outcome.task.id);
    let task = outcome.task;
    // The copy has run: whatever goes wrong while waiting (a deadline, the call budget, a failed
    // read), the caller still gets the accepted answer with its task id.
    try {
      while (!task.done && Date.now() + WAIT_POLL_MS <= deadline) {
        await sleep(WAIT_POLL_MS, undefined, { signal: call.signal });
        const [loaded] = await this.#adapter(ref.provider).loadTasks([ref], call);
        if (!loaded || loaded instanceof Error) break;
        task = loaded;
      }
    } catch {
      // keep the last known task
    }
    if (!task.done) return { ...outcome, task };
    return finishedOutcome(outcome, task);
  }

  /**
   * Follows a task for a subscription: gives it now, then whenever its state or counts change, until
   * it is done or `maxMs` passes. A failure is given as an Error (the subscription's resolver turns
   * it into a GraphQL error) and ends the watch. Every poll gets a fresh CallContext (its own deadline
   * and budget). A malformed id throws at once. Written as a plain iterator rather than an async
   * generator so that `return()` (the client unsubscribed or left) stops a sleeping poll at once.
   */
  watchTask(
    id: string,
    newCall: () => CallContext,
    options: { pollMs: number; maxMs: number },
  ): AsyncIterableIterator<CopyTask | Error> {
    const ref = this.#decode(id);
    const adapter = this.#adapter(ref.provider);
    const stop = new AbortController();
    const until = Date.now() + options.maxMs;
    let last = '';
    let polls = 0;
    const end = (): IteratorResult<CopyTask | Error> => {
      stop.abort();
      return { value: undefined, done: true };
    };
    return {
      next: async () => {
        while (!stop.signal.aborted) {
          if (polls++ > 0) {
            if (Date.now() + options.pollMs > until) return end();
            await sleep(options.pollMs, undefined, { signal: stop.signal }).catch(() => undefined);
            if (stop.signal.aborted) break;
          }
          const [task] = await adapter.loadTasks([ref], newCall()).catch((error: Error) => [error]);
          if (!task || task instanceof Error) {
            stop.abort();
            return {
              value:
                task ??
                new GatewayError('The upstream no longer knows this task.', 'NOT_FOUND', { field: 'id' }),
              done: false,
            };
          }
          // Upstream sub-entry counts move while the items stay PENDING: they count as a change too.
          const seen = JSON.stringify([
            task.state,
            task.summary,
            task.entries,
            task.items.map((i) => i.status),
          ]);
          if (task.done) stop.abort();
          if (seen !== last) {
            last = seen;
            return { value: task, done: false };
          }
        }
        return end();
      },
      return: async () => end(),
      throw: async (error: unknown) => {
        end();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** A task by id through the request's loader (one upstream query per batch of ids). */
  loadTask(id: string, context: { loaders: TaskLoaders }): Promise<CopyTask | null> {
    return context.loaders.task.load(id);
  }

  /** A new loader per request: copyTask fields of one request share upstream calls, never across callers. */
  createTaskLoader(call: CallContext): DataLoader<string, CopyTask | null> {
    return new DataLoader<string, CopyTask | null>(async (ids) => {
      const results: Array<CopyTask | null | Error> = new Array(ids.length);
      const byProvider = new Map<Provider, { index: number; ref: TaskRef }[]>();
      ids.forEach((id, index) => {
        try {
          const ref = this.#decode(id);
          const list = byProvider.get(ref.provider) ?? [];
          list.push({ index, ref });
          byProvider.set(ref.provider, list);
        } catch (error) {
          results[index] = error as Error;
        }
      });
      await Promise.all(
        [...byProvider.entries()].map(async ([provider, entries]) => {
          try {
            const loaded = await this.#adapter(provider).loadTasks(
              entries.map((e) => e.ref),
              call,
            );
            entries.forEach((entry, k) => (results[entry.index] = loaded[k] ?? null));
          } catch (error) {
            entries.forEach((entry) => (results[entry.index] = error as Error));
          }
        }),
      );
      return results;
    });
  }

  /** Closes every adapter and the idempotency store. */
  async close(): Promise<void> {
    await Promise.all([...[...this.#adapters.values()].map((a) => a.close()), this.idempotency?.close()]);
  }
}

/** Who an idempotency key belongs to: the API key's name, else a digest of the upstream token sent. */
function callerScope(call: CallContext & { caller?: string }, provider: Provider): string {
  if (call.caller) return `key:${call.caller}`;
  const token = call.callerTokens[provider];
  return token ? `token:${createHash('sha256').update(token).digest('base64url')}` : 'anonymous';
}

/** The per-request DataLoaders the service reads through. */
export interface TaskLoaders {
  task: DataLoader<string, CopyTask | null>;
}

/** The batch answer once its task has finished: task items replace the PENDING ones. */
export function finishedOutcome(outcome: CopyOutcome, task: CopyTask): CopyOutcome {
  const byIndex = new Map(task.items.map((item) => [item.index, item]));
  const items: CopyItemResult[] = outcome.items.map((item) => {
    if (item.status !== 'PENDING') return item;
    const done = byIndex.get(item.index);
    if (!done) return item;
    // A task result names its own item (SMH echoes copyFrom/to): one that names another item was
    // matched by position to the wrong one, and is never given to this one.
    const named = (asked: string | undefined, echo: string | undefined) =>
      echo === undefined || echo === '' || asked === undefined || echo === asked;
    if (!named(item.source, done.source) || !named(item.target, done.target)) {
      const what = `the upstream's task result for position ${item.index} names another item (${done.source} → ${done.target ?? '?'})`;
      return {
        ...item,
        status: 'UNKNOWN',
        error: {
          code: 'UPSTREAM_PROTOCOL_ERROR',
          message: unknownOutcome(what),
          retryable: false,
          upstream: { provider: outcome.provider },
        },
      };
    }
    return { ...done, source: item.source, target: item.target ?? done.target };
  });
  if (items.some((item) => item.status === 'PENDING'))
    return { kind: 'accepted', provider: outcome.provider, items, task };
  return outcomeFromItems(outcome.provider, items);
}
