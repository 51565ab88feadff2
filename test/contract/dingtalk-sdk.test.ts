/**
 * Contract test: the official DingTalk SDK (`@alicloud/dingtalk`), unchanged, against the emulator.
 * If the SDK can send to it and parse every answer, the emulator's wire format matches what the real
 * service's own client expects. The SDK's raw requests are recorded so the project's client can be held
 * to the same wire format (the last tests of this file).
 */
import OAuthModule, * as $OAuth from '@alicloud/dingtalk/dist/oauth2_1_0/client.js';
import StorageModule, * as $Storage from '@alicloud/dingtalk/dist/storage_1_0/client.js';
import { Config } from '@alicloud/openapi-client';
import { RuntimeOptions } from '@alicloud/tea-util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  DINGTALK_SEED as SEED,
  compareWire,
  startDingTalkEmulator,
  toWire,
  type DingTalkEmulator,
  type WireRequest,
} from '../../src/emulators/dingtalk/index.js';
import { createLogger } from '../../src/log.js';
import { DingTalkClient } from '../../src/providers/dingtalk/client.js';
import { UpstreamHttpClient } from '../../src/upstream/http.js';
import { startGateway } from '../helpers/gateway.js';

/**
 * The SDK is CommonJS with `exports.default = Client`. TypeScript (NodeNext) types the default import as
 * the whole `module.exports`, so the class is at `.default`; Node's ESM loader agrees at runtime, but
 * vitest's interop already unwraps it to the class. Accept both.
 */
function cjsDefault<T>(mod: { default: T }): T {
  return typeof mod === 'function' ? (mod as unknown as T) : mod.default;
}
const Storage = cjsDefault(StorageModule);
const OAuth = cjsDefault(OAuthModule);

/** What the SDK throws for a JSON error answer (gateway-dingtalk): an Error with these extra fields. */
interface SdkError extends Error {
  code?: string;
  statusCode?: number;
  data?: { requestid?: string; statusCode?: number };
}

async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err as SdkError;
    throw new Error(`SDK threw a non-Error: ${String(err)}`);
  }
  throw new Error('expected the SDK call to throw');
}

let emu: DingTalkEmulator;
let clock: ManualClock;
let storage: InstanceType<typeof Storage>;
let oauth: InstanceType<typeof OAuth>;
let token: string;
const runtime = new RuntimeOptions({});
const TASK_MS = 10_000;

beforeAll(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 1, 8, 0, 0));
  emu = await startDingTalkEmulator({ clock, seed: true, taskDurationMs: TASK_MS });
  // §9.1: plain http and host:port only; the SDK's default timeouts are 3 s.
  const config = () =>
    new Config({
      protocol: 'http',
      endpoint: `127.0.0.1:${emu.port}`,
      readTimeout: 10_000,
      connectTimeout: 5_000,
    });
  storage = new Storage(config());
  oauth = new OAuth(config());
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  const res = await oauth.getAccessToken(
    new $OAuth.GetAccessTokenRequest({ appKey: SEED.appKey, appSecret: SEED.appSecret }),
  );
  token = res.body?.accessToken ?? '';
});

function copyDentries(dentryIds: string[], conflictStrategy = 'AUTO_RENAME', accessToken = token) {
  return storage.copyDentriesWithOptions(
    SEED.sourceSpaceId,
    new $Storage.CopyDentriesRequest({
      unionId: SEED.unionId,
      targetSpaceId: SEED.targetSpaceId,
      targetFolderId: SEED.targetFolderId,
      dentryIds,
      option: new $Storage.CopyDentriesRequestOption({ conflictStrategy }),
    }),
    new $Storage.CopyDentriesHeaders({ xAcsDingtalkAccessToken: accessToken }),
    runtime,
  );
}

function getTask(taskId: string) {
  return storage.getTaskWithOptions(
    taskId,
    new $Storage.GetTaskRequest({ unionId: SEED.unionId }),
    new $Storage.GetTaskHeaders({ xAcsDingtalkAccessToken: token }),
    runtime,
  );
}

