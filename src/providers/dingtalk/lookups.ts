import type { CallContext } from '../../copy/call.js';
import {
  maybeAfter,
  mergeClocks,
  ProducedView,
  sendWindow,
  upstreamClock,
  type Json,
  type LookupPlan,
  type TargetReads,
  type UpstreamClock,
} from '../../copy/lookups.js';
import type { TokenSource } from '../../credentials/token-source.js';
import { withToken } from '../../credentials/with-token.js';
import type { UpstreamOperation } from '../../upstream/ports.js';
import { chunk, mapBounded } from '../kit/concurrency.js';
import { callScope } from '../kit/call-scope.js';
import { isSafeToRetryRead, withRetry, type RetryPolicy } from '../kit/retry.js';
import type { DingTalkClient, DingTalkScope } from './client.js';
import {
  DINGTALK_TIME_GRANULARITY_MS,
  isFolderCandidate,
  isNewDentry,
  knownIds,
  lookWindow,
  type DingTalkDentryFacts,
  type DingTalkDentryRead,
  type DingTalkFolderRead,
  type DingTalkLookupScope,
  type DingTalkObserved,
} from './lookup-match.js';
import type { DingTalkWireDentry } from './wire.js';

/** GetDentries takes at most 30 ids of one space. */
const QUERY_IDS = 30;
/** ListDentries gives at most 50 entries a page. */
const PAGE_SIZE = 50;
/** Pages one look reads: entries modified since the send beyond 1,000 are not read. */
const MAX_LOOK_PAGES = 20;
/** Pages a snapshot reads: a target folder of more than 2,000 entries is not recorded whole. */
const MAX_SNAPSHOT_PAGES = 40;
/** Entries one look reads of the trees of folders (sources and candidate copies together). */
const MAX_TREE_ENTRIES = 500;
/** Managed DingTalk tokens belong to the app, not to a library: one scope. */
const APP_SCOPE = 'app';

