import {
  operationLink,
  type OperationLink,
  type UpstreamHttpClient,
  type UpstreamResponse,
} from '../../upstream/http.js';
import type { UpstreamOperation } from '../../upstream/ports.js';
import { failureOf, jsonBody, requestIdOf, shapeFailure } from '../../upstream/answers.js';
import { smhErrorInfo, smhPageCode, wireStatus } from './translate.js';
import type { SmhWireCopyItem, SmhWireEntry, SmhWireError, SmhWireResultItem, SmhWireTask } from './wire.js';

/** Where an SMH call acts (library, space, optional user) with which token, for which operation. */
export interface SmhScope extends OperationLink {
  libraryId: string;
  spaceId: string;
  userId?: string;
  token: string;
}

/** SMH's answer to a batch copy: the items' results (200/207) with SMH's request id for the answer (item errors quote it), or the id of the task it started (202). */
export type SmhBatchAnswer =
  { kind: 'done'; results: SmhWireResultItem[]; requestId?: string } | { kind: 'async'; taskId: string };

const seg = encodeURIComponent;
const requestId = (response: UpstreamResponse) =>
  requestIdOf(response, 'requestId', ['x-request-id', 'x-smh-request-id']);

/**
 * SMH's batch copy, task query and token endpoints over undici. Builds exactly the documented wire
 * format, parses leniently, and turns every other answer into an UpstreamFailure.
 */
export class SmhClient {
  constructor(readonly http: UpstreamHttpClient) {}

  async batchCopy(scope: SmhScope, items: SmhWireCopyItem[]): Promise<SmhBatchAnswer> {
    const response = await this.http.send({
      method: 'POST',
      path: `/api/v1/batch/${seg(scope.libraryId)}/${seg(scope.spaceId)}`,
      // `copy=1` as the official JS SDK sends it; the docs' bare `copy` flag means the same.
      query: { copy: '1', access_token: scope.token, user_id: scope.userId },
      body: items,
      ...operationLink(scope),
      operation: 'batch_copy',
    });
    // Whenever the upstream got the request, the copy may have run: a bad answer leaves it unknown.
    const body = jsonBody(response, this.http, 'unknown', requestId(response), smhPageCode);
    if (response.status === 202) {
      const task = body as { taskId?: unknown; id?: unknown } | undefined;
      const taskId = task?.taskId ?? task?.id;
      if (typeof taskId !== 'number' && typeof taskId !== 'string') {
        throw shapeFailure(this.http, 202, 'no task id', 'unknown', requestId(response));
      }
      return { kind: 'async', taskId: String(taskId) };
    }
    if (response.status === 200 || response.status === 207) {
      const results = (body as { result?: unknown } | undefined)?.result;
      if (!Array.isArray(results))
        throw shapeFailure(this.http, response.status, 'no result list', 'unknown', requestId(response));
      return { kind: 'done', results: results as SmhWireResultItem[], requestId: requestId(response) };
    }
    // Any other 2xx is undocumented, but SMH took the request: the copy may have run.
    if (response.status >= 200 && response.status < 300) {
      throw shapeFailure(
        this.http,
        response.status,
        'an undocumented status',
        'unknown',
        requestId(response),
      );
    }
    throw this.#failure(response);
  }

