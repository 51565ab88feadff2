import type { CallContext } from '../../copy/call.js';
import {
  mergeClocks,
  upstreamClock,
  type Json,
  type LookupPlan,
  type TargetReads,
} from '../../copy/lookups.js';
import type { TokenSource } from '../../credentials/token-source.js';
import { withToken } from '../../credentials/with-token.js';
import type { UpstreamOperation } from '../../upstream/ports.js';
import { mapBounded } from '../kit/concurrency.js';
import { callScope } from '../kit/call-scope.js';
import { isSafeToRetryRead, withRetry, type RetryPolicy } from '../kit/retry.js';
import type { SmhClient, SmhScope } from './client.js';
import {
  sourceKey,
  sourceSpace,
  splitPath,
  treeLine,
  treesToRead,
  type SmhEntryFacts,
  type SmhFolderFacts,
  type SmhLookupScope,
  type SmhObserved,
  type SmhSourceFacts,
  type SmhTree,
} from './lookup-match.js';
import type { SmhWireEntry } from './wire.js';

/** Entries per listing page: SMH's documented maximum. */
const PAGE_LIMIT = 1000;
/** Pages one look reads of one folder: a folder of more than 10,000 entries is not listed whole. */
const MAX_PAGES = 10;
/** Up to this many items in one folder, none under RENAME, are read one by one instead of listing it. */
const MAX_SINGLE_READS = 2;
/** Entries one look reads of directory trees (sources and candidate copies together). */
const MAX_TREE_ENTRIES = 5000;

