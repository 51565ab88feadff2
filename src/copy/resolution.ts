/**
 * Settling items whose answer was lost by looking at their targets, never by sending them again
 * (provider-neutral: the provider's `lookups` plan and decide, its adapter's `targetReads` read).
 *
 * An item that became UNKNOWN is looked at after a grace period (the upstream may still be applying
 * the request), then again with a doubling interval (at most {@link MAX_INTERVAL_MS}) until the
 * window ends. A look that finds the copy makes the item SUCCEEDED with the copy as `result`; a look
 * that proves the copy cannot have run (snapshot mode) makes it FAILED; both with `evidence`
 * TARGET_LOOKUP. Anything else leaves it UNKNOWN, with `checkedAt`.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderAdapter } from './adapter.js';
import type { CallContext } from './call.js';
import {
  ProducedView,
  type Json,
  type LookupPlan,
  type LookupVerdict,
  type ResolutionMode,
  type TargetMatching,
  type TargetReads,
} from './lookups.js';
import { producedWhere, succeededResults, type ProducedRegistry } from './produced.js';
import type { Logger } from './ports.js';
import {
  resolutionTask,
  type ResolutionRecord,
  type ResolutionRef,
  type ResolutionStore,
} from './resolution-records.js';
import { outcomeFromItems } from './summary.js';
import type { CopyItemResult, CopyOutcome, CopyTask, Provider } from './types.js';

/** The longest wait between two looks at the same items. */
export const MAX_INTERVAL_MS = 60_000;
/** How long records stay readable after their window ended. */
const RETENTION_MS = 24 * 3600_000;
/** A look due this long ago that nobody made (its gateway stopped): a reader of the task makes it. */
const STALE_MS = 5_000;
/** Time a first look needs before the request's deadline, besides the grace period. */
const LOOK_MS = 1_000;
/**
 * Most times a look asks the registry of the gateway's own results (each decision may name entries
 * not asked about yet); past that it decides by time alone.
 */
const MAX_REGISTRY_ROUNDS = 4;

/** `UNKNOWN_RESOLUTION`, `UNKNOWN_GRACE_MS`, `UNKNOWN_WINDOW_SECONDS`. */
export interface ResolutionSettings {
  mode: ResolutionMode;
  graceMs: number;
  windowMs: number;
}

/** What resolution reports to metrics. */
export interface ResolutionMetrics {
  /** One per item settled (`succeeded`, `failed`) or given up when the window ended (`unresolved`). */
  resolution(provider: Provider, outcome: 'succeeded' | 'failed' | 'unresolved'): void;
}

/** A provider's two halves of lookups. */
interface Lookups {
  matching: TargetMatching;
  reads: TargetReads;
}

/** The wait before look number `checks` (0: the first), from the previous one. */
export function lookDelay(graceMs: number, checks: number): number {
  return Math.min(graceMs * 2 ** checks, Math.max(graceMs, MAX_INTERVAL_MS));
}

/** Results other items already hold: a copy found for one item is never given to another. */
function claimedResults(items: readonly CopyItemResult[]): Set<string> {
  return new Set(items.flatMap((item) => (item.status !== 'UNKNOWN' && item.result ? [item.result] : [])));
}

/** The items with each verdict applied: settled ones get TARGET_LOOKUP, undecided ones `checkedAt`. */
export function applyVerdicts(
  items: readonly CopyItemResult[],
  verdicts: ReadonlyMap<number, LookupVerdict>,
  checkedAt: Date,
): CopyItemResult[] {
  return items.map((item) => {
    const verdict = verdicts.get(item.index);
    if (item.status !== 'UNKNOWN' || !verdict) return item;
    if (verdict.status === 'UNKNOWN') return { ...item, checkedAt };
    const { error: _lost, ...rest } = item;
    if (verdict.status === 'SUCCEEDED') {
      return {
        ...rest,
        status: 'SUCCEEDED',
        result: verdict.result,
        renamed: verdict.renamed,
        evidence: 'TARGET_LOOKUP',
        checkedAt,
      };
    }
    return { ...rest, status: 'FAILED', error: verdict.error, evidence: 'TARGET_LOOKUP', checkedAt };
  });
}

/**
 * Looks at targets for the copy service: once inside the request when its deadline allows, then from
 * a record that the request's task reads, on a timer in this process (and by any reader of the task
 * when the process that owned the looks stopped).
 */
export class UnknownResolver {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(
    readonly settings: ResolutionSettings,
    private readonly store: ResolutionStore,
    private readonly log: Logger,
    private readonly metrics?: ResolutionMetrics,
    private readonly now: () => number = Date.now,
    private readonly produced?: ProducedRegistry,
  ) {}

