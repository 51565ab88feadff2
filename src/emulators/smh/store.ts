import { systemClock, type Clock } from '../kit/clock.js';
import { EmulatorError } from '../kit/errors.js';
import { crc64 } from './crc64.js';
import { toSegments, type PathInput } from './paths.js';
import {
  isDir,
  lookup,
  newDir,
  setChild,
  splitExtension,
  type DirKind,
  type DirNode,
  type NodeKind,
  type NodeStamp,
  type TreeNode,
} from './tree.js';

/** A space and its tree. */
export interface Space {
  id: string;
  root: DirNode;
  /** When the space keeps file history versions, SMH refuses to overwrite on copy. */
  keepsHistory: boolean;
}

/** A library, its secret and its spaces. */
export interface Library {
  id: string;
  secret: string;
  spaces: Map<string, Space>;
}

/** A test-facing view of one node. Times are milliseconds since the epoch on the emulator clock. */
export interface NodeInfo {
  name: string;
  kind: NodeKind;
  inode: number;
  creationTime: number;
  modificationTime: number;
  size?: number;
  version?: number;
  etag?: string;
  crc64?: string;
}

/** Content of a new file: its bytes, or a size (the content is then `etag` repeated to that size). */
export interface PutFileOptions {
  /** Bytes; default 1024. Ignored when `content` is given. */
  size?: number;
  /** Default `etag-<n>`. */
  etag?: string;
  content?: string | Uint8Array;
  /** Default: by the name's extension (see {@link contentTypeOf}). */
  contentType?: string;
}

/** Nested plain-object view of a tree, for debugging and the admin dump endpoint. */
export type TreeDump = {
  [name: string]: TreeDump | { kind: 'file'; size: number; version: number; etag: string };
};

/**
 * All libraries, spaces and trees. Public methods are the test-facing API; the copy engine works on
 * the `Space` objects directly.
 */
export class SmhStore {
  readonly libraries = new Map<string, Library>();
  /** Set by the emulator so reads see background tasks that are due. */
  beforeRead: (() => void) | undefined;
  readonly clock: Clock;
  #etagSeq = 0;
  #inodeSeq = 0;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  /** The stamp of a node created now: a fresh inode and the clock's time. */
  readonly stamp = (): NodeStamp => {
    this.#inodeSeq += 1;
    const now = this.clock.now();
    return { inode: this.#inodeSeq, creationTime: now, modificationTime: now };
  };

  createLibrary(libraryId: string, secret: string): Library {
    if (this.libraries.has(libraryId)) throw new Error(`library ${libraryId} already exists`);
    const library: Library = { id: libraryId, secret, spaces: new Map() };
    this.libraries.set(libraryId, library);
    return library;
  }

  createSpace(libraryId: string, spaceId: string, opts: { keepsHistory?: boolean } = {}): Space {
    const library = this.#library(libraryId);
    if (library.spaces.has(spaceId)) throw new Error(`space ${spaceId} already exists`);
    const space: Space = {
      id: spaceId,
      root: newDir(this.stamp()),
      keepsHistory: opts.keepsHistory ?? false,
    };
    library.spaces.set(spaceId, space);
    return space;
  }

  getLibrary(libraryId: string): Library | undefined {
    return this.libraries.get(libraryId);
  }

  getSpace(libraryId: string, spaceId: string): Space | undefined {
    return this.libraries.get(libraryId)?.spaces.get(spaceId);
  }

  /** Creates a directory (or album) and any missing parents; an existing directory is kept. */
  mkdir(libraryId: string, spaceId: string, path: PathInput, opts: { album?: boolean } = {}): void {
    const segments = toSegments(path);
    const dir = this.#ensureDirs(
      this.#space(libraryId, spaceId).root,
      segments,
      opts.album ? 'album' : 'directory',
    );
    if (!dir) throw new Error(`cannot create ${segments.join('/')}: a file is in the way`);
  }

