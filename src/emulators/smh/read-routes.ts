/**
 * SMH's read APIs, as documented:
 * - `HEAD /api/v1/file/{LibraryId}/{SpaceId}/{FilePath}`: 200 with `x-smh-*` headers for a file, else
 *   404 (https://www.tencentcloud.com/document/product/1283/75433);
 * - `HEAD /api/v1/directory/{LibraryId}/{SpaceId}/{DirPath}`: 200 for a directory or album, else 404;
 * - `GET /api/v1/directory/{LibraryId}/{SpaceId}/{Path}?info`: details of a file or directory
 *   (https://www.tencentcloud.com/document/product/1283/75454);
 * - `GET /api/v1/directory/{LibraryId}/{SpaceId}/{DirPath}`: a listing, marker-paged (`marker`, `limit`
 *   ≤ 1000) or page-paged (`page`, `page_size`, page × page_size ≤ 10,000), never both
 *   (https://www.tencentcloud.com/document/product/1283/75453).
 * The path may arrive with `/` or `%2F` between segments. Every call needs `access_token`, as the copy does.
 */
import { EmulatorError, param, type Reply, type Route, type RouteContext } from '../kit/index.js';
import { authenticate } from './auth.js';
import type { SmhCore } from './core.js';
import { hasInvalidSegment, toSegments } from './paths.js';
import { isDir, lookup, type DirNode, type TreeNode } from './tree.js';

/** `type` of an entry: `dir` for directories and albums, `file` for files (a file library). */
export type SmhEntryType = 'dir' | 'file';

