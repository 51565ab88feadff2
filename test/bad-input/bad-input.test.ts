/**
 * Runs the bad-input table (cases.ts) over real HTTP: each case must come back as one typed error
 * naming what was wrong, and neither emulator may have received a request for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTaskId } from '../helpers/task-ids.js';
import { startDingTalkEmulator, type DingTalkEmulator } from '../../src/emulators/dingtalk/index.js';
import { startSmhEmulator, type SmhEmulator } from '../../src/emulators/smh/index.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { CASES, ENV, TAMPERED_TASK_ID, type BadInputCase } from './cases.js';

describe('bad input is refused with a typed error and nothing is sent upstream', () => {
  let smh: SmhEmulator;
  let dt: DingTalkEmulator;
  let gw: TestGateway;
  let headers: Record<string, string>;

  beforeAll(async () => {
    smh = await startSmhEmulator({ seed: true });
    dt = await startDingTalkEmulator({ seed: true });
    gw = await startGateway({ ...ENV, SMH_BASE_URL: smh.url, DINGTALK_BASE_URL: dt.url });
    headers = {
      'x-smh-access-token': smh.issueToken({ libraryId: 'smhdemo', grants: ['admin'] }),
      'x-acs-dingtalk-access-token': dt.issueToken(),
    };
  });
  afterAll(async () => {
    await gw.close();
    await smh.close();
    await dt.close();
  });

  const upstreamRequests = () =>
    smh.stats.requestsTotal +
    Object.entries(dt.stats.requestsByRoute)
      .filter(([route]) => route !== 'admin')
      .reduce((sum, [, n]) => sum + (n ?? 0), 0);

  it('has a case for every input class, each with a unique name', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    // The tampered id really is a changed real id, and the codec refuses it on its own.
    expect(TAMPERED_TASK_ID.startsWith('ct1_')).toBe(true);
    expect(() => decodeTaskId(TAMPERED_TASK_ID)).toThrow(/Malformed task id/);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const before = upstreamRequests();
    const { status, body } = await gw.graphql<Record<string, unknown>>(
      testCase.query,
      testCase.variables,
      headers,
    );

    expect(body.errors, JSON.stringify(body)).toHaveLength(1);
    const error = body.errors?.[0] as {
      message: string;
      extensions?: Record<string, unknown>;
      path?: unknown[];
    };
    expect(error.extensions?.code, error.message).toBe(testCase.code);
    expect(error.message).toMatch(testCase.message);
    if (testCase.extensions) expect(error.extensions).toMatchObject(testCase.extensions);
    // Never a stack trace or an internal detail.
    expect(error.extensions).not.toHaveProperty('stacktrace');
    // No message ends in a stray ": " or a blank value.
    expect(error.message).not.toMatch(/[:\s]$/);
    // Every input error says where: its own checks name the field, coercion errors the value's path.
    if (error.extensions?.code === 'BAD_USER_INPUT')
      expect(error.extensions.field).toEqual(expect.any(String));
    if (testCase.inputField) expect(error.extensions?.field).toBe(testCase.inputField);

    if (testCase.extensions || testCase.field) {
      // The gateway's own validation: the operation ran, its field is null and the error points at it.
      const field = testCase.field ?? 'batchCopy';
      expect(status).toBe(200);
      expect(error.path).toEqual([field]);
      // Every root field is nullable: an error nulls its own field, never the whole data.
      expect(body.data).toEqual({ [field]: null });
    } else {
      // GraphQL's own validation or coercion: the operation never ran.
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
    }

    expect(upstreamRequests()).toBe(before);
  });

  it('with application/graphql-response+json too: a field error is 200, a request error 400', async () => {
    const accept = { ...headers, accept: 'application/graphql-response+json' };
    const field = CASES.find((c) => c.name === 'DingTalk: the same dentry id twice') as BadInputCase;
    const request = CASES.find((c) => c.name === 'SMH: empty libraryId (NonEmptyString)') as BadInputCase;
    const fieldAnswer = await gw.graphql(field.query, field.variables, accept);
    expect(fieldAnswer.status).toBe(200);
    expect(fieldAnswer.body.data).toEqual({ batchCopy: null });
    const requestAnswer = await gw.graphql(request.query, request.variables, accept);
    expect(requestAnswer.status).toBe(400);
    expect(requestAnswer.body.data).toBeUndefined();
  });

  it('sent nothing upstream across the whole table', () => {
    expect(upstreamRequests()).toBe(0);
    expect(smh.stats.batches).toEqual([]);
    expect(dt.stats.copyRequests).toEqual([]);
  });
});
