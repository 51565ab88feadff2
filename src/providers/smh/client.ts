import { UpstreamFailure } from '../../copy/errors.js';
import type { UpstreamHttpClient, UpstreamResponse } from '../../upstream/http.js';
import { protocolFailure, smhErrorInfo } from './translate.js';
import type { SmhWireCopyItem, SmhWireError, SmhWireResultItem, SmhWireTask } from './wire.js';

export interface SmhScope {
  libraryId: string;
  spaceId: string;
  userId?: string;
  token: string;
  signal?: AbortSignal;
}

export type SmhBatchAnswer =
  { kind: 'done'; status: number; results: SmhWireResultItem[] } | { kind: 'async'; taskId: string };

const seg = encodeURIComponent;

function requestIdOf(response: UpstreamResponse): string | undefined {
  const body = response.json as SmhWireError | undefined;
  const fromHeader = response.headers['x-request-id'] ?? response.headers['x-smh-request-id'];
  return (
    (typeof body?.requestId === 'string' ? body.requestId : undefined) ??
    (typeof fromHeader === 'string' ? fromHeader : undefined)
  );
}

/**
 * SMH's batch copy, task query and token endpoints over undici. Builds exactly the documented wire
 * format, parses leniently, and turns every non-success answer into an UpstreamFailure.
 */
export class SmhClient {
  constructor(readonly http: UpstreamHttpClient) {}

  async batchCopy(scope: SmhScope, items: SmhWireCopyItem[]): Promise<SmhBatchAnswer> {
    const response = await this.http.send({
      method: 'POST',
      path: `/api/v1/batch/${seg(scope.libraryId)}/${seg(scope.spaceId)}`,
      query: { copy: '', access_token: scope.token, user_id: scope.userId },
      body: items,
      signal: scope.signal,
    });
    // The copy may have run whenever the upstream answered 2xx, so a bad 2xx body leaves the outcome unknown.
    const body = this.#json(response, 'unknown');
    if (response.status === 202) {
      const task = body as { taskId?: unknown; id?: unknown };
      const taskId = task?.taskId ?? task?.id;
      if (typeof taskId !== 'number' && typeof taskId !== 'string') {
        throw protocolFailure(202, 'no task id', 'unknown', requestIdOf(response));
      }
      return { kind: 'async', taskId: String(taskId) };
    }
    if (response.status === 200 || response.status === 207) {
      const results = (body as { result?: unknown })?.result;
      if (!Array.isArray(results))
        throw protocolFailure(response.status, 'no result list', 'unknown', requestIdOf(response));
      return { kind: 'done', status: response.status, results: results as SmhWireResultItem[] };
    }
    throw this.#failure(response);
  }

  async queryTasks(scope: SmhScope, taskIds: readonly string[]): Promise<SmhWireTask[]> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/v1/task/${seg(scope.libraryId)}/${seg(scope.spaceId)}/${taskIds.map(seg).join(',')}`,
      query: { access_token: scope.token, user_id: scope.userId },
      signal: scope.signal,
    });
    const body = this.#json(response, 'not-executed');
    if (response.status !== 200) throw this.#failure(response);
    if (!Array.isArray(body))
      throw protocolFailure(200, 'a task answer that is not a list', 'not-executed', requestIdOf(response));
    return body.filter(
      (t): t is SmhWireTask =>
        typeof t === 'object' && t !== null && typeof (t as SmhWireTask).status === 'number',
    );
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
    });
    const body = this.#json(response, 'not-executed') as
      { accessToken?: unknown; expiresIn?: unknown } | undefined;
    if (response.status !== 200) throw this.#failure(response);
    if (typeof body?.accessToken !== 'string' || body.accessToken === '') {
      throw protocolFailure(200, 'a token answer without accessToken', 'not-executed', requestIdOf(response));
    }
    const expiresIn = typeof body.expiresIn === 'number' && body.expiresIn > 0 ? body.expiresIn : 1200;
    return { accessToken: body.accessToken, expiresIn };
  }

  /** The parsed body; an unreadable one is a protocol error (or, for a throttle page, THROTTLED). */
  #json(response: UpstreamResponse, executionIfSuccess: 'unknown' | 'not-executed'): unknown {
    if (!response.malformed) return response.json;
    const requestId = requestIdOf(response);
    if (response.status === 429) throw this.#failure(response);
    const ok = response.status >= 200 && response.status < 300;
    const execution = ok || response.status >= 500 ? executionIfSuccess : 'not-executed';
    throw protocolFailure(
      response.status,
      `a body that is not JSON (${response.contentType || 'no content type'})`,
      execution,
      requestId,
    );
  }

  #failure(response: UpstreamResponse): UpstreamFailure {
    const body = (
      typeof response.json === 'object' && response.json !== null ? response.json : {}
    ) as SmhWireError;
    const { error, execution } = smhErrorInfo(
      response.status,
      body,
      `SMH answered ${response.status}.`,
      requestIdOf(response),
    );
    return new UpstreamFailure(error, execution);
  }
}
