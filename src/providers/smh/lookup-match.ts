/**
 * What a look at SMH targets means for items whose answer was lost (pure: no I/O). The facts come from
 * SMH's directory listing and `?info` (https://www.tencentcloud.com/document/product/1283/75453,
 * https://www.tencentcloud.com/document/product/1283/75454): `type`, and for files `size` and `crc64`
 * (CRC-64/ECMA-182 of the content, so a copy has its source's), `creationTime`, `modificationTime`,
 * `inode` (with `with_inode=1`) and `versionId`.
 *
 * The rules, per conflict strategy (a copy is never taken for one unless type, size and crc64 equal the
 * source's):
 * - FAIL (`ask`): the target holds a file created since the send → copied. With a snapshot: a target
 *   that existed before the send with the same inode → not copied (`ask` never writes over a name).
 * - RENAME: the target, or a `name (n).ext` sibling, created since the send (with a snapshot: an inode
 *   that was not there before) → copied there. Two such candidates → undecided.
 * - OVERWRITE (files): the target created, or modified, since the send (with a snapshot: a new inode, or
 *   a later `modificationTime` or another `versionId` than before) → copied. A directory under
 *   OVERWRITE behaves as under FAIL.
 * - Directories: a new directory proves the copy started, not that it finished. It is taken for the
 *   copy only when its whole tree equals the source's (the same relative paths and types, and for files
 *   the same size and crc64); a tree still filling (a copy running as an SMH task) stays undecided.
 * "Since the send" is proven by a snapshot's inodes, else by times and the gateway's own results
 * ({@link madeSinceSend}): an entry counts as made since the send when its time is after the latest
 * moment the send can have been on SMH's clock, allowing for the unit of SMH's times and of its `Date`
 * header, the offset between the clocks, and skew between SMH's servers; an entry made around the send
 * counts only when the gateway did not record it as a result of its own (an earlier request's copy a
 * moment before the send is one). Whether a copy gets a fresh `creationTime` is not documented: a copy
 * whose times predate the send is never taken for ours.
 */
import {
  madeSinceSend,
  ProducedView,
  sendWindow,
  type Json,
  type LookupPlan,
  type LookupVerdict,
  type SendWindow,
  type TargetMatching,
  type UpstreamClock,
} from '../../copy/lookups.js';
import { upstreamError } from '../../copy/errors.js';
import { DEFAULT_STRATEGY, smhPath } from './translate.js';
import type { SmhBatchCopyRequest } from './types.js';

/** Where a request's items went: the library, the destination space and user, and each item's source space. */
export interface SmhLookupScope {
  libraryId: string;
  spaceId: string;
  userId?: string;
  /** Source spaces of items copied across spaces, by request index (as text). */
  sourceSpaces?: Record<string, string>;
}

/** What SMH says about one file or directory. */
export interface SmhEntryFacts {
  name: string;
  /** `file`, `dir`, or a media library's `image`/`video`. */
  type: string;
  size?: string;
  crc64?: string;
  creationTime?: string;
  modificationTime?: string;
  inode?: string;
  versionId?: number;
}

/** One folder of the destination space as listed: its entries, or that it does not exist or could not be read. */
export type SmhFolderFacts =
  | { entries: SmhEntryFacts[] }
  | { missing: true }
  | { error: string }
  /** More entries than a look reads: what it reads says nothing about the rest. */
  | { truncated: true };

/** One source: its facts, that it does not exist (null), or that it could not be read. */
export type SmhSourceFacts = SmhEntryFacts | null | { error: string };

/**
 * What one look read (also the snapshot's shape): sources by {@link sourceKey}; target folders listed
 * whole, by path; targets read one by one (a folder holding few items, none under RENAME), by path.
 */
export interface SmhObserved {
  sources: Record<string, SmhSourceFacts>;
  folders: Record<string, SmhFolderFacts>;
  targets?: Record<string, SmhSourceFacts>;
  /**
   * Whole trees of directory sources and of the new directories that may be their copies, by
   * {@link sourceKey}: one {@link treeLine} per entry, sorted; or why the tree could not be read.
   */
  trees?: Record<string, SmhTree>;
  /** SMH's clock as the answers of the look showed it (their `Date` headers). */
  clock?: UpstreamClock | undefined;
}

/** A directory tree as lines (see {@link treeLine}), or why it could not be read whole. */
export type SmhTree = string[] | { error: string };

