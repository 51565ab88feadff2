/**
 * What a look at a DingTalk target folder means for items whose answer was lost (pure: no I/O). The
 * facts come from GetDentries and ListDentries
 * (https://help.dingtalk.io/open/development/get-file-or-folder-information-in-bulk,
 * https://help.dingtalk.io/open/development/get-a-list-of-files-or-folders): `id`, `name`, `type`,
 * `size` (files), `version`, `status`, `createTime` and `modifiedTime` (ISO 8601, whole seconds).
 * DingTalk gives no content hash and a copy names no source, so a copy is recognised by name, type and
 * size, and by being new since the send:
 * - FAIL: an entry with the source's name, created since the send (with a snapshot: an id that was not
 *   in the folder before) → copied. With a snapshot, a name taken before by an entry that still exists
 *   under the same id → not copied (`dentryAlreadyExist`).
 * - RENAME (AUTO_RENAME): the same, or a renamed variant (same extension, a name that starts with the
 *   source's base name; DingTalk does not document its rename format) → copied. Two candidates →
 *   undecided.
 * - OVERWRITE: a new entry with the name, or the entry with the name modified since the send (with a
 *   snapshot: a later `modifiedTime` or `version` than before) with the source's size → copied.
 * - KEEP_EXISTING (RETURN_DENTRY_IF_EXISTS): a new entry with the name → copied. With a snapshot, a
 *   name taken before by an entry that still exists → that entry is the answer (nothing is copied by
 *   design).
 * - Folders: a new folder proves the copy started, not that it finished (a folder with entries copies
 *   as a task whose id was lost with the answer): it is taken for the copy only when its whole tree
 *   (names, types, file sizes) equals the source's, which also proves the copy finished.
 * "New since the send" is proven by a snapshot's ids, else by times and the gateway's own results
 * ({@link madeSinceSend}): an entry counts as new when its time is after the latest moment the send can
 * have been on DingTalk's clock, allowing for whole-second times and `Date` headers, the offset between
 * the clocks, and skew between DingTalk's servers; an entry made around the send counts only when the
 * gateway did not record it as a result of its own (an earlier request's copy a moment before the send
 * is one). A copy made but dated earlier (which the docs do not exclude) stays UNKNOWN.
 */
import { upstreamError } from '../../copy/errors.js';
import {
  madeSinceSend,
  sendWindow,
  type Json,
  type ProducedView,
  type LookupPlan,
  type LookupVerdict,
  type SendWindow,
  type TargetMatching,
  type UpstreamClock,
} from '../../copy/lookups.js';
import { DEFAULT_STRATEGY } from './translate.js';
import type { DingTalkBatchCopyRequest } from './types.js';

/** Where a request's items went. */
export interface DingTalkLookupScope {
  /** The sources' space. */
  spaceId: string;
  unionId: string;
  targetSpaceId: string;
  targetFolderId: string;
}

/** What DingTalk says about one dentry. */
export interface DingTalkDentryFacts {
  id: string;
  name: string;
  /** Upper case: `FILE` or `FOLDER`. */
  type: string;
  size?: number;
  version?: number;
  status?: string;
  createTime?: string;
  modifiedTime?: string;
}

/** A dentry's facts, that it does not exist (null), or that it could not be read. */
export type DingTalkDentryRead = DingTalkDentryFacts | null | { error: string };

/** The target folder as read: its entries, or that it does not exist or could not be read whole. */
export type DingTalkFolderRead =
  { entries: DingTalkDentryFacts[] } | { missing: true } | { error: string } | { truncated: true };

/**
 * What one look read (the snapshot has the same shape): the sources by id; the target folder (after
 * the send: its entries modified since, newest first; in a snapshot: all of them); and, with a
 * snapshot, the entries that held the items' names before, read again by id.
 */
export interface DingTalkObserved {
  sources: Record<string, DingTalkDentryRead>;
  folder: DingTalkFolderRead;
  /** Trees of source folders and of candidate copies, by folder id: `path type size` lines, sorted. */
  trees?: Record<string, string[] | { error: string }>;
  known?: Record<string, DingTalkDentryRead>;
  /** DingTalk's clock as the listing's answers showed it (their `Date` headers). */
  clock?: UpstreamClock | undefined;
}

const time = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));