/** Fields of a file or directory in `?info` answers and listing `contents` (files add the content fields). */
export interface SmhEntry {
  name: string;
  path: string[];
  type: SmhEntryType;
  /** ISO 8601. */
  creationTime: string;
  /** ISO 8601; for a directory, the last time a child was added or removed. */
  modificationTime: string;
  /** Only with `with_inode=1`. */
  inode?: string;
  contentType?: string;
  /** Bytes, as a decimal string. */
  size?: string;
  /** Quoted, as SMH sends it. */
  eTag?: string;
  /** CRC-64/ECMA-182 of the content, an unsigned decimal string. */
  crc64?: string;
  versionId?: number;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;
const MAX_PAGE_WINDOW = 10_000;
const ORDER_BY = [
  'name',
  'modificationTime',
  'size',
  'creationTime',
  'localCreationTime',
  'localModificationTime',
] as const;
type OrderBy = (typeof ORDER_BY)[number];

const iso = (ms: number): string => new Date(ms).toISOString();

function entry(name: string, path: string[], node: TreeNode, withInode: boolean): SmhEntry {
  const out: SmhEntry = {
    name,
    path,
    type: isDir(node) ? 'dir' : 'file',
    creationTime: iso(node.creationTime),
    modificationTime: iso(node.modificationTime),
  };
  if (withInode) out.inode = String(node.inode);
  if (!isDir(node)) {
    out.contentType = node.contentType;
    out.size = String(node.size);
    out.eTag = `"${node.etag}"`;
    out.crc64 = node.crc64;
    out.versionId = node.version;
  }
  return out;
}

interface Located {
  segments: string[];
  node: TreeNode | undefined;
  /** The parent of the last segment, when it is a directory. */
  parent: DirNode | undefined;
}

function locate(core: SmhCore, ctx: RouteContext): Located {
  const libraryId = param(ctx, 'libraryId');
  const spaceId = param(ctx, 'spaceId');
  authenticate(core, ctx.url, libraryId, spaceId);
  const segments = toSegments(ctx.params.path ?? '');
  if (hasInvalidSegment(segments)) throw new EmulatorError(400, 'InvalidArgument', 'the path is not valid');
  core.tasks.settle();
  const root = core.store.getSpace(libraryId, spaceId)?.root as DirNode;
  const parentNode = lookup(root, segments.slice(0, -1));
  return {
    segments,
    node: lookup(root, segments),
    parent: parentNode && isDir(parentNode) ? parentNode : undefined,
  };
}

function notFound(located: Located): EmulatorError {
  const shown = located.segments.join('/');
  return located.parent
    ? new EmulatorError(404, 'FileNotFound', `${shown} not found`)
    : new EmulatorError(404, 'DirectoryNotFound', `directory of ${shown} not found`);
}

function headFile(core: SmhCore, ctx: RouteContext): Reply {
  const { node } = locate(core, ctx);
  if (!node || isDir(node)) return { status: 404 };
  return {
    status: 200,
    headers: {
      'x-smh-type': 'file',
      'x-smh-creation-time': iso(node.creationTime),
      'x-smh-content-type': node.contentType,
      'x-smh-size': String(node.size),
      'x-smh-etag': `"${node.etag}"`,
      'x-smh-crc64': node.crc64,
    },
  };
}

function headDirectory(core: SmhCore, ctx: RouteContext): Reply {
  const { node } = locate(core, ctx);
  return { status: node && isDir(node) ? 200 : 404 };
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== '0' && v !== 'false';
}

function wholeNumber(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new EmulatorError(400, 'InvalidArgument', `${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function sortKey(node: TreeNode, name: string, by: OrderBy): number | string {
  switch (by) {
    case 'name':
      return name;
    case 'size':
      return isDir(node) ? 0 : node.size;
    case 'creationTime':
    case 'localCreationTime':
      return node.creationTime;
    case 'modificationTime':
    case 'localModificationTime':
      return node.modificationTime;
  }
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function list(core: SmhCore, ctx: RouteContext): Reply {
  const located = locate(core, ctx);
  const { node, segments } = located;
  if (!node || !isDir(node)) {
    throw new EmulatorError(404, 'DirectoryNotFound', `directory ${segments.join('/')} not found`);
  }
  const q = ctx.url.searchParams;
  const byPage = q.has('page') || q.has('page_size');
  if (byPage && (q.has('marker') || q.has('limit'))) {
    throw new EmulatorError(400, 'InvalidArgument', 'marker/limit cannot be combined with page/page_size');
  }
  const orderByText = q.get('order_by') ?? '';
  if (orderByText !== '' && !(ORDER_BY as readonly string[]).includes(orderByText)) {
    throw new EmulatorError(400, 'InvalidArgument', `unknown order_by ${orderByText}`);
  }
  const orderType = q.get('order_by_type') ?? 'asc';
  if (orderType !== 'asc' && orderType !== 'desc') {
    throw new EmulatorError(400, 'InvalidArgument', 'order_by_type must be asc or desc');
  }
  const filter = q.get('filter') ?? '';
  if (filter !== '' && filter !== 'onlyDir' && filter !== 'onlyFile') {
    throw new EmulatorError(400, 'InvalidArgument', 'filter must be onlyDir or onlyFile');
  }
  const orderBy = (orderByText || 'name') as OrderBy;
  const sign = orderType === 'desc' ? -1 : 1;
  const union = q.get('sort_type') === 'union';
  const children = [...node.children].filter(
    ([, child]) => filter === '' || (filter === 'onlyDir') === isDir(child),
  );
  children.sort(([an, a], [bn, b]) => {
    if (!union && isDir(a) !== isDir(b)) return isDir(a) ? -1 : 1;
    return sign * compare(sortKey(a, an, orderBy), sortKey(b, bn, orderBy)) || compare(an, bn);
  });
  const withInode = flag(q, 'with_inode');
  const toEntry = ([name, child]: [string, TreeNode]) => entry(name, [...segments, name], child, withInode);

  if (byPage) {
    const pageSize = wholeNumber(q, 'page_size', DEFAULT_LIMIT, 1, MAX_PAGE_WINDOW);
    const page = wholeNumber(q, 'page', 1, 1, MAX_PAGE_WINDOW);
    if (page * pageSize > MAX_PAGE_WINDOW) {
      throw new EmulatorError(400, 'InvalidArgument', `page × page_size must not exceed ${MAX_PAGE_WINDOW}`);
    }
    const all = [...node.children.values()];
    return {
      status: 200,
      body: {
        path: segments,
        fileCount: all.filter((c) => !isDir(c)).length,
        subDirCount: all.filter(isDir).length,
        totalNum: all.length,
        contents: children.slice((page - 1) * pageSize, page * pageSize).map(toEntry),
      },
    };
  }
  const limit = wholeNumber(q, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  const start = wholeNumber(q, 'marker', 0, 0, Number.MAX_SAFE_INTEGER);
  const end = start + limit;
  const body: { path: string[]; nextMarker?: number; contents: SmhEntry[] } = {
    path: segments,
    contents: children.slice(start, end).map(toEntry),
  };
  // No nextMarker: the listing is complete.
  if (end < children.length) body.nextMarker = end;
  return { status: 200, body };
}

function info(core: SmhCore, ctx: RouteContext): Reply {
  const located = locate(core, ctx);
  if (!located.node) throw notFound(located);
  const name = located.segments[located.segments.length - 1] ?? '';
  return {
    status: 200,
    body: entry(name, located.segments, located.node, flag(ctx.url.searchParams, 'with_inode')),
  };
}

/** The read routes (see the module comment). */
export function readRoutes(core: SmhCore): Route[] {
  const dir = ['/api/v1/directory/:libraryId/:spaceId', '/api/v1/directory/:libraryId/:spaceId/:path*'];
  return [
    ...dir.flatMap((path): Route[] => [
      {
        name: 'directory.get',
        method: 'GET',
        path,
        handle: (ctx) => (ctx.url.searchParams.has('info') ? info(core, ctx) : list(core, ctx)),
      },
      { name: 'directory.head', method: 'HEAD', path, handle: (ctx) => headDirectory(core, ctx) },
    ]),
    {
      name: 'file.head',
      method: 'HEAD',
      path: '/api/v1/file/:libraryId/:spaceId/:path*',
      handle: (ctx) => headFile(core, ctx),
    },
  ];
}
