/**
 * Batch copy: request-body validation and execution over the store. No HTTP and no clock here, so the
 * sync path and a background task produce identical results from the same items.
 */
import { EmulatorError } from '../kit/errors.js';
import type { ItemFaultInjector } from './item-faults.js';
import { hasInvalidSegment, MAX_NAME_LENGTH, toSegments } from './paths.js';
import { crossSpaceDenial, kindDenial, type Grantee, type Strategy } from './permissions.js';
import type { SmhStore } from './store.js';
import {
  copyOf,
  countNodes,
  freeName,
  isDir,
  isStrictlyInside,
  lookup,
  resolveParent,
  setChild,
  type NodeKind,
} from './tree.js';

/** One validated item of a batch copy body (paths as segments). */
export interface CopyItem {
  copyFrom: string[];
  to: string[];
  strategy?: Strategy;
  copyFromSpaceId?: string;
}

/** One element of SMH's batch `result`: 200 copied under `rename` (with the final `path`); 204 copied under
 * `ask`/`overwrite`; any other status failed with `code`. */
export type SmhItemResult =
  | { status: 200; path: string[]; copyFrom: string[]; to: string[] }
  | { status: 204; copyFrom: string[]; to: string[] }
  | { status: number; code: string; message: string; copyFrom: string[]; to: string[] };

/** What one batch did: the per-item results and how much it wrote. */
export interface BatchOutcome {
  results: SmhItemResult[];
  /** Items that changed the tree. */
  executed: number;
  /** Nodes written, subtree contents included. */
  nodesCopied: number;
}

const STRATEGIES: readonly string[] = ['ask', 'rename', 'overwrite'];

/** Validates the whole body up front: one bad item fails the request, as SMH does before any work. */
export function parseBatchBody(text: string, maxItems: number): CopyItem[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EmulatorError(400, 'InvalidArgument', 'request body is not valid JSON');
  }
  if (!Array.isArray(body))
    throw new EmulatorError(400, 'InvalidArgument', 'request body must be a JSON array');
  if (body.length === 0) throw new EmulatorError(400, 'NoItemsProvided', 'no items provided');
  if (body.length > maxItems) {
    throw new EmulatorError(400, 'TooManyItems', `at most ${maxItems} items are allowed per request`);
  }
  return body.map((raw: unknown, i) => parseItem(raw, i));
}

function parseItem(raw: unknown, i: number): CopyItem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EmulatorError(400, 'InvalidArgument', `item ${i} must be an object`);
  }
  const r = raw as Record<string, unknown>;
  const copyFrom = parsePath(r.copyFrom, i, 'copyFrom', 'InvalidSourcePath');
  const to = parsePath(r.to, i, 'to', 'InvalidDestinationPath');
  const item: CopyItem = { copyFrom, to };
  const strategy = r.conflictResolutionStrategy;
  if (strategy !== undefined && strategy !== null) {
    if (typeof strategy !== 'string' || !STRATEGIES.includes(strategy)) {
      throw new EmulatorError(
        400,
        'InvalidConflictResolutionStrategy',
        `item ${i}: conflictResolutionStrategy must be ask, rename or overwrite`,
      );
    }
    item.strategy = strategy as Strategy;
  }
  const spaceId = r.copyFromSpaceId;
  if (spaceId !== undefined && spaceId !== null) {
    if (typeof spaceId !== 'string') {
      throw new EmulatorError(400, 'InvalidArgument', `item ${i}: copyFromSpaceId must be a string`);
    }
    if (spaceId.length > 0) item.copyFromSpaceId = spaceId;
  }
  // Cross-library copy appears only in older Markdown docs, not on the current API page; refusing it beats
  // silently ignoring it.
  if (r.copyFromLibraryId !== undefined) {
    throw new EmulatorError(400, 'ParamInvalid', `item ${i}: copyFromLibraryId is not supported`);
  }
  return item;
}

function parsePath(value: unknown, i: number, field: string, invalidCode: string): string[] {
  if (value === undefined || value === null || value === '') {
    throw new EmulatorError(400, 'EmptyPath', `item ${i}: ${field} is empty`);
  }
  if (typeof value !== 'string')
    throw new EmulatorError(400, 'InvalidArgument', `item ${i}: ${field} must be a string`);
  const segments = toSegments(value);
  if (segments.length === 0) throw new EmulatorError(400, 'EmptyPath', `item ${i}: ${field} is empty`);
  if (hasInvalidSegment(segments))
    throw new EmulatorError(400, invalidCode, `item ${i}: ${field} is not a valid path`);
  return segments;
}

/** Where a batch runs and with whose rights. */
export interface CopyContext {
  store: SmhStore;
  libraryId: string;
  /** The destination space: the one in the URL. */
  spaceId: string;
  grantee: Grantee;
  itemFaults?: ItemFaultInjector;
  /** Told about every item that changed the tree, with its final path. */
  onCopied?(copied: CopiedItem): void;
}

/** One item that ran: what was copied from where to which final path. */
export interface CopiedItem {
  copyFrom: readonly string[];
  sourceSpaceId: string;
  /** The destination space. */
  spaceId: string;
  /** Final path of the copy (after any rename). */
  path: string[];
}

/** Runs the items in order against the store. */
export function executeBatch(ctx: CopyContext, items: readonly CopyItem[]): BatchOutcome {
  const outcome: BatchOutcome = { results: [], executed: 0, nodesCopied: 0 };
  for (const item of items) {
    const { result, nodes } = executeItem(ctx, item);
    outcome.results.push(result);
    if (nodes > 0) {
      outcome.executed += 1;
      outcome.nodesCopied += nodes;
    }
  }
  return outcome;
}

