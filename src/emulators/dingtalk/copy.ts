/**
 * Batch copy over a DentryStore, without HTTP or clock. Request-level problems throw ApiError (§11.2);
 * problems with one source dentry become a failed result item. A non-empty folder gets its root copied
 * now and its contents planned for a background task, which the caller starts through `startTask`.
 */
import { ApiError } from './errors.js';
import { ROOT_ID, type DentryStore, type DentryType } from './store.js';

export const CONFLICT_STRATEGIES = [
  'AUTO_RENAME',
  'OVERWRITE',
  'RETURN_DENTRY_IF_EXISTS',
  'RETURN_ERROR_IF_EXISTS',
] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

export function isConflictStrategy(value: unknown): value is ConflictStrategy {
  return typeof value === 'string' && (CONFLICT_STRATEGIES as readonly string[]).includes(value);
}

export interface CopyRequest {
  unionId: string;
  sourceSpaceId: string;
  targetSpaceId: string;
  targetFolderId: string;
  dentryIds: string[];
  strategy: ConflictStrategy;
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
  /** Set when this entry is known to fail (flagged by a test, or not copyable for the operator). */
  failCode?: string;
}

export interface AsyncCopyPlan {
  sourceSpaceId: string;
  sourceRootId: string;
  targetSpaceId: string;
  targetRootId: string;
  targetFolderId: string;
  subItems: SubItemPlan[];
}

export interface CopyOutcome {
  items: ResultItem[];
  /** Items that actually created or overwrote something. */
  executed: number;
}

/** Checks the parts of a request whose failure rejects it as a whole, before any work happens. */
export function checkCopyTargets(store: DentryStore, req: CopyRequest): void {
  if (!store.getSpace(req.sourceSpaceId)) {
    throw new ApiError(404, 'spaceNotExist', `space ${req.sourceSpaceId} does not exist`);
  }
  const target = store.getSpace(req.targetSpaceId);
  if (!target) throw new ApiError(404, 'spaceNotExist', `space ${req.targetSpaceId} does not exist`);
  if (req.targetFolderId !== ROOT_ID) {
    const folder = store.getDentry(req.targetFolderId);
    if (!folder || folder.spaceId !== req.targetSpaceId) {
      throw new ApiError(404, 'dentryNotExist', `target folder ${req.targetFolderId} does not exist`);
    }
    if (folder.type !== 'FOLDER') {
      throw new ApiError(400, 'paramError.targetFolderId', `${req.targetFolderId} is not a folder`);
    }
  }
  if (target.quota !== undefined) {
    let needed = 0;
    for (const id of req.dentryIds) {
      const d = store.getDentry(id);
      if (d && d.spaceId === req.sourceSpaceId) needed += 1 + store.descendants(id).length;
    }
    if (store.countInSpace(target.id) + needed > target.quota) {
      throw new ApiError(
        400,
        'spaceQuotaInsufficient',
        `space ${target.id} has no room for ${needed} entries`,
      );
    }
  }
}

export function batchCopy(
  store: DentryStore,
  req: CopyRequest,
  startTask: (plan: AsyncCopyPlan) => string,
): CopyOutcome {
  checkCopyTargets(store, req);
  let executed = 0;
  const items = req.dentryIds.map((dentryId): ResultItem => {
    const outcome = copyOne(store, req, dentryId, startTask);
    if (outcome.executed) executed += 1;
    return outcome.item;
  });
  return { items, executed };
}

function copyOne(
  store: DentryStore,
  req: CopyRequest,
  dentryId: string,
  startTask: (plan: AsyncCopyPlan) => string,
): { item: ResultItem; executed: boolean } {
  const base = { spaceId: req.sourceSpaceId, dentryId };
  const fail = (errorCode: string) => ({
    item: { ...base, async: false, success: false, errorCode },
    executed: false,
  });
  const done = (targetDentryId: string, executed: boolean) => ({
    item: { ...base, async: false, success: true, targetSpaceId: req.targetSpaceId, targetDentryId },
    executed,
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
        // §11.5 reading: a file onto a file is a new version of the same dentry; anything else replaces.
        if (existing.type === 'FILE' && source.type === 'FILE') {
          store.bumpVersion(existing.id);
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
  });
  if (subItems.length === 0) return done(root.id, true);

  const taskId = startTask({
    sourceSpaceId: req.sourceSpaceId,
    sourceRootId: source.id,
    targetSpaceId: req.targetSpaceId,
    targetRootId: root.id,
    targetFolderId: req.targetFolderId,
    subItems,
  });
  return {
    item: { ...base, async: true, taskId, targetSpaceId: req.targetSpaceId, targetDentryId: root.id },
    executed: true,
  };
}

/** Where a running copy task keeps track of what it has created so far. */
export interface CopyProgress {
  /** source dentry id → id of its copy */
  copied: Map<string, string>;
  /** source dentry id → error code */
  failed: Map<string, string>;
}

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
  });
  progress.copied.set(sub.sourceId, created.id);
  return undefined;
}