function facts(entry: SmhWireEntry, name: string): SmhEntryFacts {
  const out: SmhEntryFacts = { name: entry.name ?? name, type: entry.type ?? '' };
  if (entry.size !== undefined && entry.size !== null) out.size = String(entry.size);
  if (typeof entry.crc64 === 'string') out.crc64 = entry.crc64;
  if (typeof entry.creationTime === 'string') out.creationTime = entry.creationTime;
  if (typeof entry.modificationTime === 'string') out.modificationTime = entry.modificationTime;
  if (entry.inode !== undefined && entry.inode !== null) out.inode = String(entry.inode);
  if (typeof entry.versionId === 'number') out.versionId = entry.versionId;
  return out;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * SMH's reads for settling UNKNOWN items: one `?info` per distinct source, and one marker listing
 * (1000 entries a page) per destination folder, whatever the number of items in it. Every call takes
 * one unit of the operation's call budget and goes through the adapter's HTTP client.
 */
export class SmhTargetReads implements TargetReads {
  constructor(
    private readonly client: SmhClient,
    private readonly tokens: TokenSource,
    private readonly limits: { concurrency: number; retry: RetryPolicy },
  ) {}

  snapshot(plan: LookupPlan, call: CallContext): Promise<Json> {
    return this.#read(
      plan,
      plan.items.map((i) => i.index),
      call,
      'target_snapshot',
      false,
    );
  }

  observe(plan: LookupPlan, indexes: readonly number[], call: CallContext): Promise<Json> {
    return this.#read(plan, indexes, call, 'target_lookup', true);
  }

  async #read(
    plan: LookupPlan,
    indexes: readonly number[],
    call: CallContext,
    operation: UpstreamOperation,
    skipKnownSources: boolean,
  ): Promise<Json> {
    const scope = plan.scope as unknown as SmhLookupScope;
    const before = plan.before as unknown as SmhObserved | undefined;
    const wanted = new Set(indexes);
    const items = plan.items.filter((i) => wanted.has(i.index) && i.target !== undefined);
    const sources = new Map<string, { spaceId: string; path: string }>();
    const byFolder = new Map<string, { targets: string[]; renames: boolean }>();
    for (const item of items) {
      const spaceId = sourceSpace(scope, item.index);
      const key = sourceKey(spaceId, item.source);
      const known = before?.sources[key];
      // The source as it was when the copy was sent, when the snapshot has it.
      if (!(skipKnownSources && known && !('error' in known)))
        sources.set(key, { spaceId, path: item.source });
      const path = splitPath(item.target as string).folder;
      const folder = byFolder.get(path) ?? { targets: [], renames: false };
      folder.targets.push(item.target as string);
      folder.renames ||= item.strategy === 'RENAME';
      byFolder.set(path, folder);
    }
    // A folder is listed once for all its items; a folder holding few items, none renamed, is not
    // listed at all (its size does not matter then): each target is read on its own.
    const listed = (f: { targets: string[]; renames: boolean }) =>
      f.renames || f.targets.length > MAX_SINGLE_READS;
    const folders = [...byFolder.entries()].filter(([, f]) => listed(f)).map(([path]) => path);
    const targets = [...byFolder.values()].flatMap((f) => (listed(f) ? [] : [...new Set(f.targets)]));
    const observed: SmhObserved = {
      sources: {},
      folders: {},
      ...(targets.length > 0 ? { targets: {} } : {}),
    };
    const base = { libraryId: scope.libraryId, userId: scope.userId, ...callScope(call) };
    const send = <T>(spaceId: string, fn: (scope: SmhScope) => Promise<T>): Promise<T> => {
      if (!call.budget.tryReserve(1)) throw new Error('the call budget of this operation is spent');
      return withToken(this.tokens, scope.libraryId, call.callerTokens.SMH, call, (token) =>
        withRetry(
          (retry) => fn({ ...base, spaceId, token, retry }),
          isSafeToRetryRead,
          this.limits.retry,
          call,
        ),
      );
    };
    const jobs: Array<() => Promise<void>> = [
      ...[...sources.entries()].map(([key, { spaceId, path }]) => async () => {
        let found: SmhSourceFacts;
        try {
          const askedAt = Date.now();
          const { entry, date } = await send(spaceId, (s) => this.client.info(s, path, operation));
          observed.clock = mergeClocks(observed.clock, upstreamClock(date, askedAt));
          found = entry ? facts(entry, splitPath(path).name) : null;
        } catch (error) {
          found = { error: message(error) };
        }
        observed.sources[key] = found;
      }),
      ...targets.map((path) => async () => {
        let found: SmhSourceFacts;
        try {
          const askedAt = Date.now();
          const { entry, date } = await send(scope.spaceId, (s) => this.client.info(s, path, operation));
          observed.clock = mergeClocks(observed.clock, upstreamClock(date, askedAt));
          found = entry ? facts(entry, splitPath(path).name) : null;
        } catch (error) {
          found = { error: message(error) };
        }
        (observed.targets as Record<string, SmhSourceFacts>)[path] = found;
      }),
      ...folders.map((folder) => async () => {
        observed.folders[folder] = await this.#list(
          folder,
          (fn) => send(scope.spaceId, fn),
          operation,
          (date, askedAt) => {
            observed.clock = mergeClocks(observed.clock, upstreamClock(date, askedAt));
          },
        );
      }),
    ];
    await mapBounded(jobs, this.limits.concurrency, (job) => job());
    if (operation === 'target_lookup') await this.#trees(plan, indexes, observed, send);
    return observed as unknown as Json;
  }

  /**
   * Reads the trees a directory item is judged by (its source and the new directories that may be its
   * copy), at most {@link MAX_TREE_ENTRIES} entries in all: a tree past that is not compared.
   */
  async #trees(
    plan: LookupPlan,
    indexes: readonly number[],
    observed: SmhObserved,
    send: <T>(spaceId: string, fn: (scope: SmhScope) => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const { sources, copies } = treesToRead(plan, indexes, observed);
    if (sources.length === 0) return;
    const spaceId = (plan.scope as unknown as SmhLookupScope).spaceId;
    const roots = [...sources, ...copies.map((path) => ({ spaceId, path }))];
    let left = MAX_TREE_ENTRIES;
    const trees: Record<string, SmhTree> = {};
    const walk = async (root: { spaceId: string; path: string }): Promise<SmhTree> => {
      const lines: string[] = [];
      const visit = async (dir: string, prefix: string): Promise<void> => {
        let marker: string | undefined;
        do {
          const answer = await send(root.spaceId, (s) =>
            this.client.listPage(s, dir, { marker, limit: PAGE_LIMIT }, 'target_lookup'),
          );
          if (answer === null) throw new Error(`${dir} does not exist`);
          for (const wire of answer.contents) {
            if ((left -= 1) < 0) throw new Error('the directories hold too many entries to compare');
            const entry = facts(wire, wire.name ?? '');
            lines.push(treeLine(`${prefix}${entry.name}`, entry));
            if (entry.type === 'dir') await visit(`${dir}/${entry.name}`, `${prefix}${entry.name}/`);
          }
          marker = answer.nextMarker;
        } while (marker !== undefined);
      };
      try {
        await visit(root.path, '');
        return lines.sort();
      } catch (error) {
        return { error: message(error) };
      }
    };
    await mapBounded(roots, this.limits.concurrency, async (root) => {
      trees[sourceKey(root.spaceId, root.path)] = await walk(root);
    });
    observed.trees = trees;
  }

  async #list(
    folder: string,
    send: <T>(fn: (scope: SmhScope) => Promise<T>) => Promise<T>,
    operation: UpstreamOperation,
    clock: (date: string | undefined, askedAt: number) => void,
  ): Promise<SmhFolderFacts> {
    const entries: SmhEntryFacts[] = [];
    let marker: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const askedAt = Date.now();
        const answer = await send((s) =>
          this.client.listPage(s, folder, { marker, limit: PAGE_LIMIT }, operation),
        );
        if (answer === null) return { missing: true };
        clock(answer.date, askedAt);
        entries.push(...answer.contents.map((e) => facts(e, e.name ?? '')));
        if (answer.nextMarker === undefined) return { entries };
        marker = answer.nextMarker;
      }
      return { truncated: true };
    } catch (error) {
      return { error: message(error) };
    }
  }
}