function facts(d: DingTalkWireDentry): DingTalkDentryFacts {
  const out: DingTalkDentryFacts = { id: d.id, name: d.name ?? '', type: (d.type ?? '').toUpperCase() };
  const size = d.size === undefined ? Number.NaN : Number(d.size);
  if (Number.isFinite(size)) out.size = size;
  const version = d.version === undefined ? Number.NaN : Number(d.version);
  if (Number.isFinite(version)) out.version = version;
  if (d.status !== undefined) out.status = d.status;
  if (d.createTime !== undefined) out.createTime = d.createTime;
  if (d.modifiedTime !== undefined) out.modifiedTime = d.modifiedTime;
  return out;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * DingTalk's reads for settling UNKNOWN items: GetDentries for the sources (30 ids a call), one
 * ListDentries walk of the target folder by MODIFIED_TIME, newest first, until entries surely predate
 * the send (50 a page), and, with a snapshot, GetDentries for the entries that held the items' names
 * before. Every call takes one unit of the operation's call budget and goes through the adapter's
 * HTTP client.
 */
export class DingTalkTargetReads implements TargetReads {
  constructor(
    private readonly client: DingTalkClient,
    private readonly tokens: TokenSource,
    private readonly limits: { concurrency: number; retry: RetryPolicy },
  ) {}

  #send<T>(call: CallContext, scope: DingTalkLookupScope, fn: (s: DingTalkScope) => Promise<T>): Promise<T> {
    if (!call.budget.tryReserve(1)) throw new Error('the call budget of this operation is spent');
    return withToken(this.tokens, APP_SCOPE, call.callerTokens.DINGTALK, call, (token) =>
      withRetry(
        (retry) => fn({ unionId: scope.unionId, token, ...callScope(call), retry }),
        isSafeToRetryRead,
        this.limits.retry,
        call,
      ),
    );
  }

  async #query(
    call: CallContext,
    scope: DingTalkLookupScope,
    spaceId: string,
    ids: readonly string[],
    operation: UpstreamOperation,
  ): Promise<Record<string, DingTalkDentryRead>> {
    const found: Record<string, DingTalkDentryRead> = {};
    await mapBounded(chunk([...new Set(ids)], QUERY_IDS), this.limits.concurrency, async (batch) => {
      try {
        const items = await this.#send(call, scope, (s) =>
          this.client.getDentries(spaceId, batch, s, operation),
        );
        for (const id of batch) {
          const item = items.find((i) => i.dentryId === id || i.dentry?.id === id);
          if (item?.success === true && item.dentry) found[id] = facts(item.dentry);
          else if (item?.errorCode === 'dentryNotExist') found[id] = null;
          else found[id] = { error: item?.errorCode ?? 'no result' };
        }
      } catch (error) {
        for (const id of batch) found[id] = { error: message(error) };
      }
    });
    return found;
  }

  /**
   * The target folder, newest modification first: every page (`sentAt` undefined), or until an entry
   * was surely last modified before the send at `sentAt` (gateway epoch ms), as the answers' `Date`
   * headers place it on DingTalk's clock (every entry that may be new since the send is read).
   */
  async #list(
    call: CallContext,
    scope: DingTalkLookupScope,
    operation: UpstreamOperation,
    maxPages: number,
    sentAt?: number,
  ): Promise<{ folder: DingTalkFolderRead; clock?: UpstreamClock | undefined }> {
    const entries: DingTalkDentryFacts[] = [];
    let clock: UpstreamClock | undefined;
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < maxPages; page++) {
        const askedAt = Date.now();
        const answer = await this.#send(call, scope, (s) =>
          this.client.listDentries(
            scope.targetSpaceId,
            scope.targetFolderId,
            { nextToken, orderBy: 'MODIFIED_TIME', order: 'DESC', maxResults: PAGE_SIZE },
            s,
            operation,
          ),
        );
        if (answer === null) return { folder: { missing: true }, clock };
        clock = mergeClocks(clock, upstreamClock(answer.date, askedAt));
        const read = answer.dentries.map(facts);
        entries.push(...read);
        const last = read.at(-1);
        const window = sentAt === undefined ? undefined : sendWindow(sentAt, clock);
        const older =
          window !== undefined &&
          last?.modifiedTime !== undefined &&
          !maybeAfter(last.modifiedTime, window, DINGTALK_TIME_GRANULARITY_MS);
        if (answer.nextToken === undefined || older) return { folder: { entries }, clock };
        nextToken = answer.nextToken;
      }
      return { folder: { truncated: true }, clock };
    } catch (error) {
      return { folder: { error: message(error) }, clock };
    }
  }

  /**
   * The trees of source folders and of the new folders that may be their copies (a folder is taken for
   * a copy only when its tree equals the source's), at most {@link MAX_TREE_ENTRIES} entries in all.
   */
  async #trees(
    call: CallContext,
    scope: DingTalkLookupScope,
    items: readonly { source: string; strategy: string }[],
    plan: LookupPlan,
    before: DingTalkObserved | undefined,
    observed: DingTalkObserved,
  ): Promise<void> {
    const window = lookWindow(plan, observed);
    const earlier = knownIds(before);
    const recent = ('entries' in observed.folder ? observed.folder.entries : []).filter((e) =>
      isNewDentry(e, earlier, window, plan.sentAt, ProducedView.none()),
    );
    const wanted: { id: string; spaceId: string }[] = [];
    for (const item of items) {
      const source = before?.sources[item.source] ?? observed.sources[item.source];
      if (!source || 'error' in source || source.type !== 'FOLDER') continue;
      const candidates = recent.filter(
        (e) => e.type === 'FOLDER' && isFolderCandidate(e.name, source.name, item.strategy),
      );
      if (candidates.length === 0) continue;
      wanted.push({ id: source.id, spaceId: scope.spaceId });
      candidates.forEach((c) => wanted.push({ id: c.id, spaceId: scope.targetSpaceId }));
    }
    if (wanted.length === 0) return;
    const trees: Record<string, string[] | { error: string }> = {};
    let budget = MAX_TREE_ENTRIES;
    for (const { id, spaceId } of wanted) {
      if (trees[id]) continue;
      try {
        const lines: string[] = [];
        const walk = async (folderId: string, prefix: string): Promise<void> => {
          let nextToken: string | undefined;
          do {
            const answer = await this.#send(call, scope, (s) =>
              this.client.listDentries(
                spaceId,
                folderId,
                { nextToken, orderBy: 'NAME', order: 'ASC', maxResults: PAGE_SIZE },
                s,
                'target_lookup',
              ),
            );
            if (answer === null) throw new Error(`folder ${folderId} does not exist`);
            for (const d of answer.dentries.map(facts)) {
              if ((budget -= 1) < 0) throw new Error('the folders hold too many entries to compare');
              const path = `${prefix}${d.name}`;
              lines.push(`${path}\u0000${d.type}\u0000${d.size ?? ''}`);
              if (d.type === 'FOLDER') await walk(d.id, `${path}/`);
            }
            nextToken = answer.nextToken;
          } while (nextToken !== undefined);
        };
        await walk(id, '');
        trees[id] = lines.sort();
      } catch (error) {
        trees[id] = { error: message(error) };
      }
    }
    observed.trees = trees;
  }

  async snapshot(plan: LookupPlan, call: CallContext): Promise<Json> {
    const scope = plan.scope as unknown as DingTalkLookupScope;
    const [sources, { folder }] = await Promise.all([
      this.#query(
        call,
        scope,
        scope.spaceId,
        plan.items.map((i) => i.source),
        'target_snapshot',
      ),
      this.#list(call, scope, 'target_snapshot', MAX_SNAPSHOT_PAGES),
    ]);
    const snapshot: DingTalkObserved = { sources, folder };
    return snapshot as unknown as Json;
  }

  async observe(plan: LookupPlan, indexes: readonly number[], call: CallContext): Promise<Json> {
    const scope = plan.scope as unknown as DingTalkLookupScope;
    const before = plan.before as unknown as DingTalkObserved | undefined;
    const wanted = new Set(indexes);
    const items = plan.items.filter((i) => wanted.has(i.index));
    // The sources as they were when the copy was sent, when the snapshot has them.
    const unknownSources = items
      .map((i) => i.source)
      .filter((id) => !before?.sources[id] || 'error' in (before.sources[id] ?? {}));
    const [sources, listed] = await Promise.all([
      this.#query(call, scope, scope.spaceId, unknownSources, 'target_lookup'),
      this.#list(call, scope, 'target_lookup', MAX_LOOK_PAGES, plan.sentAt),
    ]);
    const observed: DingTalkObserved = { sources, folder: listed.folder };
    if (listed.clock) observed.clock = listed.clock;
    await this.#trees(call, scope, items, plan, before, observed);
    const earlier = before && 'entries' in before.folder ? before.folder.entries : undefined;
    if (earlier) {
      const names = new Set(
        items.flatMap((i) => {
          const source = before?.sources[i.source] ?? sources[i.source];
          return source && !('error' in source) ? [source.name] : [];
        }),
      );
      const ids = earlier.filter((e) => names.has(e.name)).map((e) => e.id);
      if (ids.length > 0)
        observed.known = await this.#query(call, scope, scope.targetSpaceId, ids, 'target_lookup');
    }
    return observed as unknown as Json;
  }
}
