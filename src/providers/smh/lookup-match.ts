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
 * - Directories: a new directory proves the copy started, not that it finished; they stay undecided
 *   unless a snapshot proves a conflict.
 * Whether a copy gets a fresh `creationTime` is not documented: a copy whose times predate the send is
 * never taken for ours, so such an item stays UNKNOWN rather than being resolved wrongly.
 */
import {
  copiedSince,
  type Json,
  type LookupVerdict,
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
  /** SMH's clock as a listing answer showed it. */
  clock?: UpstreamClock;
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

  decide(plan, indexes, observedJson, claimedResults) {
    const scope = plan.scope as unknown as SmhLookupScope;
    const observed = observedJson as unknown as SmhObserved;
    const before = plan.before as unknown as SmhObserved | undefined;
    const claimed = new Set(claimedResults);
    const since = copiedSince(plan.sentAt, observed.clock);
    const verdicts = new Map<number, LookupVerdict>();
    for (const index of [...indexes].sort((a, b) => a - b)) {
      const item = plan.items.find((i) => i.index === index);
      if (!item || item.target === undefined) continue;
      const verdict = decideItem(item.source, item.target, item.strategy);
      if (verdict.status === 'SUCCEEDED') claimed.add(verdict.result);
      verdicts.set(index, verdict);

      function decideItem(from: string, to: string, strategy: string): LookupVerdict {
        const key = sourceKey(sourceSpace(scope, index), from);
        const source = isSource(before?.sources[key]) ? before?.sources[key] : observed.sources[key];
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
        const then = before && entriesAt(before, folder, to);
        const known = typeof then === 'string' ? undefined : then;
        const earlier = known?.find((e) => e.name === name);
        const isDirectory = source.type === 'dir';
        const target = entries.find((e) => e.name === name);
        const resultOf = (entryName: string) => (folder === '' ? entryName : `${folder}/${entryName}`);
        // New since the send: with a snapshot, an inode that was not there; without, created since.
        const isNew = (entry: SmhEntryFacts) =>
          known
            ? entry.inode !== undefined && !known.some((e) => e.inode === entry.inode)
            : time(entry.creationTime) >= since;
        const asks =
          strategy === 'FAIL' || (strategy === 'OVERWRITE' && (isDirectory || target?.type === 'dir'));
        if (asks && earlier && target && earlier.inode !== undefined && target.inode === earlier.inode) {
          return conflict(to);
        }
        if (isDirectory) {
          return {
            status: 'UNKNOWN',
            reason: target
              ? `a directory is at ${to}, but whether a directory copy finished cannot be told from its target`
              : `nothing is at ${to} yet`,
          };
        }
        const candidates: SmhEntryFacts[] = [];
        if (target && sameContent(target, source)) {
          const overwritten =
            strategy === 'OVERWRITE' &&
            (earlier
              ? target.inode !== earlier.inode ||
                time(target.modificationTime) > time(earlier.modificationTime) ||
                target.versionId !== earlier.versionId
              : time(target.modificationTime) >= since);
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
          reason: target ? `${to} does not hold a copy made since the send` : `nothing is at ${to} yet`,
        };
      }
    }
    return verdicts;
  },
};
