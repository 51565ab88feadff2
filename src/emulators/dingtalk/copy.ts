/**
 * Batch copy over a DentryStore, without HTTP or clock (the time arrives in the request). Request-level
 * problems found before any work throw EmulatorError; problems with one source dentry become a failed
 * result item; a request-level failure rule (see {@link RequestFailureRule}) may end the request after
 * some work ran. A non-empty folder gets its root copied now and its contents planned for a background
 * task, which the caller starts through `startTask`.
 * Upstream page: https://help.dingtalk.io/open/development/copy-files-or-folders-in-bulk
 */
import { EmulatorError } from '../kit/errors.js';
import { ROOT_ID, type DentryStore, type DentryType } from './store.js';

export type { RequestFailureRule } from './store.js';

/** DingTalk's `option.conflictStrategy` values. */
export const DINGTALK_CONFLICT_STRATEGIES = [
  'AUTO_RENAME',
  'OVERWRITE',
  'RETURN_DENTRY_IF_EXISTS',
  'RETURN_ERROR_IF_EXISTS',
] as const;
/** One of {@link DINGTALK_CONFLICT_STRATEGIES}. */
export type DingTalkConflictStrategy = (typeof DINGTALK_CONFLICT_STRATEGIES)[number];

/** True for a known `option.conflictStrategy` value. */
export function isDingTalkConflictStrategy(value: unknown): value is DingTalkConflictStrategy {
  return typeof value === 'string' && (DINGTALK_CONFLICT_STRATEGIES as readonly string[]).includes(value);
}

/** One batch copy request as the emulator runs it. */
export interface DingTalkCopyRequest {
  unionId: string;
  sourceSpaceId: string;
  targetSpaceId: string;
  targetFolderId: string;
  dentryIds: string[];
  strategy: DingTalkConflictStrategy;
  /** Milliseconds since the epoch on the emulator clock: the time the copies get. */
  now: number;
}

/** Field order follows the SDK model; absent fields are left out, as the docs require for async items. */
export interface ResultItem {
  spaceId: string;
  dentryId: string;
  async: boolean;
  success?: boolean;
  errorCode?: string;
  taskId?: string;
  targetSpaceId?: string;
  targetDentryId?: string;
}

/** One entry below a copied folder, captured when the copy was requested. */
export interface SubItemPlan {
  sourceId: string;
  sourceParentId: string;
  name: string;
  type: DentryType;
  /** Bytes, for files. */
  size?: number;
  /** Set when this entry is known to fail (flagged by a test, or not copyable for the operator). */
  failCode?: string;
}

/** The work of one async folder copy: the root already created and the entries below it to copy. */
export interface AsyncCopyPlan {
  sourceSpaceId: string;
  sourceRootId: string;
  targetSpaceId: string;
  targetRootId: string;
  targetFolderId: string;
  /** The operator, who becomes the creator of the copies. */
  unionId: string;
  subItems: SubItemPlan[];
}

/** What one copy of one id did: the target it created or overwrote, when it did. */
export interface DingTalkCopiedItem {
  dentryId: string;
  targetSpaceId: string;
  targetDentryId: string;
}

/** What a batch copy did. */
export interface DingTalkCopyOutcome {
  items: ResultItem[];
  /** Items that actually created or overwrote something. */
  executed: number;
  /** The ids that ran (created or overwrote something), in order. */
  copied: DingTalkCopiedItem[];
  /** Set when a request-level failure rule ended the request: the answer is this error, not `items`. */
  requestError?: EmulatorError;
}