/** DingTalk's `createTime` and `modifiedTime` have whole seconds (cut or rounded). */
export const DINGTALK_TIME_GRANULARITY_MS = 1000;

/** The ids the snapshot saw in the target folder, when it read the folder whole. */
export function knownIds(before: DingTalkObserved | undefined): Set<string> | undefined {
  const entries = entriesOf(before?.folder);
  return entries && new Set(entries.map((e) => e.id));
}

/**
 * Whether a dentry counts as new since the send: with a snapshot of the whole folder, an id that was
 * not in it; else by its `createTime` and the gateway's own results ({@link madeSinceSend}).
 */
export function isNewDentry(
  entry: DingTalkDentryFacts,
  known: ReadonlySet<string> | undefined,
  window: SendWindow | undefined,
  sentAt: number,
  produced: ProducedView | undefined,
): boolean {
  return known
    ? !known.has(entry.id)
    : madeSinceSend(entry.id, entry.createTime, window, DINGTALK_TIME_GRANULARITY_MS, sentAt, produced);
}

/** The send's window on DingTalk's clock, as a look's answers showed it. */
export function lookWindow(plan: LookupPlan, observed: DingTalkObserved): SendWindow | undefined {
  return sendWindow(plan.sentAt, observed.clock);
}

function isFacts(read: DingTalkDentryRead | undefined): read is DingTalkDentryFacts {
  return read !== undefined && read !== null && !('error' in read);
}

function present(read: DingTalkDentryRead | undefined): read is DingTalkDentryFacts {
  return isFacts(read) && (read.status === undefined || read.status === 'NORMAL');
}

/** The base name and extension (with its dot) of a file name; folders have no extension. */
function split(name: string, isFile: boolean): { base: string; ext: string } {
  const dot = isFile ? name.lastIndexOf('.') : -1;
  return dot > 0 ? { base: name.slice(0, dot), ext: name.slice(dot) } : { base: name, ext: '' };
}

/** Longest suffix a renamed variant may add to the base name (e.g. `(1)`, ` (12)`, `_copy`). */
const MAX_RENAME_SUFFIX = 16;

/** Whether `name` reads as an automatic rename of `source` (loosely: the format is undocumented). */
export function isRenamedVariant(name: string, source: string, isFile: boolean): boolean {
  if (name === source) return false;
  const { base, ext } = split(source, isFile);
  if (!name.startsWith(base) || !name.endsWith(ext)) return false;
  const middle = name.slice(base.length, name.length - ext.length);
  return middle.length > 0 && middle.length <= MAX_RENAME_SUFFIX && !middle.includes('.');
}

/** Whether a folder named `name` may be the copy of folder `source` under `strategy`. */
export function isFolderCandidate(name: string, source: string, strategy: string): boolean {
  return name === source || (strategy === 'RENAME' && isRenamedVariant(name, source, false));
}

