/**
 * In-memory spaces and dentries (files and folders). Pure data and rules: no clock (times arrive as
 * arguments), no HTTP.
 * Names are unique per (space, parent) regardless of type, which is what makes conflict strategies matter.
 */

import { EmulatorError } from '../kit/errors.js';

/** A dentry is a file or a folder. */
export type DentryType = 'FILE' | 'FOLDER';

/** The parent id of entries that sit directly in a space's root. */
export const ROOT_ID = '0';

/** Matches every union id in an ACL entry. */
export const ANY_UNION_ID = '*';

/**
 * Makes a batch copy that names one dentry fail as a whole, as DingTalk documents `dentryAlreadyExist`
 * (400) and `permissionDenied` (403) at request level for this API. Whether the request's other ids
 * ran is not documented, so the rule says which did:
 * - `none`: nothing runs; the request is refused before any work;
 * - `before`: the ids listed before the faulty one are copied, then the request fails;
 * - `all`: every other id is copied, then the request fails.
 * The error body is DingTalk's `{code, message, requestid}`; the per-id records show what ran.
 */
export interface RequestFailureRule {
  /** The error `code`; typically `dentryAlreadyExist` or `permissionDenied`. */
  errorCode: string;
  /** HTTP status; default 403 for `permissionDenied`, else 400. */
  status?: number;
  /** Which of the request's other ids run before the failure. Default `none`. */
  othersRun?: 'none' | 'before' | 'all';
  /** Fire this many times, then disappear. Unset: every request naming the dentry. */
  times?: number;
}

/** A storage space. */
export interface Space {
  id: string;
  name: string;
  /** Maximum number of dentries the space may hold; unset means unlimited. */
  quota?: number;
}

/** A file or folder of a space. */
export interface Dentry {
  id: string;
  spaceId: string;
  parentId: string;
  name: string;
  type: DentryType;
  version: number;
  /** Bytes; files only. A copy keeps the source's size. */
  size?: number;
  /** Milliseconds since the epoch on the emulator clock: when this dentry was created (a copy: when it ran). */
  createTime: number;
  /** Milliseconds since the epoch: the last change (creation, or an overwrite by a copy). */
  modifiedTime: number;
  /** Union id of the operator who created it (a copy: the operator of the copy). */
  creatorId: string;
  modifierId: string;
  /** Stays with the dentry for its life; a copy gets a new one. */
  uuid: string;
}

/** A dentry with its children, for tree dumps. */
export interface TreeNode extends Dentry {
  children?: TreeNode[];
}

/** What a new dentry is made of. */
export interface CreateDentryInput {
  spaceId: string;
  parentId?: string;
  name: string;
  type?: DentryType;
  id?: string;
  version?: number;
  /** Files only; default 1024. */
  size?: number;
  /** Creation time in milliseconds since the epoch. */
  now: number;
  /** Default `emulator`. */
  creatorId?: string;
}

/** A store rule broken: 404 for `…NotExist` codes, else 400. */
function storeError(code: string, message: string): EmulatorError {
  return new EmulatorError(code.endsWith('NotExist') ? 404 : 400, code, message);
}

/** The spaces and dentries, with per-folder name indexes, copy permissions and copy failure rules. */
export class DentryStore {
  readonly #spaces = new Map<string, Space>();
  readonly #dentries = new Map<string, Dentry>();
  /** Children by folder, name → id, so lookups stay cheap in folders with many entries. */
  readonly #childIndex = new Map<string, Map<string, string>>();
  /** dentryId → union ids that may not copy it (or ANY_UNION_ID). Inherited by descendants. */
  readonly #copyDenied = new Map<string, Set<string>>();
  /** dentryId → error code the copy of this entry fails with; a test hook for partial task failures. */
  readonly #failOnCopy = new Map<string, string>();
  /** dentryId → a rule that fails any batch copy naming it at request level. */
  readonly #requestFailures = new Map<string, RequestFailureRule>();
  #nextId = 100_001;
  #uuidSeq = 0;