  /**
   * Creates or replaces a file, creating missing parent directories. Replacing keeps the inode and
   * creation time and bumps the version.
   */
  putFile(libraryId: string, spaceId: string, path: PathInput, opts: PutFileOptions = {}): void {
    const segments = toSegments(path);
    const name = segments.pop();
    if (name === undefined) throw new Error('putFile needs a path');
    const parent = this.#ensureDirs(this.#space(libraryId, spaceId).root, segments, 'directory');
    if (!parent) throw new Error(`cannot create ${name}: a file is in the way`);
    const existing = parent.children.get(name);
    if (existing && isDir(existing)) throw new Error(`${name} is a directory`);
    this.#etagSeq += 1;
    const etag = opts.etag ?? `etag-${this.#etagSeq}`;
    const content =
      opts.content === undefined
        ? undefined
        : typeof opts.content === 'string'
          ? Buffer.from(opts.content)
          : opts.content;
    const size = content ? content.length : (opts.size ?? 1024);
    const stamp = this.stamp();
    const node: TreeNode = {
      kind: 'file',
      size,
      version: existing ? existing.version + 1 : 1,
      etag,
      crc64: content ? crc64(content) : crc64(Buffer.from(etag), size),
      contentType: opts.contentType ?? contentTypeOf(name),
      ...stamp,
      ...(existing && { inode: existing.inode, creationTime: existing.creationTime }),
    };
    setChild(parent, name, node, stamp.modificationTime);
  }

  exists(libraryId: string, spaceId: string, path: PathInput): boolean {
    return this.stat(libraryId, spaceId, path) !== undefined;
  }

  stat(libraryId: string, spaceId: string, path: PathInput): NodeInfo | undefined {
    this.beforeRead?.();
    const segments = toSegments(path);
    const root = this.getSpace(libraryId, spaceId)?.root;
    const node = root && lookup(root, segments);
    if (!node) return undefined;
    return info(segments[segments.length - 1] ?? '', node);
  }

  /** Entries of a directory sorted by name, or undefined when it is missing or a file. */
  listDir(libraryId: string, spaceId: string, path: PathInput = ''): NodeInfo[] | undefined {
    this.beforeRead?.();
    const root = this.getSpace(libraryId, spaceId)?.root;
    const node = root && lookup(root, toSegments(path));
    if (!node || !isDir(node)) return undefined;
    return [...node.children]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, child]) => info(name, child));
  }

  dump(libraryId: string, spaceId: string): TreeDump | undefined {
    this.beforeRead?.();
    const root = this.getSpace(libraryId, spaceId)?.root;
    return root && dumpDir(root);
  }

  #library(libraryId: string): Library {
    const library = this.libraries.get(libraryId);
    if (!library) throw new EmulatorError(404, 'LibraryNotFound', `library ${libraryId} not found`);
    return library;
  }

  #space(libraryId: string, spaceId: string): Space {
    const space = this.#library(libraryId).spaces.get(spaceId);
    if (!space) throw new EmulatorError(404, 'SpaceNotFound', `space ${spaceId} not found`);
    return space;
  }

  #ensureDirs(root: DirNode, segments: readonly string[], leafKind: DirKind): DirNode | undefined {
    let dir = root;
    for (const [i, name] of segments.entries()) {
      let next = dir.children.get(name);
      if (!next) {
        const stamp = this.stamp();
        next = newDir(stamp, i === segments.length - 1 ? leafKind : 'directory');
        setChild(dir, name, next, stamp.creationTime);
      }
      if (!isDir(next)) return undefined;
      dir = next;
    }
    return dir;
  }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.json': 'application/json',
};

/** The content type of a file created without one: by extension, else `application/octet-stream`. */
export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[splitExtension(name).ext.toLowerCase()] ?? 'application/octet-stream';
}

function info(name: string, node: TreeNode): NodeInfo {
  const { inode, creationTime, modificationTime } = node;
  if (isDir(node)) return { name, kind: node.kind, inode, creationTime, modificationTime };
  const { size, version, etag, crc64: crc } = node;
  return { name, kind: 'file', inode, creationTime, modificationTime, size, version, etag, crc64: crc };
}

function dumpDir(dir: DirNode): TreeDump {
  const out: TreeDump = {};
  for (const [name, child] of dir.children) {
    out[name] = isDir(child)
      ? dumpDir(child)
      : { kind: 'file', size: child.size, version: child.version, etag: child.etag };
  }
  return out;
}