  #lookups(provider: { lookups?: TargetMatching }, adapter: ProviderAdapter): Lookups | undefined {
    if (this.settings.mode === 'off' || !provider.lookups || !adapter.targetReads) return undefined;
    return { matching: provider.lookups, reads: adapter.targetReads };
  }

  /**
   * The targets before anything is sent (snapshot mode; undefined otherwise or when a read fails: the
   * looks afterwards then decide without it).
   */
  async snapshot(
    provider: { id: Provider; lookups?: TargetMatching },
    adapter: ProviderAdapter,
    request: unknown,
    call: CallContext,
  ): Promise<LookupPlan['before']> {
    const lookups = this.#lookups(provider, adapter);
    if (this.settings.mode !== 'snapshot' || !lookups) return undefined;
    try {
      const indexes = adapter.requestedItems(request).map((_item, index) => index);
      const plan = lookups.matching.plan(request, indexes);
      return await lookups.reads.snapshot({ ...plan, provider: provider.id, sentAt: this.now() }, call);
    } catch (error) {
      call.log.warn(
        { err: error },
        'recording the targets before sending failed; looks afterwards go without',
      );
      return undefined;
    }
  }

  /**
   * The outcome with its UNKNOWN items looked at: one look after the grace period when the deadline
   * allows; items still UNKNOWN then go on in a record whose task the answer gives (CopyAccepted).
   * `newCall` gives the later looks their own call context (the caller's credentials).
   */
  async settle(
    provider: { id: Provider; lookups?: TargetMatching },
    adapter: ProviderAdapter,
    request: unknown,
    outcome: CopyOutcome,
    sent: { at: number; before?: LookupPlan['before'] },
    call: CallContext,
    newCall: (() => CallContext) | undefined,
    issueRef: (ref: ResolutionRef) => string,
  ): Promise<CopyOutcome> {
    const planned =
      outcome.kind === 'rejected'
        ? undefined
        : this.#plan(provider, adapter, request, outcome, sent, call.log);
    if (!planned) return outcome;
    const { lookups, plan, unknown } = planned;
    const unknownAt = this.now();
    let items = outcome.items;
    let checks = 0;
    const deadline = call.deadline ?? Number.POSITIVE_INFINITY;
    if (unknownAt + this.settings.graceMs + LOOK_MS <= deadline) {
      try {
        await sleep(this.settings.graceMs, undefined, { signal: call.signal });
        items = await this.#look(lookups, plan, items, call);
        checks = 1;
      } catch (error) {
        call.log.warn({ err: error }, 'looking at the targets of UNKNOWN items failed');
      }
    }
    const open = items.filter((item) => item.status === 'UNKNOWN');
    if (open.length === 0 || !newCall) return this.#settled(outcome, items);

    // Looks go on after the answer: in a record the answer's task reads.
    const record: ResolutionRecord = {
      id: randomBytes(16).toString('base64url'),
      provider: provider.id,
      plan,
      items: items.filter((item) => unknown.includes(item.index)),
      pending: items.filter((item) => item.status === 'PENDING'),
      ...(outcome.kind === 'accepted' ? { upstreamTask: outcome.task.id } : {}),
      unknownAt,
      windowEndsAt: unknownAt + this.settings.windowMs,
      checks,
      nextCheckAt: Math.min(this.now() + this.#delayAfter(checks), unknownAt + this.settings.windowMs),
      done: false,
    };
    try {
      await this.store.put(record, this.settings.windowMs + RETENTION_MS);
    } catch (error) {
      call.log.warn({ err: error }, 'the resolution record could not be stored; the items stay UNKNOWN');
      return this.#settled(outcome, items);
    }
    this.#schedule(record.id, lookups, newCall);
    const id = issueRef({ provider: provider.id, resolution: record.id });
    const task = resolutionTask(
      id,
      record,
      outcome.kind === 'accepted' ? outcome.task : undefined,
      new Date(),
    );
    return { kind: 'accepted', provider: provider.id, items, task };
  }

  /**
   * Looks at the targets of `outcome`'s UNKNOWN items in the background, for work that keeps its own
   * records (a background job's chunk): after the grace period, then with a doubling interval until
   * every item is settled or the window ends, `onLook` gets the items after each look (`done` on the
   * last). The window runs from `since` (epoch ms; default now: looks taken over from a gateway that
   * stopped go on in the window they began). `newCall` gives each look its own call context. A promise
   * settled when the looks end (after the last `onLook`, when this resolver closes, or when a look's
   * record fails; never rejected), or false when there is nothing to look at (no UNKNOWN item,
   * resolution off, or a provider without lookups).
   */
  follow(
    provider: { id: Provider; lookups?: TargetMatching },
    adapter: ProviderAdapter,
    request: unknown,
    outcome: CopyOutcome,
    sent: { at: number; before?: LookupPlan['before'] },
    newCall: () => CallContext,
    onLook: (items: CopyItemResult[], done: boolean) => Promise<void> | void,
    since = this.now(),
  ): Promise<void> | false {
    // The work's own logger (a job's carries its request id and job id), not the resolver's.
    const first = newCall();
    const { log } = first;
    (first as { endOperation?: () => void }).endOperation?.();
    const planned = this.#plan(provider, adapter, request, outcome, sent, log);
    if (!planned) return false;
    const { lookups, plan, unknown } = planned;
    const windowEndsAt = since + this.settings.windowMs;
    const run = async () => {
      let items = outcome.items;
      for (let checks = 0; !this.#closed; checks++) {
        await sleep(
          Math.max(0, Math.min(lookDelay(this.settings.graceMs, checks), windowEndsAt - this.now())),
          undefined,
          {
            ref: false,
          },
        );
        if (this.#closed) return;
        const call = newCall();
        const before = items;
        try {
          items = await this.#look(lookups, plan, items, call);
        } catch (error) {
          call.log.warn({ err: error }, 'looking at the targets of UNKNOWN items failed');
        } finally {
          (call as { endOperation?: () => void }).endOperation?.();
        }
        const done =
          !items.some((item) => item.status === 'UNKNOWN' && unknown.includes(item.index)) ||
          this.now() >= windowEndsAt;
        for (const item of items) {
          if (before[item.index]?.status === 'UNKNOWN' && item.status !== 'UNKNOWN')
            this.#count(provider.id, item);
          else if (done && item.status === 'UNKNOWN' && unknown.includes(item.index))
            this.metrics?.resolution(provider.id, 'unresolved');
        }
        await onLook(items, done);
        if (done) return;
      }
    };
    return run().catch((error) => log.warn({ err: error }, 'following UNKNOWN items failed'));
  }

  /** The lookups and plan for `outcome`'s UNKNOWN items, or undefined when there is nothing to look at. */
  #plan(
    provider: { id: Provider; lookups?: TargetMatching },
    adapter: ProviderAdapter,
    request: unknown,
    outcome: CopyOutcome,
    sent: { at: number; before?: LookupPlan['before'] },
    log: Logger,
  ): { lookups: Lookups; plan: LookupPlan; unknown: number[] } | undefined {
    const lookups = this.#lookups(provider, adapter);
    const unknown = outcome.items.filter((item) => item.status === 'UNKNOWN').map((item) => item.index);
    if (!lookups || unknown.length === 0) return undefined;
    try {
      const plan: LookupPlan = {
        ...lookups.matching.plan(request, unknown),
        provider: provider.id,
        sentAt: sent.at,
        ...(sent.before === undefined ? {} : { before: sent.before }),
        claimed: [...claimedResults(outcome.items)],
      };
      return { lookups, plan, unknown };
    } catch (error) {
      log.warn({ err: error }, 'no lookup plan for the UNKNOWN items');
      return undefined;
    }
  }

  /** The outcome with settled items; an accepted one keeps its upstream task. */
  #settled(outcome: CopyOutcome, items: CopyItemResult[]): CopyOutcome {
    for (const item of items) {
      const before = outcome.items[item.index];
      if (before?.status === 'UNKNOWN' && item.status !== 'UNKNOWN') this.#count(outcome.provider, item);
    }
    if (outcome.kind === 'accepted') return { ...outcome, items };
    return outcomeFromItems(outcome.provider, items);
  }

  #count(provider: Provider, item: CopyItemResult): void {
    this.metrics?.resolution(provider, item.status === 'SUCCEEDED' ? 'succeeded' : 'failed');
  }

  /** Time from the look numbered `checks` to the next (the first look comes after the grace period). */
  #delayAfter(checks: number): number {
    return lookDelay(this.settings.graceMs, checks);
  }

  /** One look at the plan's UNKNOWN items among `items`; throws when the reads fail as a whole. */
  async #look(
    lookups: Lookups,
    plan: LookupPlan,
    items: readonly CopyItemResult[],
    call: CallContext,
  ): Promise<CopyItemResult[]> {
    const open = new Set(plan.items.map((i) => i.index));
    const indexes = items.filter((i) => i.status === 'UNKNOWN' && open.has(i.index)).map((i) => i.index);
    if (indexes.length === 0) return [...items];
    const observed = await lookups.reads.observe(plan, indexes, call);
    const claimed = new Set([...(plan.claimed ?? []), ...claimedResults(items)]);
    const verdicts = await this.#decide(lookups.matching, plan, indexes, observed, claimed);
    const looked = applyVerdicts(items, verdicts, new Date(this.now()));
    const found = looked.filter((item, k) => items[k]?.status === 'UNKNOWN');
    await this.produced?.record(plan.provider, producedWhere(plan.scope), succeededResults(found));
    return looked;
  }

  /**
   * The matcher's verdicts, told which entries are the gateway's own earlier results: each decision
   * names the entries it needs told about, the registry is asked for those, and the matcher decides
   * again until it needs nothing new. When the registry cannot answer, by time alone.
   */
  async #decide(
    matching: TargetMatching,
    plan: LookupPlan,
    indexes: readonly number[],
    observed: Json,
    claimed: ReadonlySet<string>,
  ): Promise<Map<number, LookupVerdict>> {
    const registry = this.produced;
    if (!registry) return matching.decide(plan, indexes, observed, claimed);
    const view = new ProducedView();
    const where = producedWhere(plan.scope);
    for (let round = 0; round <= MAX_REGISTRY_ROUNDS; round++) {
      const verdicts = matching.decide(plan, indexes, observed, claimed, view);
      if (view.missing.size === 0) return verdicts;
      if (round === MAX_REGISTRY_ROUNDS) break;
      const answers = await registry.recorded(plan.provider, where, [...view.missing], plan.sentAt);
      if (!answers) break;
      view.add(answers);
    }
    return matching.decide(plan, indexes, observed, claimed);
  }

  #schedule(id: string, lookups: Lookups, newCall: () => CallContext, delayMs?: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timers.get(id));
    // The looks' own logger once a look has its call (it carries the asking request's id).
    let log = this.log;
    const run = async () => {
      this.#timers.delete(id);
      const record = await this.store.get(id).catch(() => undefined);
      if (!record || record.done) return;
      const wait = record.nextCheckAt - this.now();
      if (wait > 0) return this.#schedule(id, lookups, newCall, wait);
      const call = newCall();
      log = call.log;
      try {
        const next = await this.#advance(record, lookups, call);
        if (!next.done) this.#schedule(id, lookups, newCall, next.nextCheckAt - this.now());
      } finally {
        (call as { endOperation?: () => void }).endOperation?.();
      }
    };
    const timer = setTimeout(
      () => void run().catch((error) => log.warn({ err: error }, 'a look failed')),
      Math.max(0, delayMs ?? 0),
    );
    timer.unref();
    this.#timers.set(id, timer);
  }

  /** One look for a record, stored; when the window has passed, the record is closed instead. */
  async #advance(record: ResolutionRecord, lookups: Lookups, call: CallContext): Promise<ResolutionRecord> {
    let items = record.items;
    let looked = false;
    try {
      items = await this.#look(lookups, record.plan, [...record.pending, ...record.items], call);
      items = items.filter((item) => record.items.some((r) => r.index === item.index));
      looked = true;
    } catch (error) {
      call.log.warn({ err: error, resolution: record.id }, 'looking at the targets of UNKNOWN items failed');
    }
    const now = this.now();
    const checks = record.checks + (looked ? 1 : 0);
    const open = items.some((item) => item.status === 'UNKNOWN');
    // The last look is made when the window ends.
    const nextCheckAt = Math.min(now + this.#delayAfter(checks), record.windowEndsAt);
    const done = !open || now >= record.windowEndsAt;
    for (const item of items) {
      const was = record.items.find((r) => r.index === item.index);
      if (was?.status === 'UNKNOWN' && item.status !== 'UNKNOWN') this.#count(record.provider, item);
      else if (done && item.status === 'UNKNOWN') this.metrics?.resolution(record.provider, 'unresolved');
    }
    const next: ResolutionRecord = {
      ...record,
      items,
      checks,
      nextCheckAt,
      done,
    };
    await this.store.put(next, Math.max(0, record.windowEndsAt - now) + RETENTION_MS);
    return next;
  }

  /**
   * The task of a resolution record, or null when the record is gone. `loadUpstream` reads the upstream
   * task of the request's PENDING items. A look that is overdue (the gateway that owned the record
   * stopped) is made now with the reader's call.
   */
  async load(
    id: string,
    ref: ResolutionRef,
    adapter: ProviderAdapter,
    provider: { lookups?: TargetMatching },
    call: CallContext,
    loadUpstream: (reference: string) => Promise<CopyTask | null | Error>,
  ): Promise<CopyTask | null> {
    let record = await this.store.get(ref.resolution);
    if (!record || record.provider !== ref.provider) return null;
    const lookups = this.#lookups(provider, adapter);
    if (
      lookups &&
      !record.done &&
      !this.#timers.has(record.id) &&
      this.now() >= record.nextCheckAt + STALE_MS
    ) {
      record = await this.#advance(record, lookups, call);
    }
    let upstream: CopyTask | null | undefined;
    if (record.upstreamTask) {
      const loaded = await loadUpstream(record.upstreamTask);
      upstream = loaded instanceof Error ? undefined : loaded;
    }
    return resolutionTask(id, record, upstream, new Date(this.now()));
  }

  /** Stops the timers of this process (records stay; a reader of their task takes the looks over). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all([this.store.close(), this.produced?.close()]);
  }
}
