import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import DataLoader from 'dataloader';
import type { ProviderAdapter } from './adapter.js';
import type { CallContext } from './call.js';
import { GatewayError, InputError, unknownOutcome } from './errors.js';
import type { CopyMetrics, IdempotencyPort } from './ports.js';
import type { CopyProvider } from './provider.js';
import { refusedOutcome } from './refusal.js';
import { outcomeFromItems } from './summary.js';
import { decodeTaskId, encodeTaskId, type TaskRef } from './task-id.js';
import { isResolutionRef, resolutionRefs, type ResolutionRef } from './resolution-records.js';
import type { UnknownResolver } from './resolution.js';
import type {
  BatchCopyRequest,
  BatchCopyRequestBase,
  CopyItemResult,
  CopyOutcome,
  CopyTask,
  Provider,
} from './types.js';
import { abandonedOutcome, type RequestedItem, type RunProgress } from './progress.js';
import { TaskWatchHub } from './task-watch.js';
import { readCall, waitEnd } from './wait.js';
import { idEnvelope } from './id-envelope.js';
import { TaskIdSeal, taskNotFound } from './task-id-seal.js';
import { isJobReference, upstreamCalls, type BackgroundCaller, type BackgroundJobs } from './background.js';

/** The providers a copy service answers for. */
export interface CopyServiceProviders {
  /** Every provider of the schema, configured or not: their input fields and task ids are understood. */
  providers: readonly CopyProvider[];
  /** The adapters of the configured providers; a provider without one answers UNSUPPORTED. */
  adapters: readonly ProviderAdapter[];
}

/** What a copy service may be given besides its providers and ports. */
export interface CopyServiceOptions {
  /** Where batches run in the background; absent: every batch runs inline. */
  background?: BackgroundJobs;
  /** AUTO runs a batch inline when it needs at most this many upstream calls (default 10). */
  inlineMaxUpstreamCalls?: number;
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

  #watches: TaskWatchHub | undefined;

  /** @throws Error when two providers share an id, an input field or a task id tag. */
  constructor(
    { providers, adapters }: CopyServiceProviders,
    private readonly idempotency?: IdempotencyPort,
    private readonly metrics?: CopyMetrics,
    /** Signs the task ids handed out and checks those handed back; unsigned when absent. */
    private readonly taskIds: TaskIdSeal = new TaskIdSeal(idEnvelope(undefined), { acceptV1: true }),
    /** Looks at the targets of items whose answer was lost; absent: they stay UNKNOWN. */
    private readonly resolver?: UnknownResolver,
    private readonly options: CopyServiceOptions = {},
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

  /** The task id `caller` sees for a provider's reference (and for the task it retries). */
  #issued<T extends CopyTask | null | Error>(task: T, caller: string | undefined): T {
    if (!task || task instanceof Error) return task;
    const scope = idScope(caller);
    const found: CopyTask = task;
    const issued: CopyTask = { ...found, id: this.taskIds.issue(found.id, scope) };
    if (found.retryOf !== undefined) issued.retryOf = this.taskIds.issue(found.retryOf, scope);
    return issued as T;
  }