/** One entry of a tree, relative to its root: path, type, and for files size and crc64. */
export function treeLine(relativePath: string, entry: SmhEntryFacts): string {
  return entry.type === 'dir'
    ? `${relativePath}\tdir`
    : `${relativePath}\t${entry.type}\t${entry.size ?? '?'}\t${entry.crc64 ?? '?'}`;
}

/** The key of a source: its space and path. */
export function sourceKey(spaceId: string, path: string): string {
  return `${spaceId}:${path}`;
}

/** The folder holding `path` ('' for the space root) and its last segment. */
export function splitPath(path: string): { folder: string; name: string } {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? { folder: '', name: path } : { folder: path.slice(0, cut), name: path.slice(cut + 1) };
}

/** The space an item's source is in. */
export function sourceSpace(scope: SmhLookupScope, index: number): string {
  return scope.sourceSpaces?.[String(index)] ?? scope.spaceId;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * SMH's automatic rename: `1.jpg` → `1 (n).jpg` for files, `bar` → `bar (n)` for directories
 * (https://www.tencentcloud.com/document/product/1283/75493). Leading dots are not an extension.
 */
export function renamePattern(name: string, isDirectory: boolean): RegExp {
  if (isDirectory) return new RegExp(`^${escape(name)} \\(\\d+\\)$`);
  let lead = 0;
  while (lead < name.length && name[lead] === '.') lead += 1;
  const dot = name.lastIndexOf('.');
  const [base, ext] = dot < lead ? [name, ''] : [name.slice(0, dot), name.slice(dot)];
  return new RegExp(`^${escape(base)} \\(\\d+\\)${escape(ext)}$`);
}

const time = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));

/**
 * How far SMH's `creationTime` and `modificationTime` may be from the event they stamp: SMH does not
 * document their unit, so whole seconds (cut or rounded) are assumed, as its examples show.
 */
export const SMH_TIME_GRANULARITY_MS = 1000;

/**
 * The entries a read found where `to` is: the folder's listing, or the target read on its own; a
 * string says why neither is usable.
 */
function entriesAt(read: SmhObserved, folder: string, to: string): SmhEntryFacts[] | string {
  const listed = read.folders[folder];
  if (listed) {
    if ('error' in listed) return `the folder of ${to} could not be listed`;
    if ('truncated' in listed) return `the folder of ${to} is too large to list`;
    return 'missing' in listed ? [] : listed.entries;
  }
  const target = read.targets?.[to];
  if (target === null) return [];
  if (target === undefined || 'error' in target) return `${to} could not be read`;
  return [target];
}

function isSource(facts: SmhSourceFacts | undefined): facts is SmhEntryFacts {
  return facts !== undefined && facts !== null && !('error' in facts);
}

function sameContent(entry: SmhEntryFacts, source: SmhEntryFacts): boolean {
  if (entry.type !== source.type) return false;
  if (source.type === 'dir') return true;
  return (
    source.size !== undefined &&
    source.crc64 !== undefined &&
    entry.size === source.size &&
    entry.crc64 === source.crc64
  );
}

function conflict(to: string): LookupVerdict {
  return {
    status: 'FAILED',
    error: upstreamError(
      'SMH',
      'CONFLICT',
      `${to} existed before the copy was sent and is unchanged: under FAIL SMH never writes over a taken name, so this item was not copied.`,
      false,
    ),
  };
}

/** What a look needs to judge a directory item: its source's tree and those of the new directories near its target. */
export interface TreeReads {
  sources: Array<{ spaceId: string; path: string }>;
  /** Paths in the destination space. */
  copies: string[];
}

/**
 * The directory trees to read after a first look (`observed`, without trees): for every item whose
 * source is a directory, the source and each directory at its target (or, under RENAME, a `name (n)`
 * sibling) that is new since the send.
 */