/** Checks the parts of a request whose failure rejects it as a whole, before any work happens. */
export function checkCopyTargets(store: DentryStore, req: DingTalkCopyRequest): void {
  if (!store.getSpace(req.sourceSpaceId)) {
    throw new EmulatorError(404, 'spaceNotExist', `space ${req.sourceSpaceId} does not exist`);
  }
  const target = store.getSpace(req.targetSpaceId);
  if (!target) throw new EmulatorError(404, 'spaceNotExist', `space ${req.targetSpaceId} does not exist`);
  if (req.targetFolderId !== ROOT_ID) {
    const folder = store.getDentry(req.targetFolderId);
    if (!folder || folder.spaceId !== req.targetSpaceId) {
      throw new EmulatorError(404, 'dentryNotExist', `target folder ${req.targetFolderId} does not exist`);
    }
    if (folder.type !== 'FOLDER') {
      throw new EmulatorError(400, 'paramError.targetFolderId', `${req.targetFolderId} is not a folder`);
    }
  }
  if (target.quota !== undefined) {
    let needed = 0;
    for (const id of req.dentryIds) {
      const d = store.getDentry(id);
      if (d && d.spaceId === req.sourceSpaceId) needed += 1 + store.descendants(id).length;
    }
    if (store.countInSpace(target.id) + needed > target.quota) {
      throw new EmulatorError(
        400,
        'spaceQuotaInsufficient',
        `space ${target.id} has no room for ${needed} entries`,
      );
    }
  }
}

/** Runs one batch copy; throws EmulatorError for a request refused before any work. */
export function batchCopy(
  store: DentryStore,
  req: DingTalkCopyRequest,
  startTask: (plan: AsyncCopyPlan) => string,
): DingTalkCopyOutcome {
  checkCopyTargets(store, req);
  const faulty = req.dentryIds.findIndex((id) => store.requestFailure(id) !== undefined);
  const faultyId = req.dentryIds[faulty];
  const rule = faultyId === undefined ? undefined : store.takeRequestFailure(faultyId);
  const othersRun = rule?.othersRun ?? 'none';
  const runs = (i: number): boolean =>
    !rule || (i !== faulty && (othersRun === 'all' || (othersRun === 'before' && i < faulty)));
  const outcome: DingTalkCopyOutcome = { items: [], executed: 0, copied: [] };
  req.dentryIds.forEach((dentryId, i) => {
    if (!runs(i)) return;
    const one = copyOne(store, req, dentryId, startTask);
    outcome.items.push(one.item);
    if (one.copied) {
      outcome.executed += 1;
      outcome.copied.push(one.copied);
    }
  });
  if (rule) {
    const status = rule.status ?? (rule.errorCode === 'permissionDenied' ? 403 : 400);
    outcome.requestError = new EmulatorError(status, rule.errorCode, `${rule.errorCode}: dentry ${faultyId}`);
  }
  return outcome;
}

