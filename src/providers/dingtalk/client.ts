import type { Logger } from '../../copy/ports.js';
import type { UpstreamHttpClient, UpstreamResponse } from '../../upstream/http.js';
import { failureOf, jsonBody, requestIdOf, shapeFailure } from '../../upstream/answers.js';
import { dingTalkErrorInfo, dingTalkPageCode } from './translate.js';
import type {
  DingTalkWireCopyRequest,
  DingTalkWireError,
  DingTalkWireResultItem,
  DingTalkWireTask,
} from './wire.js';

/** Who a DingTalk call acts as (`unionId`, with `token`), and the caller's deadline and logger. */
export interface DingTalkScope {
  unionId: string;
  token: string;
  signal?: AbortSignal;
  log?: Logger;
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
      signal: scope.signal,
      log: scope.log,
      operation: 'batch_copy',
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
      signal: scope.signal,
      log: scope.log,
      operation: 'task_query',
    });
    const json = jsonBody(response, this.http, 'not-executed', requestId(response), dingTalkPageCode);
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.#failure(response);
    const task = (json as { task?: unknown } | undefined)?.task;
    if (typeof task !== 'object' || task === null)
      throw shapeFailure(this.http, 200, 'no task object', 'not-executed');
    return task as DingTalkWireTask;
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
