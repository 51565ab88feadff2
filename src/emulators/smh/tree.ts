/**
 * The in-memory tree of one space and the automatic rename rule. Pure data operations: no clock, no I/O.
 */
export type DirKind = 'directory' | 'album';
/** A tree node is a directory, an album or a file. */
export type NodeKind = DirKind | 'file';

/** What every node carries: its own id and times (milliseconds since the epoch, on the emulator clock). */
export interface NodeStamp {
  /** Unique per node in the emulator; a copy is a new node with a new inode. */
  inode: number;
  /** When the node was created (uploaded, or made by a copy). */
  creationTime: number;
  /** Files: last overwrite; directories: last time a child was added or removed. */
  modificationTime: number;
}

/** A file with its content facts. */
export interface FileNode extends NodeStamp {
  kind: 'file';
  /** Bytes. */
  size: number;
  /** Bumped each time the file is replaced, so tests can tell an overwrite from an untouched file. */
  version: number;
  /** Identifies the content; a copy keeps the source's etag, so tests can tell where bytes came from. */
  etag: string;
  /** CRC-64/ECMA-182 of the content as an unsigned decimal string; a copy keeps the source's. */
  crc64: string;
  /** MIME type of the content. */
  contentType: string;
}

/** A directory or album with its children by name. */
export interface DirNode extends NodeStamp {
  kind: DirKind;
  children: Map<string, TreeNode>;
}

/** A node of a space's tree. */
export type TreeNode = FileNode | DirNode;

/** Makes the stamp of a node created now. */
export type Stamper = () => NodeStamp;

/** An empty directory (or album) with the given stamp. */
export function newDir(stamp: NodeStamp, kind: DirKind = 'directory'): DirNode {
  return { kind, children: new Map(), ...stamp };
}

/** Puts `node` under `name` in `parent`, which counts as a change of `parent` at `now`. */
export function setChild(parent: DirNode, name: string, node: TreeNode, now: number): void {
  parent.children.set(name, node);
  parent.modificationTime = now;
}

/** True for directories and albums. */
export function isDir(node: TreeNode): node is DirNode {
  return node.kind !== 'file';
}

/** The node at `segments` below `root`, if any. */
export function lookup(root: DirNode, segments: readonly string[]): TreeNode | undefined {
  let node: TreeNode = root;
  for (const name of segments) {
    if (!isDir(node)) return undefined;
    const next: TreeNode | undefined = node.children.get(name);
    if (!next) return undefined;
    node = next;
  }
  return node;
}

/** The folder that would hold a path, or why there is none. */
export type ParentLookup =
  { ok: true; parent: DirNode; name: string } | { ok: false; reason: 'empty' | 'missing' };

/** Finds the folder that would hold `segments`; a file in the middle of the path counts as missing. */
export function resolveParent(root: DirNode, segments: readonly string[]): ParentLookup {
  const name = segments[segments.length - 1];
  if (name === undefined) return { ok: false, reason: 'empty' };
  const parent = lookup(root, segments.slice(0, -1));
  if (!parent || !isDir(parent)) return { ok: false, reason: 'missing' };
  return { ok: true, parent, name };
}

/**
 * A fresh deep copy: new inodes and times from `stamp`; files keep the source's content (size, etag,
 * crc64, content type) and start a new version history at 1.
 */
export function copyOf(node: TreeNode, stamp: Stamper): TreeNode {
  if (!isDir(node)) {
    const { size, etag, crc64, contentType } = node;
    return { kind: 'file', size, version: 1, etag, crc64, contentType, ...stamp() };
  }
  const dir = newDir(stamp(), node.kind);
  for (const [name, child] of node.children) dir.children.set(name, copyOf(child, stamp));
  return dir;
}

/** Number of nodes in a subtree, the node itself included. */
export function countNodes(node: TreeNode): number {
  if (!isDir(node)) return 1;
  let n = 1;
  for (const child of node.children.values()) n += countNodes(child);
  return n;
}

/**
 * Splits at the last `.`, ignoring leading dots, so `.env` and `Makefile` have no extension and
 * `a.tar.gz` has `.gz`.
 */
export function splitExtension(name: string): { base: string; ext: string } {
  let lead = 0;
  while (lead < name.length && name[lead] === '.') lead += 1;
  const dot = name.lastIndexOf('.');
  if (dot < lead) return { base: name, ext: '' };
  return { base: name.slice(0, dot), ext: name.slice(dot) };
}

/** `1.jpg` → `1 (n).jpg` for files; `bar` → `bar (n)` for directories and albums. */
export function renamedName(name: string, kind: NodeKind, n: number): string {
  if (kind !== 'file') return `${name} (${n})`;
  const { base, ext } = splitExtension(name);
  return `${base} (${n})${ext}`;
}

/** Smallest n ≥ 1 whose renamed name is free in `parent`, or undefined after `maxTries`. */
export function freeName(parent: DirNode, name: string, kind: NodeKind, maxTries = 9999): string | undefined {
  for (let n = 1; n <= maxTries; n += 1) {
    const candidate = renamedName(name, kind, n);
    if (!parent.children.has(candidate)) return candidate;
  }
  return undefined;
}

/** True when `inner` lies strictly below `outer`. */
export function isStrictlyInside(inner: readonly string[], outer: readonly string[]): boolean {
  return inner.length > outer.length && outer.every((s, i) => inner[i] === s);
}