  createSpace(input: { id?: string; name?: string; quota?: number }): Space {
    const id = input.id ?? this.newId('space-');
    if (this.#spaces.has(id)) throw storeError('spaceAlreadyExist', `space ${id} already exists`);
    const space: Space = { id, name: input.name ?? id };
    if (input.quota !== undefined) space.quota = input.quota;
    this.#spaces.set(id, space);
    return { ...space };
  }

  getSpace(id: string): Space | undefined {
    const space = this.#spaces.get(id);
    return space ? { ...space } : undefined;
  }

  listSpaces(): Space[] {
    return [...this.#spaces.values()].map((s) => ({ ...s }));
  }

  createDentry(input: CreateDentryInput): Dentry {
    const parentId = input.parentId ?? ROOT_ID;
    if (!this.#spaces.has(input.spaceId)) {
      throw storeError('spaceNotExist', `space ${input.spaceId} does not exist`);
    }
    this.#assertFolder(input.spaceId, parentId);
    if (input.name === '' || input.name.includes('/')) {
      throw storeError('paramError.name', `invalid name ${JSON.stringify(input.name)}`);
    }
    if (this.findChild(input.spaceId, parentId, input.name)) {
      throw storeError('dentryAlreadyExist', `${input.name} already exists`);
    }
    const id = input.id ?? this.newId();
    if (this.#dentries.has(id)) throw storeError('dentryAlreadyExist', `dentry id ${id} is taken`);
    const type = input.type ?? 'FILE';
    const creatorId = input.creatorId ?? 'emulator';
    this.#uuidSeq += 1;
    const dentry: Dentry = {
      id,
      spaceId: input.spaceId,
      parentId,
      name: input.name,
      type,
      version: input.version ?? 1,
      ...(type === 'FILE' && { size: input.size ?? 1024 }),
      createTime: input.now,
      modifiedTime: input.now,
      creatorId,
      modifierId: creatorId,
      uuid: `uuid-${this.#uuidSeq}`,
    };
    this.#dentries.set(id, dentry);
    this.#folderIndex(dentry.spaceId, parentId).set(dentry.name, id);
    return { ...dentry };
  }

  #folderIndex(spaceId: string, parentId: string): Map<string, string> {
    const key = `${spaceId}\u0000${parentId}`;
    let index = this.#childIndex.get(key);
    if (!index) {
      index = new Map();
      this.#childIndex.set(key, index);
    }
    return index;
  }

  getDentry(id: string): Dentry | undefined {
    const dentry = this.#dentries.get(id);
    return dentry ? { ...dentry } : undefined;
  }

  children(spaceId: string, parentId: string): Dentry[] {
    const ids = this.#childIndex.get(`${spaceId}\u0000${parentId}`)?.values() ?? [];
    return [...ids].map((id) => ({ ...(this.#dentries.get(id) as Dentry) }));
  }

  findChild(spaceId: string, parentId: string, name: string): Dentry | undefined {
    const id = this.#childIndex.get(`${spaceId}\u0000${parentId}`)?.get(name);
    const dentry = id === undefined ? undefined : this.#dentries.get(id);
    return dentry ? { ...dentry } : undefined;
  }

  /** All entries below `id`, parents before their children; the entry itself is not included. */
  descendants(id: string): Dentry[] {
    const root = this.#dentries.get(id);
    if (!root || root.type !== 'FOLDER') return [];
    const out: Dentry[] = [];
    const walk = (parentId: string): void => {
      for (const child of this.children(root.spaceId, parentId)) {
        out.push(child);
        if (child.type === 'FOLDER') walk(child.id);
      }
    };
    walk(id);
    return out;
  }

  countInSpace(spaceId: string): number {
    let n = 0;
    for (const d of this.#dentries.values()) if (d.spaceId === spaceId) n += 1;
    return n;
  }

  /** True when `id` is `ancestorId` or lies somewhere below it. */
  isSelfOrDescendant(id: string, ancestorId: string): boolean {
    let cur = this.#dentries.get(id);
    while (cur) {
      if (cur.id === ancestorId) return true;
      cur = this.#dentries.get(cur.parentId);
    }
    return false;
  }

  /** Removes a dentry and everything below it. */
  remove(id: string): void {
    const self = this.#dentries.get(id);
    for (const d of [...this.descendants(id), ...(self ? [self] : [])]) {
      this.#dentries.delete(d.id);
      this.#childIndex.get(`${d.spaceId}\u0000${d.parentId}`)?.delete(d.name);
      this.#childIndex.delete(`${d.spaceId}\u0000${d.id}`);
    }
  }

  /** An overwrite by a copy: a new version with the source's size, changed at `now` by `modifierId`. */
  overwrite(id: string, change: { size?: number; now: number; modifierId: string }): Dentry {
    const d = this.#dentries.get(id);
    if (!d) throw storeError('dentryNotExist', `dentry ${id} does not exist`);
    d.version += 1;
    if (change.size !== undefined) d.size = change.size;
    d.modifiedTime = change.now;
    d.modifierId = change.modifierId;
    return { ...d };
  }

  /**
   * AUTO_RENAME names are undocumented; the emulator's reading: `name(1).ext`, then `(2)`, … (first free n); the suffix goes before the last extension
   * for files and at the end for folders. A leading dot (".env") is not treated as an extension.
   */
  freeName(spaceId: string, parentId: string, name: string, type: DentryType): string {
    if (!this.findChild(spaceId, parentId, name)) return name;
    const dot = type === 'FILE' ? name.lastIndexOf('.') : -1;
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 1; ; n += 1) {
      const candidate = `${stem}(${n})${ext}`;
      if (!this.findChild(spaceId, parentId, candidate)) return candidate;
    }
  }

  denyCopy(dentryId: string, unionId: string = ANY_UNION_ID): void {
    const set = this.#copyDenied.get(dentryId) ?? new Set<string>();
    set.add(unionId);
    this.#copyDenied.set(dentryId, set);
  }

  allowCopy(dentryId: string, unionId?: string): void {
    if (unionId === undefined) this.#copyDenied.delete(dentryId);
    else this.#copyDenied.get(dentryId)?.delete(unionId);
  }

  /** Permission is inherited: a folder denied to a user hides everything inside it from copying too. */
  canCopy(dentryId: string, unionId: string): boolean {
    let cur = this.#dentries.get(dentryId);
    while (cur) {
      const denied = this.#copyDenied.get(cur.id);
      if (denied && (denied.has(unionId) || denied.has(ANY_UNION_ID))) return false;
      cur = this.#dentries.get(cur.parentId);
    }
    return true;
  }

  /** Sets (or, with undefined, removes) the request-level failure rule of a dentry. */
  setRequestFailure(dentryId: string, rule: RequestFailureRule | undefined): void {
    if (rule === undefined) this.#requestFailures.delete(dentryId);
    else this.#requestFailures.set(dentryId, { ...rule });
  }

  requestFailure(dentryId: string): RequestFailureRule | undefined {
    return this.#requestFailures.get(dentryId);
  }

  /** The dentry's request-level failure rule, using up one of its `times`. */
  takeRequestFailure(dentryId: string): RequestFailureRule | undefined {
    const rule = this.#requestFailures.get(dentryId);
    if (rule?.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.#requestFailures.delete(dentryId);
    }
    return rule;
  }

  setFailOnCopy(dentryId: string, errorCode: string | undefined): void {
    if (errorCode === undefined) this.#failOnCopy.delete(dentryId);
    else this.#failOnCopy.set(dentryId, errorCode);
  }

  failOnCopy(dentryId: string): string | undefined {
    return this.#failOnCopy.get(dentryId);
  }

  /** The nested tree below `parentId` (default: the space root). */
  tree(spaceId: string, parentId: string = ROOT_ID): TreeNode[] {
    return this.children(spaceId, parentId)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((d) => (d.type === 'FOLDER' ? { ...d, children: this.tree(spaceId, d.id) } : { ...d }));
  }

  newId(prefix = ''): string {
    for (;;) {
      const id = `${prefix}${this.#nextId}`;
      this.#nextId += 1;
      if (!this.#dentries.has(id) && !this.#spaces.has(id)) return id;
    }
  }

  #assertFolder(spaceId: string, folderId: string): void {
    if (folderId === ROOT_ID) return;
    const folder = this.#dentries.get(folderId);
    if (!folder || folder.spaceId !== spaceId) {
      throw storeError('dentryNotExist', `folder ${folderId} does not exist in space ${spaceId}`);
    }
    if (folder.type !== 'FOLDER') throw storeError('paramError.parentId', `${folderId} is not a folder`);
  }
}