/** 200 when every item succeeded, else 207 (some or all failed). */
export function batchStatus(results: readonly SmhItemResult[]): 200 | 207 {
  return results.every((r) => r.status === 200 || r.status === 204) ? 200 : 207;
}

/** Nodes the batch would copy if run now; used to decide between sync and async by workload. */
export function countSourceNodes(ctx: CopyContext, items: readonly CopyItem[]): number {
  let total = 0;
  for (const item of items) {
    const space = ctx.store.getSpace(ctx.libraryId, item.copyFromSpaceId ?? ctx.spaceId);
    const node = space && lookup(space.root, item.copyFrom);
    total += node ? countNodes(node) : 1;
  }
  return total;
}

function executeItem(ctx: CopyContext, item: CopyItem): { result: SmhItemResult; nodes: number } {
  const echo = { copyFrom: [...item.copyFrom], to: [...item.to] };
  const fail = (status: number, code: string, message: string) => ({
    result: { status, code, message, ...echo },
    nodes: 0,
  });

  const destSpace = ctx.store.getSpace(ctx.libraryId, ctx.spaceId);
  if (!destSpace) return fail(404, 'SpaceNotFound', `space ${ctx.spaceId} not found`);
  const sourceSpaceId = item.copyFromSpaceId ?? ctx.spaceId;
  const crossSpace = sourceSpaceId !== ctx.spaceId;
  const sourceSpace = ctx.store.getSpace(ctx.libraryId, sourceSpaceId);
  if (!sourceSpace) return fail(404, 'SpaceNotFound', `space ${sourceSpaceId} not found`);
  if (crossSpace) {
    const denial = crossSpaceDenial(ctx.grantee, sourceSpaceId);
    if (denial) return fail(denial.status, denial.code, denial.message);
  }

  const source = lookup(sourceSpace.root, item.copyFrom);
  if (!source) {
    // The kind of a missing source is unknowable; a missing parent chain reads as a directory miss.
    const parent = lookup(sourceSpace.root, item.copyFrom.slice(0, -1));
    return parent && isDir(parent)
      ? fail(404, 'FileNotFound', `source ${item.copyFrom.join('/')} not found`)
      : fail(404, 'DirectoryNotFound', `source directory of ${item.copyFrom.join('/')} not found`);
  }
  const strategy: Strategy = item.strategy ?? (source.kind === 'file' ? 'rename' : 'ask');
  const denial = kindDenial(ctx.grantee, source.kind, strategy);
  if (denial) return fail(denial.status, denial.code, denial.message);

  const injected = ctx.itemFaults?.pick(item.copyFrom, item.to);
  if (injected) return fail(injected.status, injected.code, injected.message);

  if (!crossSpace && isDir(source) && isStrictlyInside(item.to, item.copyFrom)) {
    return fail(400, 'SourceDirectoryIsParentOfDestination', 'cannot copy a directory into itself');
  }
  const target = resolveParent(destSpace.root, item.to);
  if (!target.ok) {
    return fail(404, 'DirectoryNotFound', `destination directory of ${item.to.join('/')} not found`);
  }
  const { parent } = target;
  let name = target.name;
  const tooLong = nameTooLong(name, source.kind);
  if (tooLong) return fail(400, tooLong, `name is longer than ${MAX_NAME_LENGTH} characters`);

  // Snapshot first so the copy never sees nodes it is itself adding.
  const copy = copyOf(source, ctx.store.stamp);
  const existing = parent.children.get(name);
  if (existing) {
    if (strategy === 'ask' || (strategy === 'overwrite' && (isDir(existing) || isDir(source)))) {
      return fail(409, 'SameNameDirectoryOrFileExists', `${item.to.join('/')} already exists`);
    }
    if (strategy === 'overwrite') {
      if (destSpace.keepsHistory) {
        return fail(409, 'OverwriteFileNotAllowed', 'the destination space keeps file history versions');
      }
      // A file overwritten in place keeps its inode and creation time and gets a new version.
      if (!isDir(existing) && !isDir(copy)) {
        copy.version = existing.version + 1;
        copy.inode = existing.inode;
        copy.creationTime = existing.creationTime;
      }
    } else {
      const free = freeName(parent, name, source.kind);
      if (free === undefined) return fail(409, 'RenameTooManyTimes', `no free name for ${name}`);
      const renamedTooLong = nameTooLong(free, source.kind);
      if (renamedTooLong)
        return fail(400, renamedTooLong, `name is longer than ${MAX_NAME_LENGTH} characters`);
      name = free;
    }
  }
  setChild(parent, name, copy, ctx.store.clock.now());
  ctx.onCopied?.({
    copyFrom: item.copyFrom,
    sourceSpaceId,
    spaceId: ctx.spaceId,
    path: [...item.to.slice(0, -1), name],
  });
  const nodes = countNodes(copy);
  if (strategy === 'rename') {
    return { result: { status: 200, path: [...item.to.slice(0, -1), name], ...echo }, nodes };
  }
  return { result: { status: 204, ...echo }, nodes };
}

function nameTooLong(name: string, kind: NodeKind): string | undefined {
  if (name.length <= MAX_NAME_LENGTH) return undefined;
  return kind === 'file' ? 'FileNameLengthExceed' : 'DirectoryNameLengthExceed';
}