  /** Who asks, as background jobs see it: the owner scope per provider, the upstream tokens sent, the request. */
  #who(call: CallContext & { caller?: string }): BackgroundCaller {
    return {
      owner: (provider) => callerScope(call, provider),
      tokens: call.callerTokens,
      requestId: call.requestId,
      deadline: call.deadline,
    };
  }

  #jobs(): BackgroundJobs {
    if (!this.options.background)
      throw new GatewayError('Background tasks are not enabled on this gateway.', 'UNSUPPORTED');
    return this.options.background;
  }

  /** The job reference behind a background task id `id`, or INVALID_ARGUMENT for any other task id. */
  #jobReference(id: string, caller: string | undefined, what: string): string {
    const reference = this.taskIds.accept(id, idScope(caller));
    if (!isJobReference(reference)) {
      throw new GatewayError(
        `Only background tasks (ids starting cj1_) can be ${what}; this task runs upstream.`,
        'INVALID_ARGUMENT',
        { field: 'id' },
      );
    }
    return reference;
  }

  /**
   * Whether `request` runs as a background job: BACKGROUND always, AUTO above the inline limit of
   * upstream calls. Validates a request that will (InputError), and refuses INLINE above the limit
   * (GatewayError INVALID_ARGUMENT, answered as CopyRejected).
   */
  #runsInBackground(adapter: ProviderAdapter, request: BatchCopyRequestBase): boolean {
    const execution = request.execution ?? 'AUTO';
    const shape = adapter.background;
    const limit = this.options.inlineMaxUpstreamCalls ?? 10;
    if (!shape) {
      if (execution !== 'BACKGROUND') return false;
      throw new InputError(`${adapter.provider} batches cannot run in the background.`, {
        field: 'execution',
      });
    }
    const calls = upstreamCalls(shape.describe(request).length, shape.chunkSize);
    if (execution === 'INLINE') {
      if (calls <= limit) return false;
      throw new GatewayError(
        `execution INLINE: this batch needs ${calls} upstream calls, more than the inline limit of ${limit} (INLINE_MAX_UPSTREAM_CALLS); send it with execution AUTO or BACKGROUND.`,
        'INVALID_ARGUMENT',
        { field: 'execution' },
      );
    }
    if (execution === 'AUTO' && (calls <= limit || !this.options.background)) return false;
    this.#jobs();
    shape.validate(request);
    return true;
  }

  /** `outcome` with the id `caller` sees for the task it names (accepted, or the task a finished batch ran as). */
  #issuedOutcome(outcome: CopyOutcome, caller: string | undefined): CopyOutcome {
    if (outcome.kind === 'rejected' || !outcome.task) return outcome;
    return { ...outcome, task: this.#issued(outcome.task, caller) } as CopyOutcome;
  }

  /**
   * Refuses, before a job is accepted, what an inline run would refuse before sending anything: a
   * provider this gateway lacks (UNSUPPORTED) and a missing or refused credential (UNAUTHENTICATED, or
   * a token endpoint that is unavailable). Bad input and unsupported options are refused by
   * {@link #runsInBackground} (and were, for a retried job, when it was first accepted).
   */
  async #admit(provider: Provider, request: unknown, call: CallContext): Promise<void> {
    await this.#adapter(provider).authorize(request, call);
  }

  #decode(id: string): TaskRef {
    return decodeTaskId(id, [...this.providers.map((p) => p.taskRefs), resolutionRefs]);
  }

  /**
   * Tasks by reference, in order: upstream tasks through their adapter (one batch per provider),
   * resolution records through the resolver.
   */
  async #load(refs: readonly TaskRef[], call: CallContext): Promise<Array<CopyTask | null | Error>> {
    const results: Array<CopyTask | null | Error> = new Array(refs.length).fill(null);
    const byProvider = new Map<Provider, { index: number; ref: TaskRef }[]>();
    const records: { index: number; ref: ResolutionRef }[] = [];
    refs.forEach((ref, index) => {
      if (isResolutionRef(ref)) return records.push({ index, ref });
      const list = byProvider.get(ref.provider) ?? [];
      list.push({ index, ref });
      byProvider.set(ref.provider, list);
    });
    await Promise.all([
      ...[...byProvider.entries()].map(async ([provider, entries]) => {
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
      ...records.map(async ({ index, ref }) => {
        try {
          results[index] = await this.#loadResolution(ref, call);
        } catch (error) {
          results[index] = error as Error;
        }
      }),
    ]);
    return results;
  }

  async #loadResolution(ref: ResolutionRef, call: CallContext): Promise<CopyTask | null> {
    const provider = this.providers.find((p) => p.id === ref.provider);
    if (!this.resolver || !provider) return null;
    return this.resolver.load(
      encodeTaskId(resolutionRefs, ref),
      ref,
      this.#adapter(ref.provider),
      provider,
      call,
      async (reference) => {
        const [task] = await this.#load([this.#decode(reference)], call);
        return task ?? null;
      },
    );
  }

  /**
   * Runs a batch copy with the provider whose input field is set (exactly one must be), at most once
   * per caller and idempotencyKey, then waits up to `waitSeconds` for asynchronous work.
   * @throws InputError for bad input; GatewayError when the operation fails as a whole.
   */
  async batchCopy(
    input: BatchCopyRequest,
    call: CallContext & { loaders: TaskLoaders; caller?: string; newCall?: () => CallContext },
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
      return this.#adapter(provider).requestedItems(request);
    } catch {
      return [];
    }
  }

  async #batchCopy(
    provider: Provider,
    request: BatchCopyRequestBase,
    waitSeconds: number,
    call: CallContext & { loaders: TaskLoaders; caller?: string; newCall?: () => CallContext },
  ): Promise<CopyOutcome> {
    const adapter = this.#adapter(provider);
    const chosen = this.providers.find((p) => p.id === provider) as CopyProvider;
    let submitted: CopyTask | undefined;
    // The job's answer as the idempotency record keeps it: without its items (a replay reads the job).
    const submit = async (): Promise<CopyOutcome> => {
      const { idempotencyKey: _key, waitSeconds: _wait, execution: _execution, ...work } = request;
      // Refused as inline would refuse it, not accepted to fail item by item later.
      await this.#admit(provider, request, call);
      submitted = await this.#jobs().submit(provider, work, this.#who(call));
      const task = { ...submitted, items: [] };
      // Counted once, where the job is accepted (its items PENDING): an idempotent replay never gets here.
      this.metrics?.copyOutcome({ kind: 'accepted', provider, items: submitted.items, task });
      return { kind: 'accepted', provider, items: [], task };
    };
    // Counted where the work runs: an idempotent replay never gets here.
    const inline = async (progress?: RunProgress) => {
      const runCall = progress ? { ...call, progress } : call;
      const sentAt = Date.now();
      const before = await this.resolver?.snapshot(chosen, adapter, request, runCall);
      const outcome = await adapter.batchCopy(request, runCall);
      this.metrics?.copyOutcome(outcome);
      if (!this.resolver) return outcome;
      return this.resolver.settle(
        chosen,
        adapter,
        request,
        outcome,
        { at: sentAt, before },
        runCall,
        call.newCall,
        (ref) => encodeTaskId(resolutionRefs, ref),
      );
    };
    const run = this.#runsInBackground(adapter, request) ? submit : inline;
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
      const { idempotencyKey: _key, waitSeconds: _wait, execution: _execution, ...work } = request;
      outcome = await this.idempotency.run(
        { caller: callerScope(call, provider), key },
        { provider, work },
        {
          execute: run,
          abandoned: (events) => abandonedOutcome(provider, adapter.requestedItems(request), events),
        },
        call.signal,
        call.deadline,
      );
    }
    if (outcome.kind === 'accepted' && isJobReference(outcome.task.id)) {
      const first =
        submitted?.id === outcome.task.id
          ? submitted
          : await this.#jobs().task(outcome.task.id, this.#who(call));
      if (!first) return this.#issuedOutcome(outcome, call.caller);
      const task = await this.#followTask(
        first,
        () => this.#jobs().task(first.id, this.#who(call)),
        waitEnd(waitSeconds, call),
        call,
      );
      return this.#issuedOutcome(jobOutcome(task), call.caller);
    }
    if (outcome.kind !== 'accepted' || waitSeconds === 0) return this.#issuedOutcome(outcome, call.caller);
    return this.#issuedOutcome(await this.#waitFor(outcome, waitSeconds, call), call.caller);
  }

  /**
   * Reads `first` again with `read` every WAIT_POLL_MS until it is done or `until` (epoch ms) passes;
   * the last task known. Never throws: whatever the wait runs into (the deadline, the call budget, a
   * failed read), the work goes on and the caller gets its last known state. Each read gets a call
   * context that ends before the operation's deadline.
   */
  async #followTask(
    first: CopyTask,
    read: (call: CallContext) => Promise<CopyTask | null | Error>,
    until: number,
    call: CallContext,
  ): Promise<CopyTask> {
    let task = first;
    try {
      while (!task.done) {
        const left = until - Date.now();
        if (left <= 0) break;
        await sleep(Math.min(WAIT_POLL_MS, left), undefined, { signal: call.signal });
        const loaded = await read(readCall(call, until));
        if (!loaded || loaded instanceof Error) break;
        task = loaded;
      }
    } catch {
      // keep the last known task
    }
    return task;
  }

  /**
   * Follows the outcome's upstream task until it finishes or the wait runs out, then folds its items
   * in: a finished task's outcome names it.
   */
  async #waitFor(
    outcome: Extract<CopyOutcome, { kind: 'accepted' }>,
    waitSeconds: number,
    call: CallContext,
  ): Promise<CopyOutcome> {
    const ref = this.#decode(outcome.task.id);
    const task = await this.#followTask(
      outcome.task,
      async (readCall) => (await this.#load([ref], readCall))[0] ?? null,
      waitEnd(waitSeconds, call),
      call,
    );
    if (!task.done) return { ...outcome, items: foldedItems(outcome, task), task };
    return finishedOutcome(outcome, task);
  }

  /**
   * Follows a task for a subscription: gives it now, then whenever its state or counts change, until
   * it is done or `maxMs` passes. A failure is given as an Error (the subscription's resolver turns
   * it into a GraphQL error) and ends the watch. Subscribers that follow the same task with the same
   * credentials share one poller in this process (see {@link TaskWatchHub}); every poll gets a fresh
   * CallContext (its own deadline and budget). A malformed id throws at once.
   */
  watchTask(
    id: string,
    call: { newCall: () => CallContext; caller?: string },
    options: { pollMs: number; maxMs: number },
  ): AsyncIterableIterator<CopyTask | Error> {
    const reference = this.taskIds.accept(id, idScope(call.caller));
    if (isJobReference(reference)) {
      const who = this.#who({ ...call.newCall(), caller: call.caller });
      return issuedTasks(this.#jobs().watch(reference, who, options.maxMs), (task) =>
        this.#issued(task, call.caller),
      );
    }
    const ref = this.#decode(reference);
    this.#adapter(ref.provider);
    const first = call.newCall();
    // Never shared across credentials: a subscriber only gets what its own credentials may read.
    const key = `${callerScope({ ...first, caller: call.caller }, ref.provider)}\u0000${id}`;
    this.#watches ??= new TaskWatchHub(options.pollMs);
    return this.#watches.watch(
      key,
      async () => this.#issued((await this.#load([ref], call.newCall()))[0] ?? null, call.caller),
      options.maxMs,
    );
  }

  /**
   * For work that keeps its own records of items (background jobs): looks at the targets of the UNKNOWN
   * items of `outcome` (the answer to `request`, first sent at `sentAt`) in the background, never
   * sending anything again, and hands `onLook` the items after each look until every one is settled
   * or the window ends (`done`); the window runs from `since` (epoch ms; default now). `newCall` gives
   * each look its own call context. A promise settled when the looks end (never rejected), or false
   * when nothing will be looked at (no UNKNOWN item, UNKNOWN_RESOLUTION=off, a provider without lookups).
   */
  followUnknown(
    provider: Provider,
    request: unknown,
    outcome: CopyOutcome,
    sentAt: number,
    newCall: () => CallContext,
    onLook: (items: CopyItemResult[], done: boolean) => Promise<void> | void,
    since?: number,
  ): Promise<void> | false {
    const chosen = this.providers.find((p) => p.id === provider);
    const adapter = this.#adapters.get(provider);
    if (!this.resolver || !chosen || !adapter) return false;
    return this.resolver.follow(chosen, adapter, request, outcome, { at: sentAt }, newCall, onLook, since);
  }

  /**
   * Cancels a background task: once this answers, no new upstream call starts for it.
   * @throws GatewayError INVALID_ARGUMENT for an upstream task's id, NOT_FOUND for an unknown one.
   */
  async cancelTask(id: string, call: CallContext & { caller?: string }): Promise<CopyTask> {
    const reference = this.#jobReference(id, call.caller, 'cancelled');
    const task = await this.#jobs().cancel(reference, this.#who(call));
    if (!task) throw taskNotFound();
    return this.#issued(task, call.caller);
  }

  /**
   * A new background task, linked by `retryOf`, for the items of a finished background task that
   * FAILED with retryable: true; a task is retried at most once, and a later or concurrent call for it
   * answers that same retry task in its current state.
   * @throws GatewayError INVALID_ARGUMENT (still running, nothing to retry, an upstream task), NOT_FOUND.
   */
  async retryTask(id: string, call: CallContext & { caller?: string }): Promise<CopyOutcome> {
    const reference = this.#jobReference(id, call.caller, 'retried');
    const task = await this.#jobs().retry(reference, this.#who(call), (provider, request) =>
      this.#admit(provider, request, call),
    );
    if (!task) throw taskNotFound();
    return this.#issuedOutcome(jobOutcome(task), call.caller);
  }

  /** A task by id through the request's loader (one upstream query per batch of ids). */
  loadTask(id: string, context: { loaders: TaskLoaders }): Promise<CopyTask | null> {
    return context.loaders.task.load(id);
  }

  /** A new loader per request: copyTask fields of one request share upstream calls, never across callers. */
  createTaskLoader(call: CallContext, caller?: string): DataLoader<string, CopyTask | null> {
    return new DataLoader<string, CopyTask | null>(async (ids) => {
      const results: Array<CopyTask | null | Error> = new Array(ids.length);
      const valid: { index: number; reference: string; ref: TaskRef }[] = [];
      const jobs: Promise<void>[] = [];
      const scope = idScope(caller);
      ids.forEach((id, index) => {
        try {
          // Checked before anything is sent: a made-up or foreign id never reaches an upstream.
          const reference = this.taskIds.accept(id, scope);
          if (isJobReference(reference)) {
            const read = this.#jobs().task(reference, this.#who({ ...call, caller }));
            jobs.push(
              read.then(
                (task) => void (results[index] = this.#issued(task, caller)),
                (error: Error) => void (results[index] = error),
              ),
            );
          } else valid.push({ index, reference, ref: this.#decode(reference) });
        } catch (error) {
          results[index] = error as Error;
        }
      });
      // Job records and upstream tasks are read at the same time.
      const [, loaded] = await Promise.all([
        Promise.all(jobs),
        this.#load(
          valid.map((v) => v.ref),
          call,
        ),
      ]);
      valid.forEach(({ index, reference }, k) => {
        const task = loaded[k] ?? null;
        // The task the caller's id names answers with that id (not signed a second time).
        results[index] =
          task && !(task instanceof Error) && task.id === reference
            ? { ...task, id: this.taskIds.reissue(reference, scope, ids[index] as string) }
            : this.#issued(task, caller);
      });
      return results;
    });
  }

  /** Closes the background jobs (calls in flight finish), every adapter, the idempotency store and the resolver. */
  async close(): Promise<void> {
    await this.options.background?.close();
    await Promise.all([
      ...[...this.#adapters.values()].map((a) => a.close()),
      this.idempotency?.close(),
      this.resolver?.close(),
    ]);
  }
}

/** `tasks` with each task given the id its caller sees; ending the result ends `tasks`. */
async function* issuedTasks(
  tasks: AsyncIterableIterator<CopyTask | Error>,
  issue: (task: CopyTask) => CopyTask,
): AsyncGenerator<CopyTask | Error> {
  try {
    for await (const task of tasks) yield task instanceof Error ? task : issue(task);
  } finally {
    await tasks.return?.();
  }
}

/** Who a task id is issued to: the API key's name; without API keys, anyone (the upstream decides). */
function idScope(caller: string | undefined): string {
  return caller ? `key:${caller}` : '';
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

/**
 * The batch answer once its task has finished: task items replace the PENDING ones, and the answer
 * names the task (so that it can be read again, and a background one retried).
 */
export function finishedOutcome(outcome: CopyOutcome, task: CopyTask): CopyOutcome {
  const items = foldedItems(outcome, task);
  if (items.some((item) => item.status === 'PENDING'))
    return { kind: 'accepted', provider: outcome.provider, items, task };
  return outcomeFromItems(outcome.provider, items, undefined, task);
}

/** The answer for a background task: CopyAccepted while it runs, its finished outcome (naming it) once done. */
function jobOutcome(task: CopyTask): CopyOutcome {
  const outcome: CopyOutcome = { kind: 'accepted', provider: task.provider, items: task.items, task };
  return task.done ? finishedOutcome(outcome, task) : outcome;
}

/**
 * The answer's items with what the task knows of them: its finished items replace the PENDING ones,
 * and its items replace the UNKNOWN ones it is looking at.
 */
function foldedItems(outcome: CopyOutcome, task: CopyTask): CopyItemResult[] {
  const byIndex = new Map(task.items.map((item) => [item.index, item]));
  return outcome.items.map((item): CopyItemResult => {
    // An UNKNOWN item the task covers is being looked at: the task has its latest state.
    if (item.status === 'UNKNOWN') return byIndex.get(item.index) ?? item;
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
}