function sameTree(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** Entries of a read folder that is usable: its entries, or none when it does not exist. */
function entriesOf(folder: DingTalkFolderRead | undefined): DingTalkDentryFacts[] | undefined {
  if (!folder) return undefined;
  if ('entries' in folder) return folder.entries;
  return 'missing' in folder ? [] : undefined;
}

/** The pure half of DingTalk's lookups (see the module comment). */
export const dingTalkMatching: TargetMatching<DingTalkBatchCopyRequest> = {
  plan(request, indexes) {
    const scope: DingTalkLookupScope = {
      spaceId: request.spaceId,
      unionId: request.unionId,
      targetSpaceId: request.targetSpaceId,
      targetFolderId: request.targetFolderId,
    };
    const strategy = request.conflictStrategy ?? DEFAULT_STRATEGY;
    const items = indexes.map((index) => {
      const source = request.dentryIds[index];
      if (source === undefined) throw new Error(`no item at ${index}`);
      return { index, source, target: request.targetFolderId, strategy };
    });
    return { scope: scope as unknown as Json, items };
  },

  decide(plan, indexes, observedJson, claimedResults, produced) {
    const observed = observedJson as unknown as DingTalkObserved;
    const before = plan.before as unknown as DingTalkObserved | undefined;
    const claimed = new Set(claimedResults);
    const window = lookWindow(plan, observed);
    const earlierEntries = entriesOf(before?.folder);
    const earlierIds = knownIds(before);
    const verdicts = new Map<number, LookupVerdict>();
    for (const index of [...indexes].sort((a, b) => a - b)) {
      const item = plan.items.find((i) => i.index === index);
      if (!item) continue;
      const verdict = decideItem(item.source, item.strategy);
      if (verdict.status === 'SUCCEEDED') claimed.add(verdict.result);
      verdicts.set(index, verdict);
    }
    return verdicts;

    function decideItem(sourceId: string, strategy: string): LookupVerdict {
      const source = present(before?.sources[sourceId])
        ? before?.sources[sourceId]
        : observed.sources[sourceId];
      if (!present(source)) {
        return {
          status: 'UNKNOWN',
          reason:
            source === null
              ? `the source ${sourceId} no longer exists`
              : `the source ${sourceId} could not be read`,
        };
      }
      const recent = entriesOf(observed.folder);
      if (!recent) return { status: 'UNKNOWN', reason: 'the target folder could not be listed' };
      const isFile = source.type === 'FILE';
      // With a snapshot, the entry that held the name before, and what it is now.
      const earlier = earlierEntries?.find((e) => e.name === source.name);
      const earlierNow = earlier ? observed.known?.[earlier.id] : undefined;
      if (earlier && present(earlierNow)) {
        if (strategy === 'FAIL') {
          return {
            status: 'FAILED',
            error: upstreamError(
              'DINGTALK',
              'CONFLICT',
              `The target folder held ${source.name} (${earlier.id}) before the copy was sent and still does: under FAIL DingTalk answers dentryAlreadyExist, so this item was not copied.`,
              false,
              { code: 'dentryAlreadyExist' },
            ),
          };
        }
        if (strategy === 'KEEP_EXISTING') return { status: 'SUCCEEDED', result: earlier.id, renamed: false };
      }
      const isNew = (e: DingTalkDentryFacts) => isNewDentry(e, earlierIds, window, plan.sentAt, produced);
      if (!isFile) {
        const sourceTree = observed.trees?.[source.id];
        const found = recent.filter(
          (e) =>
            present(e) &&
            e.type === source.type &&
            isNew(e) &&
            !claimed.has(e.id) &&
            isFolderCandidate(e.name, source.name, strategy),
        );
        const complete = found.filter((e) => {
          const tree = observed.trees?.[e.id];
          return Array.isArray(sourceTree) && Array.isArray(tree) && sameTree(tree, sourceTree);
        });
        if (complete.length === 1)
          return { status: 'SUCCEEDED', result: (complete[0] as DingTalkDentryFacts).id, renamed: false };
        return {
          status: 'UNKNOWN',
          reason:
            complete.length > 1
              ? `${complete.length} copies of the folder ${source.name} appeared since the send`
              : found.length > 0
                ? `a folder ${source.name} appeared since the send, but its tree does not equal the source's yet`
                : `no copy of the folder ${source.name} provably made since the send is in the target folder yet`,
        };
      }
      const same = (e: DingTalkDentryFacts) =>
        present(e) && e.type === source.type && e.size !== undefined && e.size === source.size;
      const candidates = recent.filter((e) => {
        if (!same(e)) return false;
        if (isNew(e)) {
          return (
            e.name === source.name || (strategy === 'RENAME' && isRenamedVariant(e.name, source.name, isFile))
          );
        }
        if (strategy !== 'OVERWRITE' || e.name !== source.name) return false;
        // Overwritten in place: modified since the send (with a snapshot: later than it was).
        if (earlier && earlier.id === e.id) {
          return (
            time(e.modifiedTime) > time(earlier.modifiedTime) || (e.version ?? 0) > (earlier.version ?? 0)
          );
        }
        return (
          !earlier &&
          madeSinceSend(e.id, e.modifiedTime, window, DINGTALK_TIME_GRANULARITY_MS, plan.sentAt, produced)
        );
      });
      const free = candidates.filter((e) => !claimed.has(e.id));
      if (free.length === 1)
        return { status: 'SUCCEEDED', result: (free[0] as DingTalkDentryFacts).id, renamed: false };
      if (free.length > 1) {
        return {
          status: 'UNKNOWN',
          reason: `${free.length} entries like ${source.name} appeared in the target folder since the send; which one is this item's cannot be told`,
        };
      }
      return {
        status: 'UNKNOWN',
        reason: `no copy of ${source.name} provably made since the send is in the target folder yet`,
      };
    }
  },
};