function copyOne(
  store: DentryStore,
  req: DingTalkCopyRequest,
  dentryId: string,
  startTask: (plan: AsyncCopyPlan) => string,
): { item: ResultItem; copied?: DingTalkCopiedItem } {
  const base = { spaceId: req.sourceSpaceId, dentryId };
  const fail = (errorCode: string) => ({ item: { ...base, async: false, success: false, errorCode } });
  const copied = (targetDentryId: string): DingTalkCopiedItem => ({
    dentryId,
    targetSpaceId: req.targetSpaceId,
    targetDentryId,
  });
  const done = (targetDentryId: string, executed: boolean) => ({
    item: { ...base, async: false, success: true, targetSpaceId: req.targetSpaceId, targetDentryId },
    ...(executed && { copied: copied(targetDentryId) }),
  });

  const source = store.getDentry(dentryId);
  if (!source || source.spaceId !== req.sourceSpaceId) return fail('dentryNotExist');
  if (!store.canCopy(source.id, req.unionId)) return fail('permissionDenied');
  const flagged = store.failOnCopy(source.id);
  if (flagged) return fail(flagged);
  // A folder cannot be copied into itself or below itself: the copy would contain itself.
  if (source.type === 'FOLDER' && store.isSelfOrDescendant(req.targetFolderId, source.id)) {
    return fail('paramError.targetFolderId');
  }

  // Captured before any overwrite: the overwritten entry may be the source or contain it.
  const subItems: SubItemPlan[] = store.descendants(source.id).map((d) => {
    const failCode =
      store.failOnCopy(d.id) ?? (store.canCopy(d.id, req.unionId) ? undefined : 'permissionDenied');
    const plan: SubItemPlan = { sourceId: d.id, sourceParentId: d.parentId, name: d.name, type: d.type };
    if (d.size !== undefined) plan.size = d.size;
    if (failCode !== undefined) plan.failCode = failCode;
    return plan;
  });

  let name = source.name;
  const existing = store.findChild(req.targetSpaceId, req.targetFolderId, source.name);
  if (existing) {
    switch (req.strategy) {
      case 'RETURN_DENTRY_IF_EXISTS':
        return done(existing.id, false);
      case 'RETURN_ERROR_IF_EXISTS':
        return fail('dentryAlreadyExist');
      case 'AUTO_RENAME':
        name = store.freeName(req.targetSpaceId, req.targetFolderId, source.name, source.type);
        break;
      case 'OVERWRITE':
        // The docs do not say what OVERWRITE does to ids; the emulator's reading: a file onto a file is a new
        // version of the same dentry, anything else is replaced by a new dentry.
        if (existing.type === 'FILE' && source.type === 'FILE') {
          store.overwrite(existing.id, { size: source.size, now: req.now, modifierId: req.unionId });
          return done(existing.id, true);
        }
        store.remove(existing.id);
        break;
    }
  }

  const root = store.createDentry({
    spaceId: req.targetSpaceId,
    parentId: req.targetFolderId,
    name,
    type: source.type,
    now: req.now,
    creatorId: req.unionId,
    ...(source.size !== undefined && { size: source.size }),
  });
  if (subItems.length === 0) return done(root.id, true);

  const taskId = startTask({
    sourceSpaceId: req.sourceSpaceId,
    sourceRootId: source.id,
    targetSpaceId: req.targetSpaceId,
    targetRootId: root.id,
    targetFolderId: req.targetFolderId,
    unionId: req.unionId,
    subItems,
  });
  return {
    item: { ...base, async: true, taskId, targetSpaceId: req.targetSpaceId, targetDentryId: root.id },
    copied: copied(root.id),
  };
}

/** Where a running copy task keeps track of what it has created so far. */
export interface CopyProgress {
  /** source dentry id → id of its copy */
  copied: Map<string, string>;
  /** source dentry id → error code */
  failed: Map<string, string>;
}

/** The progress of a plan that has created only its root so far. */
export function newCopyProgress(plan: AsyncCopyPlan): CopyProgress {
  return { copied: new Map([[plan.sourceRootId, plan.targetRootId]]), failed: new Map() };
}

/**
 * Copies one planned entry. Entries below a failed folder fail with the folder's code, since there is
 * nowhere to put them. Returns the error code, or undefined on success.
 */
export function copySubItem(
  store: DentryStore,
  plan: AsyncCopyPlan,
  progress: CopyProgress,
  sub: SubItemPlan,
  now: number,
): string | undefined {
  const failWith = (code: string): string => {
    progress.failed.set(sub.sourceId, code);
    return code;
  };
  const parentFail = progress.failed.get(sub.sourceParentId);
  if (parentFail !== undefined) return failWith(parentFail);
  if (sub.failCode !== undefined) return failWith(sub.failCode);
  const parentId = progress.copied.get(sub.sourceParentId);
  const parent = parentId === undefined ? undefined : store.getDentry(parentId);
  // The target root may have been removed meanwhile (for example overwritten by another copy).
  if (!parent || parent.spaceId !== plan.targetSpaceId) return failWith('dentryNotExist');
  const name = store.freeName(plan.targetSpaceId, parent.id, sub.name, sub.type);
  const created = store.createDentry({
    spaceId: plan.targetSpaceId,
    parentId: parent.id,
    name,
    type: sub.type,
    now,
    creatorId: plan.unionId,
    ...(sub.size !== undefined && { size: sub.size }),
  });
  progress.copied.set(sub.sourceId, created.id);
  return undefined;
}