export function treesToRead(plan: LookupPlan, indexes: readonly number[], observed: SmhObserved): TreeReads {
  const scope = plan.scope as unknown as SmhLookupScope;
  const before = plan.before as unknown as SmhObserved | undefined;
  // A superset: every directory that may be new (the gateway's own results are told apart later).
  const since: SinceSend = {
    window: sendWindow(plan.sentAt, observed.clock),
    sentAt: plan.sentAt,
    produced: ProducedView.none(),
  };
  const sources = new Map<string, { spaceId: string; path: string }>();
  const copies = new Set<string>();
  const wanted = new Set(indexes);
  for (const item of plan.items) {
    if (!wanted.has(item.index) || item.target === undefined) continue;
    const spaceId = sourceSpace(scope, item.index);
    const source = sourceFacts(before, observed, spaceId, item.source);
    if (!isSource(source) || source.type !== 'dir') continue;
    const found = newDirectories(observed, before, item.target, item.strategy, since);
    if (found.length === 0) continue;
    sources.set(sourceKey(spaceId, item.source), { spaceId, path: item.source });
    for (const path of found) copies.add(path);
  }
  return { sources: [...sources.values()], copies: [...copies] };
}

/** The source as the snapshot recorded it, else as the look found it. */
function sourceFacts(
  before: SmhObserved | undefined,
  observed: SmhObserved,
  spaceId: string,
  path: string,
): SmhSourceFacts | undefined {
  const key = sourceKey(spaceId, path);
  return isSource(before?.sources[key]) ? before?.sources[key] : observed.sources[key];
}

/** What decides whether an entry is new since the send, besides the snapshot (see {@link madeSinceSend}). */
interface SinceSend {
  window: SendWindow | undefined;
  sentAt: number;
  produced: ProducedView | undefined;
}

/**
 * Whether `entry` (at `path`) counts as new since the send: with a snapshot that has every entry's
 * inode, an inode that was not there before; else by its `creationTime` and the gateway's own results
 * ({@link madeSinceSend}).
 */
function isNewEntry(
  entry: SmhEntryFacts,
  path: string,
  known: SmhEntryFacts[] | undefined,
  since: SinceSend,
): boolean {
  if (known && known.every((e) => e.inode !== undefined)) {
    return entry.inode !== undefined && !known.some((e) => e.inode === entry.inode);
  }
  return madeSinceSend(
    path,
    entry.creationTime,
    since.window,
    SMH_TIME_GRANULARITY_MS,
    since.sentAt,
    since.produced,
  );
}

/** What the snapshot held where `to` is, when it could read it. */
function knownEntries(
  before: SmhObserved | undefined,
  folder: string,
  to: string,
): SmhEntryFacts[] | undefined {
  const then = before && entriesAt(before, folder, to);
  return typeof then === 'string' ? undefined : then;
}

/** Paths of the directories new since the send at `to` or, under RENAME, at a `name (n)` sibling. */
function newDirectories(
  observed: SmhObserved,
  before: SmhObserved | undefined,
  to: string,
  strategy: string,
  since: SinceSend,
): string[] {
  const { folder, name } = splitPath(to);
  const entries = entriesAt(observed, folder, to);
  if (typeof entries === 'string') return [];
  const known = knownEntries(before, folder, to);
  const renamed = renamePattern(name, true);
  const pathOf = (e: SmhEntryFacts) => (folder === '' ? e.name : `${folder}/${e.name}`);
  return entries
    .filter(
      (e) =>
        e.type === 'dir' &&
        (e.name === name || (strategy === 'RENAME' && renamed.test(e.name))) &&
        isNewEntry(e, pathOf(e), known, since),
    )
    .map(pathOf);
}

function sameTree(a: SmhTree | undefined, b: SmhTree | undefined): boolean {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((line, i) => line === b[i]);
}

