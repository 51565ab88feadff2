/**
 * DingTalk's storage read APIs, as documented:
 * - `POST /v1.0/storage/spaces/{spaceId}/dentries/{dentryId}/query?unionId=` (GetDentry): `{dentry}`
 *   (https://help.dingtalk.io/open/development/obtain-file-or-folder-information);
 * - `POST /v1.0/storage/spaces/{spaceId}/dentries/query?unionId=` (GetDentries) with `{dentryIds}`, at
 *   most 30 ids of one space: `{resultItems: [{spaceId, dentryId, success, errorCode?, dentry?}]}`
 *   (https://help.dingtalk.io/open/development/get-file-or-folder-information-in-bulk);
 * - `GET /v1.0/storage/spaces/{spaceId}/dentries?parentId=&unionId=&maxResults=&nextToken=&orderBy=&order=`
 *   (ListDentries): at most 50 per page, ordered by `MODIFIED_TIME` (default), `CREATE_TIME`, `NAME` or
 *   `SIZE`, `DESC` by default; a non-empty `nextToken` means more
 *   (https://help.dingtalk.io/open/development/get-a-list-of-files-or-folders).
 * A missing space is `404 spaceNotExist` and a missing dentry `404 dentryNotExist`, as on the batch copy
 * page. Authentication is the same as for the copy: `x-acs-dingtalk-access-token` and `unionId`.
 */
import { EmulatorError, param, type Reply, type Route, type RouteContext } from '../kit/index.js';
import { authenticate, parseApiBody, requireUnionId } from './api-routes.js';
import type { DingTalkState } from './state.js';
import type { RouteName } from './stats.js';
import { ROOT_ID, type Dentry, type DentryType } from './store.js';
import { isoSeconds } from './tasks.js';

/** The `dentry` object of the read APIs. */
export interface DingTalkDentryView {
  id: string;
  spaceId: string;
  /** `"0"` for entries in the space root. */
  parentId: string;
  type: DentryType;
  name: string;
  /** Files only: the name's suffix without the dot (empty when there is none). */
  extension?: string;
  /** Files only, bytes. */
  size?: number;
  /** `/`-separated names from the space root. */
  path: string;
  version: number;
  status: 'NORMAL';
  creatorId: string;
  modifierId: string;
  /** ISO 8601 UTC with seconds, e.g. `2026-01-01T08:00:00Z`. */
  createTime: string;
  modifiedTime: string;
  uuid: string;
  properties: { readOnly: boolean };
  partitionType: 'PUBLIC_OSS_PARTITION';
  storageDriver: 'DINGTALK';
  /** Listings only: the emulator's reading, by extension (`FOLDER`, `IMAGE`, `DOCUMENT`, `OTHER`). */
  category?: string;
}

/** Most ids per GetDentries call. */
export const MAX_QUERY_DENTRY_IDS = 30;
/** Most entries per ListDentries page (also the default). */
export const MAX_LIST_RESULTS = 50;

const ORDER_BY = ['MODIFIED_TIME', 'CREATE_TIME', 'NAME', 'SIZE'] as const;
type OrderBy = (typeof ORDER_BY)[number];

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : '';
}

function categoryOf(d: Dentry): string {
  if (d.type === 'FOLDER') return 'FOLDER';
  const ext = extensionOf(d.name).toLowerCase();
  if (['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp'].includes(ext)) return 'IMAGE';
  if (['pdf', 'doc', 'docx', 'txt', 'xls', 'xlsx', 'ppt', 'pptx', 'md'].includes(ext)) return 'DOCUMENT';
  return 'OTHER';
}

/** Builds the `dentry` object the read APIs answer with. */
export function dentryView(state: DingTalkState, d: Dentry, listing = false): DingTalkDentryView {
  const names: string[] = [];
  for (let cur: Dentry | undefined = d; cur; cur = state.store.getDentry(cur.parentId))
    names.unshift(cur.name);
  const view: DingTalkDentryView = {
    id: d.id,
    spaceId: d.spaceId,
    parentId: d.parentId,
    type: d.type,
    name: d.name,
    path: `/${names.join('/')}`,
    version: d.version,
    status: 'NORMAL',
    creatorId: d.creatorId,
    modifierId: d.modifierId,
    createTime: isoSeconds(d.createTime),
    modifiedTime: isoSeconds(d.modifiedTime),
    uuid: d.uuid,
    properties: { readOnly: false },
    partitionType: 'PUBLIC_OSS_PARTITION',
    storageDriver: 'DINGTALK',
  };
  if (d.type === 'FILE') {
    view.extension = extensionOf(d.name);
    view.size = d.size ?? 0;
  }
  if (listing) view.category = categoryOf(d);
  return view;
}

function space(state: DingTalkState, ctx: RouteContext): string {
  authenticate(state, ctx);
  requireUnionId(ctx);
  const spaceId = param(ctx, 'spaceId');
  if (!state.store.getSpace(spaceId))
    throw new EmulatorError(404, 'spaceNotExist', `space ${spaceId} does not exist`);
  state.sync();
  return spaceId;
}

