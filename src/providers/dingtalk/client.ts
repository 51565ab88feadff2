import {
  operationLink,
  type OperationLink,
  type UpstreamHttpClient,
  type UpstreamResponse,
} from '../../upstream/http.js';
import { failureOf, jsonBody, requestIdOf, shapeFailure } from '../../upstream/answers.js';
import { dingTalkErrorInfo, dingTalkPageCode } from './translate.js';
import type { UpstreamOperation } from '../../upstream/ports.js';
import type {
  DingTalkWireCopyRequest,
  DingTalkWireDentry,
  DingTalkWireQueryItem,
  DingTalkWireError,
  DingTalkWireResultItem,
  DingTalkWireTask,
} from './wire.js';

/** Who a DingTalk call acts as (`unionId`, with `token`), for which operation. */
export interface DingTalkScope extends OperationLink {
  unionId: string;
  token: string;
}

const seg = encodeURIComponent;
const TOKEN_HEADER = 'x-acs-dingtalk-access-token';
const requestId = (response: UpstreamResponse) => requestIdOf(response, 'requestid', ['x-acs-request-id']);

/**
 * DingTalk storage's batch copy, task query and oauth2 token endpoints over undici, sending the same
 * wire format as the official SDK (method, path, query, token header, JSON body).
 */
export class DingTalkClient {
  constructor(readonly http: UpstreamHttpClient) {}

  async batchCopy(
    spaceId: string,
    scope: DingTalkScope,
    body: DingTalkWireCopyRequest,
  ): Promise<{ items: DingTalkWireResultItem[]; requestId?: string }> {
    const response = await this.http.send({
      method: 'POST',
      path: `/v1.0/storage/spaces/${seg(spaceId)}/dentries/batchCopy`,
      query: { unionId: scope.unionId },
      headers: { [TOKEN_HEADER]: scope.token },
      body,
      ...operationLink(scope),
      operation: 'batch_copy',
      api: 'batchCopy',
    });
    const json = jsonBody(response, this.http, 'unknown', requestId(response), dingTalkPageCode);
    if (response.status !== 200) throw this.#failure(response);
    const items = (json as { resultItems?: unknown } | undefined)?.resultItems;
    if (!Array.isArray(items))
      throw shapeFailure(this.http, 200, 'no resultItems list', 'unknown', requestId(response));
    return { items: items as DingTalkWireResultItem[], requestId: requestId(response) };
  }

  /** The task, or null when DingTalk no longer knows it (404). */
  async getTask(taskId: string, scope: DingTalkScope): Promise<DingTalkWireTask | null> {
    const response = await this.http.send({
      method: 'GET',
      path: `/v1.0/storage/tasks/${seg(taskId)}`,
      query: { unionId: scope.unionId },
      headers: { [TOKEN_HEADER]: scope.token },
      ...operationLink(scope),
      operation: 'task_query',
      api: 'getTask',
    });
    const json = jsonBody(response, this.http, 'not-executed', requestId(response), dingTalkPageCode);
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.#failure(response);
    const task = (json as { task?: unknown } | undefined)?.task;
    if (typeof task !== 'object' || task === null)
      throw shapeFailure(this.http, 200, 'no task object', 'not-executed');
    return task as DingTalkWireTask;
  }

  /**
   * GetDentries: up to 30 dentries of one space by id, each answered on its own (`success`, `errorCode`)
   * (https://help.dingtalk.io/open/development/get-file-or-folder-information-in-bulk).
   */
  async getDentries(
    spaceId: string,
    dentryIds: readonly string[],
    scope: DingTalkScope,
    operation: UpstreamOperation,
  ): Promise<DingTalkWireQueryItem[]> {
    const response = await this.http.send({
      method: 'POST',
      path: `/v1.0/storage/spaces/${seg(spaceId)}/dentries/query`,
      query: { unionId: scope.unionId },
      headers: { [TOKEN_HEADER]: scope.token },
      body: { dentryIds },
      ...operationLink(scope),
      operation,
      api: 'getDentries',
    });
    const json = jsonBody(response, this.http, 'not-executed', requestId(response), dingTalkPageCode);
    if (response.status !== 200) throw this.#failure(response);
    const items = (json as { resultItems?: unknown } | undefined)?.resultItems;
    if (!Array.isArray(items)) throw shapeFailure(this.http, 200, 'no resultItems list', 'not-executed');
    return items.filter((i): i is DingTalkWireQueryItem => typeof i === 'object' && i !== null);
  }

  /**
   * One page of ListDentries: the children of folder `parentId` (`0`: the root), at most 50 a page;
   * a non-empty `nextToken` means more (https://help.dingtalk.io/open/development/get-a-list-of-files-or-folders).
   * Null when the folder does not exist (404). `date` is the answer's `Date` header.
   */
  async listDentries(
    spaceId: string,
    parentId: string,
    page: { nextToken?: string; orderBy: string; order: 'ASC' | 'DESC'; maxResults: number },
    scope: DingTalkScope,
    operation: UpstreamOperation,
  ): Promise<{ dentries: DingTalkWireDentry[]; nextToken?: string; date?: string } | null> {
    const response = await this.http.send({
      method: 'GET',
      path: `/v1.0/storage/spaces/${seg(spaceId)}/dentries`,
      query: {
        parentId,
        unionId: scope.unionId,
        maxResults: String(page.maxResults),
        nextToken: page.nextToken,
        orderBy: page.orderBy,
        order: page.order,
      },
      headers: { [TOKEN_HEADER]: scope.token },
      ...operationLink(scope),
      operation,
      api: 'listDentries',
    });
    const json = jsonBody(response, this.http, 'not-executed', requestId(response), dingTalkPageCode) as
      { dentries?: unknown; nextToken?: unknown } | undefined;
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.#failure(response);
    if (!Array.isArray(json?.dentries))
      throw shapeFailure(this.http, 200, 'no dentries list', 'not-executed');
    const date = response.headers.date;
    return {
      dentries: json.dentries.filter(
        (d): d is DingTalkWireDentry =>
          typeof d === 'object' && d !== null && typeof (d as DingTalkWireDentry).id === 'string',
      ),
      ...(typeof json.nextToken === 'string' && json.nextToken !== '' ? { nextToken: json.nextToken } : {}),
      ...(typeof date === 'string' ? { date } : {}),
    };
  }

  async getAccessToken(
    appKey: string,
    appSecret: string,
    signal?: AbortSignal,
  ): Promise<{ accessToken: string; expireIn: number }> {
    const response = await this.http.send({
      method: 'POST',
      path: '/v1.0/oauth2/accessToken',
      body: { appKey, appSecret },
      signal,
      operation: 'token',
      api: 'getAccessToken',
    });
    const json = jsonBody(response, this.http, 'not-executed', undefined, dingTalkPageCode) as
      { accessToken?: unknown; expireIn?: unknown } | undefined;
    if (response.status !== 200) throw this.#failure(response);
    if (typeof json?.accessToken !== 'string' || json.accessToken === '') {
      throw shapeFailure(this.http, 200, 'a token answer without accessToken', 'not-executed');
    }
    const expireIn = Number(json.expireIn);
    return {
      accessToken: json.accessToken,
      expireIn: Number.isFinite(expireIn) && expireIn > 0 ? expireIn : 7200,
    };
  }

  #failure(response: UpstreamResponse) {
    const body = (
      typeof response.json === 'object' && response.json !== null ? response.json : {}
    ) as DingTalkWireError;
    return failureOf(response, dingTalkErrorInfo(response.status, body, requestId(response)));
  }
}