/** The pure half of SMH's lookups (see the module comment). */
export const smhMatching: TargetMatching<SmhBatchCopyRequest> = {
  plan(request, indexes) {
    const scope: SmhLookupScope = {
      libraryId: request.libraryId,
      spaceId: request.spaceId ?? '-',
      ...(request.userId ? { userId: request.userId } : {}),
    };
    const sourceSpaces: Record<string, string> = {};
    const items = indexes.map((index) => {
      const item = request.items[index];
      if (!item) throw new Error(`no item at ${index}`);
      if (item.fromSpaceId && item.fromSpaceId !== scope.spaceId) sourceSpaces[index] = item.fromSpaceId;
      return {
        index,
        source: smhPath(item.from),
        target: smhPath(item.to),
        strategy: item.conflictStrategy ?? request.conflictStrategy ?? DEFAULT_STRATEGY,
      };
    });
    if (Object.keys(sourceSpaces).length > 0) scope.sourceSpaces = sourceSpaces;
    return { scope: scope as unknown as Json, items };
  },

  decide(plan, indexes, observedJson, claimedResults, produced) {
    const scope = plan.scope as unknown as SmhLookupScope;
    const observed = observedJson as unknown as SmhObserved;
    const before = plan.before as unknown as SmhObserved | undefined;
    const claimed = new Set(claimedResults);
    const window = sendWindow(plan.sentAt, observed.clock);
    const since: SinceSend = { window, sentAt: plan.sentAt, produced };
    const verdicts = new Map<number, LookupVerdict>();
    for (const index of [...indexes].sort((a, b) => a - b)) {
      const item = plan.items.find((i) => i.index === index);
      if (!item || item.target === undefined) continue;
      const verdict = decideItem(item.source, item.target, item.strategy);
      if (verdict.status === 'SUCCEEDED') claimed.add(verdict.result);
      verdicts.set(index, verdict);

      function decideItem(from: string, to: string, strategy: string): LookupVerdict {
        const source = sourceFacts(before, observed, sourceSpace(scope, index), from);
        if (!isSource(source)) {
          return {
            status: 'UNKNOWN',
            reason:
              source === null
                ? `the source ${from} no longer exists`
                : `the source ${from} could not be read`,
          };
        }
        const { folder, name } = splitPath(to);
        const entries = entriesAt(observed, folder, to);
        if (typeof entries === 'string') return { status: 'UNKNOWN', reason: entries };
        const known = knownEntries(before, folder, to);
        const earlier = known?.find((e) => e.name === name);
        const isDirectory = source.type === 'dir';
        const target = entries.find((e) => e.name === name);
        const resultOf = (entryName: string) => (folder === '' ? entryName : `${folder}/${entryName}`);
        const isNew = (entry: SmhEntryFacts) => isNewEntry(entry, resultOf(entry.name), known, since);
        const asks =
          strategy === 'FAIL' || (strategy === 'OVERWRITE' && (isDirectory || target?.type === 'dir'));
        if (asks && earlier && target && earlier.inode !== undefined && target.inode === earlier.inode) {
          return conflict(to);
        }
        if (isDirectory) {
          const sourceTree = observed.trees?.[sourceKey(sourceSpace(scope, index), from)];
          const copies = newDirectories(observed, before, to, strategy, since).filter(
            (path) =>
              !claimed.has(path) && sameTree(observed.trees?.[sourceKey(scope.spaceId, path)], sourceTree),
          );
          if (copies.length === 1) {
            const found = copies[0] as string;
            return { status: 'SUCCEEDED', result: found, renamed: splitPath(found).name !== name };
          }
          return {
            status: 'UNKNOWN',
            reason:
              copies.length > 1
                ? `${copies.length} copies of the directory appeared near ${to} since the send; which one is this item's cannot be told`
                : target
                  ? `${to} does not hold a whole copy of the directory ${from} (yet)`
                  : `nothing is at ${to} yet`,
          };
        }
        const candidates: SmhEntryFacts[] = [];
        if (target && sameContent(target, source)) {
          const overwritten =
            strategy === 'OVERWRITE' &&
            (earlier
              ? (target.inode !== undefined &&
                  earlier.inode !== undefined &&
                  target.inode !== earlier.inode) ||
                time(target.modificationTime) > time(earlier.modificationTime) ||
                (target.versionId !== undefined &&
                  earlier.versionId !== undefined &&
                  target.versionId !== earlier.versionId)
              : madeSinceSend(
                  to,
                  target.modificationTime,
                  window,
                  SMH_TIME_GRANULARITY_MS,
                  plan.sentAt,
                  produced,
                ));
          if (isNew(target) || overwritten) candidates.push(target);
        }
        if (strategy === 'RENAME') {
          const renamed = renamePattern(name, false);
          candidates.push(
            ...entries.filter((e) => renamed.test(e.name) && sameContent(e, source) && isNew(e)),
          );
        }
        const free = candidates.filter((e) => !claimed.has(resultOf(e.name)));
        if (free.length === 1) {
          const found = free[0] as SmhEntryFacts;
          return { status: 'SUCCEEDED', result: resultOf(found.name), renamed: found.name !== name };
        }
        if (free.length > 1) {
          return {
            status: 'UNKNOWN',
            reason: `${free.length} copies of the source appeared near ${to} since the send; which one is this item's cannot be told`,
          };
        }
        return {
          status: 'UNKNOWN',
          reason: target
            ? `${to} does not hold a copy provably made since the send`
            : `nothing is at ${to} yet`,
        };
      }
    }
    return verdicts;
  },
};