function dentryIn(state: DingTalkState, spaceId: string, id: string): Dentry | undefined {
  const d = state.store.getDentry(id);
  return d && d.spaceId === spaceId ? d : undefined;
}

async function getDentry(state: DingTalkState, ctx: RouteContext): Promise<Reply> {
  const spaceId = space(state, ctx);
  const d = dentryIn(state, spaceId, param(ctx, 'dentryId'));
  if (!d) throw new EmulatorError(404, 'dentryNotExist', `dentry ${param(ctx, 'dentryId')} does not exist`);
  // The body is optional ({option}); a present one must still be JSON.
  if ((await ctx.body()).trim() !== '') parseApiBody(await ctx.body());
  return { status: 200, body: { dentry: dentryView(state, d) } };
}

async function getDentries(state: DingTalkState, ctx: RouteContext): Promise<Reply> {
  const spaceId = space(state, ctx);
  const { dentryIds } = parseApiBody(await ctx.body());
  if (
    !Array.isArray(dentryIds) ||
    dentryIds.length === 0 ||
    !dentryIds.every((id) => typeof id === 'string' && id !== '')
  ) {
    throw new EmulatorError(400, 'paramError.dentryIds', 'dentryIds must be a non-empty list of ids');
  }
  if (dentryIds.length > MAX_QUERY_DENTRY_IDS) {
    throw new EmulatorError(400, 'paramError.dentryIds', `dentryIds size exceed ${MAX_QUERY_DENTRY_IDS}`);
  }
  const resultItems = (dentryIds as string[]).map((dentryId) => {
    const d = dentryIn(state, spaceId, dentryId);
    return d
      ? { spaceId, dentryId, success: true, dentry: dentryView(state, d) }
      : { spaceId, dentryId, success: false, errorCode: 'dentryNotExist' };
  });
  return { status: 200, body: { resultItems } };
}

function sortKey(d: Dentry, by: OrderBy): number | string {
  switch (by) {
    case 'MODIFIED_TIME':
      return d.modifiedTime;
    case 'CREATE_TIME':
      return d.createTime;
    case 'NAME':
      return d.name;
    case 'SIZE':
      return d.size ?? 0;
  }
}

const compare = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

function listDentries(state: DingTalkState, ctx: RouteContext): Reply {
  const spaceId = space(state, ctx);
  const q = ctx.url.searchParams;
  const parentId = q.get('parentId');
  if (!parentId) throw new EmulatorError(400, 'paramError.parentId', 'parentId is required');
  if (parentId !== ROOT_ID && dentryIn(state, spaceId, parentId)?.type !== 'FOLDER') {
    throw new EmulatorError(404, 'dentryNotExist', `folder ${parentId} does not exist`);
  }
  const maxText = q.get('maxResults');
  const max = maxText === null || maxText === '' ? MAX_LIST_RESULTS : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > MAX_LIST_RESULTS) {
    throw new EmulatorError(400, 'paramError.maxResults', `maxResults must be 1 to ${MAX_LIST_RESULTS}`);
  }
  const orderBy = (q.get('orderBy') || 'MODIFIED_TIME') as OrderBy;
  if (!ORDER_BY.includes(orderBy))
    throw new EmulatorError(400, 'paramError.orderBy', `unknown orderBy ${orderBy}`);
  const order = q.get('order') || 'DESC';
  if (order !== 'ASC' && order !== 'DESC')
    throw new EmulatorError(400, 'paramError.order', 'order must be ASC or DESC');
  const tokenText = q.get('nextToken') || '0';
  if (!/^\d+$/.test(tokenText))
    throw new EmulatorError(400, 'paramError.nextToken', 'nextToken is not valid');
  const start = Number(tokenText);

  const sign = order === 'DESC' ? -1 : 1;
  const children = state.store
    .children(spaceId, parentId)
    .sort((a, b) => sign * (compare(sortKey(a, orderBy), sortKey(b, orderBy)) || compare(a.name, b.name)));
  const end = start + max;
  const body: { dentries: DingTalkDentryView[]; nextToken?: string } = {
    dentries: children.slice(start, end).map((d) => dentryView(state, d, true)),
  };
  if (end < children.length) body.nextToken = String(end);
  return { status: 200, body };
}

/** The read routes (see the module comment). */
export function readRoutes(state: DingTalkState): Route<RouteName>[] {
  const base = '/v1.0/storage/spaces/:spaceId/dentries';
  return [
    { name: 'getDentries', method: 'POST', path: `${base}/query`, handle: (ctx) => getDentries(state, ctx) },
    {
      name: 'getDentry',
      method: 'POST',
      path: `${base}/:dentryId/query`,
      handle: (ctx) => getDentry(state, ctx),
    },
    { name: 'listDentries', method: 'GET', path: base, handle: (ctx) => listDentries(state, ctx) },
  ];
}