  async queryTasks(scope: SmhScope, taskIds: readonly string[]): Promise<SmhWireTask[]> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/v1/task/${seg(scope.libraryId)}/${seg(scope.spaceId)}/${taskIds.map(seg).join(',')}`,
      query: { access_token: scope.token, user_id: scope.userId },
      ...operationLink(scope),
      operation: 'task_query',
    });
    const body = jsonBody(response, this.http, 'not-executed', requestId(response), smhPageCode);
    if (response.status !== 200) throw this.#failure(response);
    if (!Array.isArray(body))
      throw shapeFailure(this.http, 200, 'a task answer that is not a list', 'not-executed');
    // A task whose status is unreadable is left out, as if SMH did not know it.
    return body.flatMap((t: unknown): SmhWireTask[] => {
      if (typeof t !== 'object' || t === null) return [];
      const status = wireStatus((t as SmhWireTask).status);
      return status === undefined ? [] : [{ ...(t as SmhWireTask), status }];
    });
  }

  /**
   * `GET /api/v1/directory/{LibraryId}/{SpaceId}/{Path}?info&with_inode=1`: the facts of a file or
   * directory (https://www.tencentcloud.com/document/product/1283/75454), or null when SMH answers 404.
   */
  async info(
    scope: SmhScope,
    path: string,
    operation: UpstreamOperation,
  ): Promise<{ entry: SmhWireEntry | null; date?: string }> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/v1/directory/${seg(scope.libraryId)}/${seg(scope.spaceId)}/${seg(path)}`,
      query: { info: '1', with_inode: '1', access_token: scope.token, user_id: scope.userId },
      ...operationLink(scope),
      operation,
    });
    const body = jsonBody(response, this.http, 'not-executed', requestId(response), smhPageCode);
    const date = typeof response.headers.date === 'string' ? { date: response.headers.date } : {};
    if (response.status === 404) return { entry: null, ...date };
    if (response.status !== 200) throw this.#failure(response);
    if (typeof body !== 'object' || body === null || typeof (body as SmhWireEntry).type !== 'string')
      throw shapeFailure(this.http, 200, 'an info answer without type', 'not-executed');
    return { entry: body as SmhWireEntry, ...date };
  }

  /**
   * One marker page of a directory listing, `GET /api/v1/directory/{LibraryId}/{SpaceId}/{DirPath}`
   * with `marker`, `limit` (at most 1000) and `with_inode=1`
   * (https://www.tencentcloud.com/document/product/1283/75453); null when the directory does not exist.
   * An empty or absent `nextMarker` means the listing is complete.
   */
  async listPage(
    scope: SmhScope,
    directory: string,
    page: { marker?: string; limit: number },
    operation: UpstreamOperation,
  ): Promise<{ contents: SmhWireEntry[]; nextMarker?: string; date?: string } | null> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/v1/directory/${seg(scope.libraryId)}/${seg(scope.spaceId)}${directory === '' ? '' : `/${seg(directory)}`}`,
      query: {
        marker: page.marker,
        limit: String(page.limit),
        with_inode: '1',
        access_token: scope.token,
        user_id: scope.userId,
      },
      ...operationLink(scope),
      operation,
    });
    const body = jsonBody(response, this.http, 'not-executed', requestId(response), smhPageCode) as
      { contents?: unknown; nextMarker?: unknown } | undefined;
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.#failure(response);
    if (!Array.isArray(body?.contents))
      throw shapeFailure(this.http, 200, 'a listing without contents', 'not-executed');
    const next = body.nextMarker;
    const date = response.headers.date;
    return {
      ...(typeof date === 'string' ? { date } : {}),
      contents: body.contents.filter(
        (e): e is SmhWireEntry =>
          typeof e === 'object' && e !== null && typeof (e as SmhWireEntry).name === 'string',
      ),
      ...((typeof next === 'string' && next !== '') || typeof next === 'number'
        ? { nextMarker: String(next) }
        : {}),
    };
  }

  async createToken(
    libraryId: string,
    librarySecret: string,
    options: { grants: string[]; signal?: AbortSignal },
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const response = await this.http.send({
      method: 'GET',
      path: '/api/v1/token',
      query: { library_id: libraryId, library_secret: librarySecret, grant: options.grants.join(',') },
      signal: options.signal,
      operation: 'token',
    });
    const body = jsonBody(response, this.http, 'not-executed', undefined, smhPageCode) as
      { accessToken?: unknown; expiresIn?: unknown } | undefined;
    if (response.status !== 200) throw this.#failure(response);
    if (typeof body?.accessToken !== 'string' || body.accessToken === '') {
      throw shapeFailure(this.http, 200, 'a token answer without accessToken', 'not-executed');
    }
    const expiresIn = typeof body.expiresIn === 'number' && body.expiresIn > 0 ? body.expiresIn : 1200;
    return { accessToken: body.accessToken, expiresIn };
  }

  #failure(response: UpstreamResponse) {
    const body = (
      typeof response.json === 'object' && response.json !== null ? response.json : {}
    ) as SmhWireError;
    return failureOf(
      response,
      smhErrorInfo(response.status, body, `SMH answered ${response.status}.`, requestId(response)),
    );
  }
}