describe('official SDK against the emulator', () => {
  it('oauth2 getAccessToken parses the token answer', async () => {
    const res = await oauth.getAccessToken(
      new $OAuth.GetAccessTokenRequest({ appKey: SEED.appKey, appSecret: SEED.appSecret }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body?.accessToken).toBe(token);
    expect(res.body?.expireIn).toBe(7200);
  });

  it('oauth2 bad credentials throw with code and statusCode', async () => {
    const err = await sdkError(
      oauth.getAccessToken(new $OAuth.GetAccessTokenRequest({ appKey: SEED.appKey, appSecret: 'wrong' })),
    );
    expect(err.code).toBe('invalidClientIdOrSecret');
    expect(err.statusCode).toBe(400);
  });

  it('copyDentriesWithOptions parses sync, async and failed items', async () => {
    const res = await copyDentries(['d-file-2', SEED.folderId, 'd-missing']);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['x-acs-request-id']).toMatch(/^[0-9A-F-]{36}$/);
    const items = res.body?.resultItems ?? [];
    expect(items).toHaveLength(3);

    const [sync, async, failed] = items;
    expect(sync).toBeInstanceOf($Storage.CopyDentriesResponseBodyResultItems);
    expect(sync?.async).toBe(false);
    expect(sync?.success).toBe(true);
    expect(sync?.targetSpaceId).toBe(SEED.targetSpaceId);
    expect(typeof sync?.targetDentryId).toBe('string');

    expect(async?.async).toBe(true);
    expect(async?.success).toBeUndefined();
    expect(async?.errorCode).toBeUndefined();
    expect(typeof async?.taskId).toBe('string');
    expect(async?.targetDentryId).toBeTruthy();

    expect(failed?.dentryId).toBe('d-missing');
    expect(failed?.success).toBe(false);
    expect(failed?.errorCode).toBe('dentryNotExist');
    expect(failed?.targetDentryId).toBeUndefined();

    const initial = await getTask(async?.taskId ?? '');
    expect(initial.body?.task?.status).toBe('INIT');
    expect(initial.body?.task?.totalCount).toBe(SEED.folderEntryCount);
    expect(initial.body?.task?.endTime).toBeUndefined();

    clock.advance(TASK_MS);
    const task = (await getTask(async?.taskId ?? '')).body?.task;
    expect(task).toBeInstanceOf($Storage.GetTaskResponseBodyTask);
    expect(task?.id).toBe(async?.taskId);
    expect(task?.status).toBe('SUCCESS');
    expect(task?.successCount).toBe(3);
    expect(task?.failCount).toBe(0);
    expect(task?.beginTime).toBe('2026-01-01T08:00:00Z');
    expect(task?.endTime).toBe('2026-01-01T08:00:10Z');
  });

  it('parses a per-item dentryAlreadyExist under RETURN_ERROR_IF_EXISTS', async () => {
    const res = await copyDentries([SEED.conflictingFileId], 'RETURN_ERROR_IF_EXISTS');
    expect(res.body?.resultItems?.[0]?.errorCode).toBe('dentryAlreadyExist');
    expect(res.body?.resultItems?.[0]?.success).toBe(false);
  });

  it('request-level errors throw with code, statusCode and the lowercase requestid', async () => {
    const err = await sdkError(copyDentries(['d-file-1', 'd-file-2', 'd-file-3', 'd-folder-2']));
    expect(err.code).toBe('paramError.dentryIds');
    expect(err.statusCode).toBe(400);
    const requestId = err.data?.requestid ?? '';
    expect(requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(err.message).toBe(
      `paramError.dentryIds: code: 400, dentryIds size exceed 3 request id: ${requestId}`,
    );

    const auth = await sdkError(copyDentries(['d-file-1'], 'AUTO_RENAME', 'bogus-token'));
    expect(auth.code).toBe('InvalidAuthentication');
    expect(auth.statusCode).toBe(400);

    const gone = await sdkError(getTask('task-unknown'));
    expect(gone.code).toBe('taskNotExist');
    expect(gone.statusCode).toBe(404);
  });

  it('injected JSON faults surface as SDK errors; an HTML page as a bare SyntaxError', async () => {
    emu.faults.add({
      kind: 'status',
      status: 403,
      code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
      times: 1,
    });
    const throttled = await sdkError(copyDentries(['d-file-3']));
    expect(throttled.code).toBe('Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');
    expect(throttled.statusCode).toBe(403);

    emu.faults.add({ kind: 'html', status: 503, times: 1 });
    const html = await sdkError(copyDentries(['d-file-3']));
    expect(html).toBeInstanceOf(SyntaxError);
  });
});

describe('wire format the SDK sends (recorded by the emulator)', () => {
  /** The SDK's batchCopy request for this input, as captured by the emulator. */
  const expectedCopyWire = (accessToken: string): WireRequest => ({
    method: 'POST',
    path: `/v1.0/storage/spaces/${SEED.sourceSpaceId}/dentries/batchCopy`,
    query: { unionId: SEED.unionId },
    accessToken,
    contentType: 'application/json;charset=utf-8',
    body: {
      dentryIds: ['d-file-2'],
      option: { conflictStrategy: 'AUTO_RENAME' },
      targetFolderId: SEED.targetFolderId,
      targetSpaceId: SEED.targetSpaceId,
    },
  });

  it('batchCopy: POST, unionId in the query, raw token header, chunked JSON body', async () => {
    await copyDentries(['d-file-2']);
    const recorded = emu.stats.lastRequests.batchCopy;
    if (!recorded) throw new Error('no batchCopy request recorded');
    expect(compareWire(expectedCopyWire(token), toWire(recorded))).toEqual([]);
    // Alphabetical keys, compact JSON; chunked with no length (§9.2).
    expect(recorded.rawBody).toBe(JSON.stringify(expectedCopyWire(token).body));
    expect(recorded.headers['transfer-encoding']).toBe('chunked');
    expect(recorded.headers['content-length']).toBeUndefined();
    expect(recorded.headers.authorization).toBeUndefined();
  });

  it('getTask: GET with unionId and the token header, no body', async () => {
    expect((await sdkError(getTask('task-wire'))).code).toBe('taskNotExist');
    const recorded = emu.stats.lastRequests.getTask;
    if (!recorded) throw new Error('no getTask request recorded');
    expect(toWire(recorded)).toEqual({
      method: 'GET',
      path: '/v1.0/storage/tasks/task-wire',
      query: { unionId: SEED.unionId },
      accessToken: token,
      contentType: undefined,
      body: undefined,
    });
  });

  it('accessToken: POST with a JSON body and no token header', async () => {
    const recorded = emu.stats.lastRequests.token;
    if (!recorded) throw new Error('no token request recorded');
    expect(toWire(recorded)).toEqual({
      method: 'POST',
      path: '/v1.0/oauth2/accessToken',
      query: {},
      accessToken: undefined,
      contentType: 'application/json;charset=utf-8',
      body: { appKey: SEED.appKey, appSecret: SEED.appSecret },
    });
  });

  /** The project's own client (undici), pointed at the same emulator. */
  async function withOwnClient<T>(fn: (client: DingTalkClient) => Promise<T>): Promise<T> {
    const http = new UpstreamHttpClient('DINGTALK', emu.url, {
      timeoutMs: 5_000,
      logger: createLogger('silent'),
    });
    try {
      return await fn(new DingTalkClient(http));
    } finally {
      await http.close();
    }
  }

  function recorded(route: 'batchCopy' | 'getTask' | 'token'): WireRequest {
    const request = emu.stats.lastRequests[route];
    if (!request) throw new Error(`no ${route} request recorded`);
    return toWire(request);
  }

  it("the project's own client sends the same batchCopy, getTask and accessToken requests as the SDK", async () => {
    await copyDentries(['d-file-2']);
    const sdkCopy = recorded('batchCopy');
    expect(compareWire(expectedCopyWire(token), sdkCopy)).toEqual([]);
    expect((await sdkError(getTask('task-wire'))).code).toBe('taskNotExist');
    const sdkTask = recorded('getTask');
    await oauth.getAccessToken(
      new $OAuth.GetAccessTokenRequest({ appKey: SEED.appKey, appSecret: SEED.appSecret }),
    );
    const sdkToken = recorded('token');

    await withOwnClient(async (client) => {
      const scope = { unionId: SEED.unionId, token };
      const { items } = await client.batchCopy(SEED.sourceSpaceId, scope, {
        targetSpaceId: SEED.targetSpaceId,
        targetFolderId: SEED.targetFolderId,
        dentryIds: ['d-file-2'],
        option: { conflictStrategy: 'AUTO_RENAME' },
      });
      expect(items).toHaveLength(1);
      expect(compareWire(sdkCopy, recorded('batchCopy'))).toEqual([]);

      expect(await client.getTask('task-wire', scope)).toBeNull();
      expect(compareWire(sdkTask, recorded('getTask'))).toEqual([]);

      const fetched = await client.getAccessToken(SEED.appKey, SEED.appSecret);
      expect(fetched).toEqual({ accessToken: token, expireIn: 7200 });
      expect(compareWire(sdkToken, recorded('token'))).toEqual([]);
    });
    // Neither client sends the token anywhere else.
    expect(emu.stats.lastRequests.batchCopy?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(emu.stats.lastRequests.batchCopy?.query)).not.toContain(token);
  });

  it("the gateway (pass-through token, RENAME) puts the SDK's batchCopy request on the wire", async () => {
    const gateway = await startGateway({ DINGTALK_BASE_URL: emu.url });
    try {
      const { body } = await gateway.graphql<{ batchCopy: { __typename: string } }>(
        `mutation($input: DingTalkBatchCopyInput!) { batchCopy(input: { dingtalk: $input }) { __typename } }`,
        {
          input: {
            spaceId: SEED.sourceSpaceId,
            unionId: SEED.unionId,
            targetSpaceId: SEED.targetSpaceId,
            targetFolderId: SEED.targetFolderId,
            dentryIds: ['d-file-2'],
            conflictStrategy: 'RENAME',
          },
        },
        { 'x-acs-dingtalk-access-token': token },
      );
      expect(body.data?.batchCopy.__typename).toBe('CopySucceeded');
      expect(compareWire(expectedCopyWire(token), recorded('batchCopy'))).toEqual([]);
    } finally {
      await gateway.close();
    }
  });
});
