import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/copy/errors.js';
import type { DingTalkBatchCopyRequest, DingTalkTaskRef } from '../../src/providers/dingtalk/types.js';
import type { ConflictStrategy } from '../../src/copy/types.js';
import {
  DEFAULT_STRATEGY,
  assembleTask,
  classifyDingTalkError,
  dingTalkErrorInfo,
  fromWireResults,
  toWireStrategy,
  unknownOutcomeMessage,
  validateDingTalkRequest,
  wireTaskState,
} from '../../src/providers/dingtalk/translate.js';
import type { DingTalkWireTask } from '../../src/providers/dingtalk/wire.js';

// The response example of shared/upstreams/dingtalk.md §2.2 (its shape follows the seed's field rules).
const DOC_RESPONSE = JSON.parse(`{"resultItems":[
  {"spaceId":"s1","dentryId":"d1","async":false,"success":true,"targetSpaceId":"s2","targetDentryId":"t1"},
  {"spaceId":"s1","dentryId":"d2","async":true,"taskId":"task-9","targetSpaceId":"s2","targetDentryId":"t2"},
  {"spaceId":"s1","dentryId":"d3","async":false,"success":false,"errorCode":"dentryAlreadyExist"}
]}`) as { resultItems: unknown[] };

const request = (over: Partial<DingTalkBatchCopyRequest> = {}): DingTalkBatchCopyRequest => ({
  spaceId: 's1',
  unionId: 'u1',
  targetSpaceId: 's2',
  targetFolderId: '0',
  dentryIds: ['d1'],
  ...over,
});

function inputError(fn: () => void): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('toWireStrategy', () => {
  it('maps each strategy to the documented DingTalk value', () => {
    const table: [ConflictStrategy, string][] = [
      ['FAIL', 'RETURN_ERROR_IF_EXISTS'],
      ['RENAME', 'AUTO_RENAME'],
      ['OVERWRITE', 'OVERWRITE'],
      ['KEEP_EXISTING', 'RETURN_DENTRY_IF_EXISTS'],
    ];
    for (const [domain, wire] of table) expect(toWireStrategy(domain)).toBe(wire);
  });

  it("defaults to FAIL, not DingTalk's own AUTO_RENAME", () => {
    expect(DEFAULT_STRATEGY).toBe('FAIL');
    expect(toWireStrategy(undefined)).toBe('RETURN_ERROR_IF_EXISTS');
    expect(toWireStrategy(null)).toBe('RETURN_ERROR_IF_EXISTS');
  });
});

describe('validateDingTalkRequest', () => {
  it('accepts a plain request, up to maxItems ids, and a 256-character id', () => {
    expect(() => validateDingTalkRequest(request(), 1)).not.toThrow();
    expect(() => validateDingTalkRequest(request({ dentryIds: ['a', 'b', 'c'] }), 3)).not.toThrow();
    expect(() => validateDingTalkRequest(request({ dentryIds: ['x'.repeat(256)] }), 3)).not.toThrow();
    // Unicode and spaces inside an id are DingTalk's business, not ours.
    expect(() => validateDingTalkRequest(request({ dentryIds: ['文件 1'] }), 3)).not.toThrow();
  });

  it('refuses an empty list and a list over maxItems', () => {
    expect(inputError(() => validateDingTalkRequest(request({ dentryIds: [] }), 5)).extra).toEqual({
      field: 'dentryIds',
    });
    const over = inputError(() => validateDingTalkRequest(request({ dentryIds: ['a', 'b', 'c'] }), 2));
    expect(over.message).toContain('at most 2');
    expect(over.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['empty', ''],
    ['blank', '  '],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007f'],
    ['slash', 'a/b'],
    ['too long', 'x'.repeat(257)],
  ])('names the bad id (%s) by field and index', (_name, bad) => {
    const error = inputError(() => validateDingTalkRequest(request({ dentryIds: ['ok', bad] }), 5));
    expect(error.extra).toEqual({ field: 'dentryIds.1', index: 1 });
    expect(error.message).toMatch(/^dentryIds\[1\] /);
  });

  it.each(['spaceId', 'unionId', 'targetSpaceId', 'targetFolderId'] as const)(
    'checks %s like an id',
    (field) => {
      const error = inputError(() => validateDingTalkRequest(request({ [field]: 'a\tb' }), 5));
      expect(error.extra).toEqual({ field });
    },
  );
});

describe('classifyDingTalkError', () => {
  it.each([
    [400, 'InvalidAuthentication', 'UNAUTHENTICATED', 'not-executed'],
    [400, 'AuthenticationFailed.MissingParameter', 'UNAUTHENTICATED', 'not-executed'],
    [401, 'authFailed', 'UNAUTHENTICATED', 'not-executed'],
    [400, 'operationConcurrentControl', 'THROTTLED', 'not-executed'],
    [403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', 'THROTTLED', 'not-executed'],
    [403, 'Forbidden.AccessDenied.QpsLimitForApi', 'THROTTLED', 'not-executed'],
    [429, undefined, 'THROTTLED', 'not-executed'],
    [403, 'Forbidden.AccessDenied.ApiCountLimitForOrg', 'QUOTA_EXCEEDED', 'not-executed'],
    [400, 'spaceQuotaInsufficient', 'QUOTA_EXCEEDED', 'not-executed'],
    [400, 'orgQuotaInsufficient', 'QUOTA_EXCEEDED', 'not-executed'],
    [403, 'permissionDenied', 'PERMISSION_DENIED', 'not-executed'],
    [403, 'somethingElse', 'PERMISSION_DENIED', 'not-executed'],
    [404, 'spaceNotExist', 'NOT_FOUND', 'not-executed'],
    [404, 'dentryNotExist', 'NOT_FOUND', 'not-executed'],
    [404, 'taskNotExist', 'NOT_FOUND', 'not-executed'],
    [400, 'dentryAlreadyExist', 'CONFLICT', 'not-executed'],
    [400, 'paramError.dentryIds', 'INVALID_ARGUMENT', 'not-executed'],
    [400, undefined, 'INVALID_ARGUMENT', 'not-executed'],
    [500, 'systemError', 'UPSTREAM_ERROR', 'unknown'],
    [500, 'unknownError', 'UPSTREAM_ERROR', 'unknown'],
    [502, undefined, 'UPSTREAM_ERROR', 'unknown'],
    [503, 'operationTimeout', 'UPSTREAM_TIMEOUT', 'unknown'],
    // Item errorCodes and task failMessages come without their own status (the callers pass 400).
    [400, 'systemError', 'UPSTREAM_ERROR', 'unknown'],
    [400, 'unknownError', 'UPSTREAM_ERROR', 'unknown'],
    [400, 'operationTimeout', 'UPSTREAM_TIMEOUT', 'unknown'],
    // A redirect is never followed, and is not the API's refusal of a parameter.
    [302, undefined, 'UPSTREAM_PROTOCOL_ERROR', 'not-executed'],
    [307, 'whatever', 'UPSTREAM_PROTOCOL_ERROR', 'not-executed'],
  ] as const)('%i %s → %s (%s)', (status, code, expected, execution) => {
    expect(classifyDingTalkError(status, code)).toEqual({ code: expected, execution });
  });
});

describe('dingTalkErrorInfo', () => {
  it('keeps the upstream status, code and lowercase requestid', () => {
    const info = dingTalkErrorInfo(
      404,
      { code: 'spaceNotExist', message: 'space s9 does not exist', requestid: 'REQ-BODY' },
      'REQ-HEADER',
    );
    expect(info).toEqual({
      execution: 'not-executed',
      error: {
        code: 'NOT_FOUND',
        message: 'DingTalk answered 404 spaceNotExist: space s9 does not exist',
        retryable: false,
        upstream: { provider: 'DINGTALK', httpStatus: 404, code: 'spaceNotExist', requestId: 'REQ-BODY' },
      },
    });
  });

  it('falls back to the header request id when the body has none', () => {
    expect(dingTalkErrorInfo(400, { code: 'paramError' }, 'REQ-HEADER').error.upstream?.requestId).toBe(
      'REQ-HEADER',
    );
    expect(dingTalkErrorInfo(400, undefined).error.upstream).toEqual({
      provider: 'DINGTALK',
      httpStatus: 400,
      code: undefined,
      requestId: undefined,
    });
  });

  it('marks only throttling retryable, and says when the outcome is unknown', () => {
    const throttled = dingTalkErrorInfo(400, { code: 'operationConcurrentControl', message: 'busy' });
    expect(throttled.error).toMatchObject({ code: 'THROTTLED', retryable: true });
    expect(throttled.error.message).toContain('did not run');

    const lost = dingTalkErrorInfo(500, { code: 'systemError', message: 'boom' });
    expect(lost).toMatchObject({ execution: 'unknown', error: { code: 'UPSTREAM_ERROR', retryable: false } });
    expect(lost.error.message).toBe(unknownOutcomeMessage('DingTalk answered 500 systemError'));
    expect(lost.error.message).toContain('KEEP_EXISTING');

    expect(dingTalkErrorInfo(400, { code: 'dentryAlreadyExist' }).error).toMatchObject({
      code: 'CONFLICT',
      retryable: false,
      message: 'DingTalk answered 400 dentryAlreadyExist.',
    });
  });
});

describe('fromWireResults', () => {
  it('reads the documented example: sync success, async with a task, per-item failure', () => {
    const { items, parts } = fromWireResults(DOC_RESPONSE.resultItems, ['d1', 'd2', 'd3'], 6, 'f1');
    expect(items).toEqual([
      {
        index: 6,
        source: 'd1',
        target: 'f1',
        renamed: false,
        status: 'SUCCEEDED',
        result: 't1',
        evidence: 'UPSTREAM_ANSWER',
      },
      {
        index: 7,
        source: 'd2',
        target: 'f1',
        renamed: false,
        status: 'PENDING',
        result: 't2',
        evidence: 'UPSTREAM_ANSWER',
      },
      {
        index: 8,
        source: 'd3',
        target: 'f1',
        renamed: false,
        status: 'FAILED',
        evidence: 'UPSTREAM_ANSWER',
        error: {
          code: 'CONFLICT',
          message: 'DingTalk could not copy this item (dentryAlreadyExist).',
          retryable: false,
          upstream: { provider: 'DINGTALK', code: 'dentryAlreadyExist' },
        },
      },
    ]);
    expect(parts).toEqual([{ taskId: 'task-9', index: 7, source: 'd2', result: 't2' }]);
  });

  it('matches results by dentryId when the upstream reorders them', () => {
    const reversed = [...DOC_RESPONSE.resultItems].reverse();
    const { items } = fromWireResults(reversed, ['d1', 'd2', 'd3'], 0, '0');
    expect(items.map((i) => [i.source, i.status])).toEqual([
      ['d1', 'SUCCEEDED'],
      ['d2', 'PENDING'],
      ['d3', 'FAILED'],
    ]);
  });

  it('matches by position when ids repeat in the request', () => {
    const { items, parts } = fromWireResults(
      [
        { dentryId: 'd1', async: false, success: true, targetDentryId: 'a' },
        { dentryId: 'd1', async: true, taskId: 't', targetDentryId: 'b' },
      ],
      ['d1', 'd1'],
      0,
      '0',
    );
    expect(items.map((i) => [i.status, i.result])).toEqual([
      ['SUCCEEDED', 'a'],
      ['PENDING', 'b'],
    ]);
    expect(parts.map((p) => p.index)).toEqual([1]);
  });

  it('matches by position when the upstream leaves dentryId out', () => {
    const { items } = fromWireResults(
      [
        { success: true, targetDentryId: 'a' },
        { success: false, errorCode: 'permissionDenied' },
      ],
      ['d1', 'd2'],
      0,
      '0',
    );
    expect(items.map((i) => [i.source, i.status, i.error?.code])).toEqual([
      ['d1', 'SUCCEEDED', undefined],
      ['d2', 'FAILED', 'PERMISSION_DENIED'],
    ]);
  });

  it('turns a numeric taskId into a string (the SDK does the same)', () => {
    const { items, parts } = fromWireResults(
      [{ dentryId: 'd1', async: true, taskId: 12345, targetDentryId: 'x' }],
      ['d1'],
      0,
      '0',
    );
    expect(items[0]?.status).toBe('PENDING');
    expect(parts).toEqual([{ taskId: '12345', index: 0, source: 'd1', result: 'x' }]);
  });

  it('classifies per-item server-fault codes as upstream errors, not bad arguments', () => {
    const { items } = fromWireResults(
      [{ dentryId: 'd1', async: false, success: false, errorCode: 'systemError' }],
      ['d1'],
      0,
      '0',
    );
    expect(items[0]?.error?.code).toBe('UPSTREAM_ERROR');
  });

  it('reports a missing result, an async item without a task id and an unreadable item as UNKNOWN', () => {
    const { items, parts } = fromWireResults(
      [
        { dentryId: 'd1', async: true, targetDentryId: 'x' },
        { dentryId: 'd2', async: false },
      ],
      ['d1', 'd2', 'd3'],
      0,
      '0',
    );
    expect(items.map((i) => [i.source, i.status, i.error?.code, i.error?.retryable])).toEqual([
      ['d1', 'UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR', false],
      ['d2', 'UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR', false],
      ['d3', 'UNKNOWN', 'UPSTREAM_PROTOCOL_ERROR', false],
    ]);
    expect(parts).toEqual([]);
    expect(items[2]?.error?.message).toContain('no result');
  });

  it('survives garbage: every requested id gets exactly one item, in order, with its index', () => {
    const wireItem = fc.record(
      {
        dentryId: fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.string()),
        async: fc.boolean(),
        success: fc.boolean(),
        errorCode: fc.string(),
        taskId: fc.oneof(fc.string(), fc.integer()),
        targetDentryId: fc.string(),
      },
      { requiredKeys: [] },
    );
    const results = fc.oneof(fc.array(fc.oneof(wireItem, fc.anything()), { maxLength: 6 }), fc.anything());
    const ids = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(results, ids, fc.nat({ max: 10_000 }), (wire, dentryIds, offset) => {
        const { items, parts } = fromWireResults(wire, dentryIds, offset, 'f');
        expect(items.map((i) => [i.index, i.source, i.target])).toEqual(
          dentryIds.map((id, i) => [offset + i, id, 'f']),
        );
        // One task part per PENDING item, and only for PENDING items.
        expect(parts.map((p) => p.index)).toEqual(
          items.filter((i) => i.status === 'PENDING').map((i) => i.index),
        );
        for (const part of parts) expect(typeof part.taskId).toBe('string');
        for (const item of items) {
          expect(item.error === undefined).toBe(item.status === 'SUCCEEDED' || item.status === 'PENDING');
        }
      }),
    );
  });
});

describe('wireTaskState', () => {
  it.each([
    [{ status: 'INIT' }, 'RUNNING'],
    [{ status: 'IN_PROGRESS', successCount: 2, failCount: 1 }, 'RUNNING'],
    [{ status: 'SUCCESS', successCount: 3, failCount: 0 }, 'SUCCEEDED'],
    [{ status: 'SUCCESS', successCount: 2, failCount: 1 }, 'PARTIALLY_FAILED'],
    [{ status: 'SUCCESS', successCount: '2', failCount: '1' }, 'PARTIALLY_FAILED'],
    [{ status: 'FAIL', successCount: 2, failCount: 1 }, 'PARTIALLY_FAILED'],
    [{ status: 'FAIL', successCount: 0, failCount: 3 }, 'FAILED'],
    [{ status: 'FAIL' }, 'FAILED'],
    [{ status: 'SOMETHING_NEW' }, 'RUNNING'],
    [{}, 'RUNNING'],
  ] as [DingTalkWireTask, string][])('%j → %s', (task, state) => {
    expect(wireTaskState(task)).toBe(state);
  });
});

describe('assembleTask', () => {
  const checkedAt = new Date('2026-01-01T00:00:00Z');
  const ref: DingTalkTaskRef = {
    provider: 'DINGTALK',
    unionId: 'u1',
    parts: [
      { taskId: 'task-1', index: 0, source: 'd1', result: 'r1' },
      { taskId: 'task-2', index: 3, source: 'd4', result: 'r4' },
      // Two items in one upstream task: counted once.
      { taskId: 'task-2', index: 5, source: 'd6' },
    ],
  };

  it('combines several upstream tasks; counts its items in summary, sub-entries (each task once) apart', () => {
    const tasks = new Map<string, DingTalkWireTask>([
      ['task-1', { id: 'task-1', status: 'SUCCESS', totalCount: 3, successCount: 3, failCount: 0 }],
      [
        'task-2',
        { id: 'task-2', status: 'IN_PROGRESS', totalCount: '10', successCount: '4', failCount: '1' },
      ],
    ]);
    const task = assembleTask(ref, 'ct1_x', tasks, checkedAt);
    expect(task).toEqual({
      id: 'ct1_x',
      provider: 'DINGTALK',
      state: 'RUNNING',
      done: false,
      items: [
        {
          index: 0,
          source: 'd1',
          result: 'r1',
          renamed: false,
          status: 'SUCCEEDED',
          evidence: 'UPSTREAM_ANSWER',
        },
        {
          index: 3,
          source: 'd4',
          result: 'r4',
          renamed: false,
          status: 'PENDING',
          evidence: 'UPSTREAM_ANSWER',
        },
        {
          index: 5,
          source: 'd6',
          result: undefined,
          renamed: false,
          status: 'PENDING',
          evidence: 'UPSTREAM_ANSWER',
        },
      ],
      // The request's items, as batchCopy counts them: never DingTalk's sub-entries.
      summary: { total: 3, succeeded: 1, failed: 0, pending: 2, unknown: 0 },
      entries: { total: 13, succeeded: 7, failed: 1 },
      upstreamTaskIds: ['task-1', 'task-2'],
      checkedAt,
    });
  });

  it('is PARTIALLY_FAILED when one task failed and another succeeded, FAILED when all failed', () => {
    const failed: DingTalkWireTask = {
      status: 'FAIL',
      totalCount: 2,
      successCount: 0,
      failCount: 2,
      failMessage: 'permissionDenied',
    };
    const mixed = assembleTask(
      ref,
      'id',
      new Map<string, DingTalkWireTask>([
        ['task-1', { status: 'SUCCESS', totalCount: 1, successCount: 1, failCount: 0 }],
        ['task-2', failed],
      ]),
      checkedAt,
    );
    expect(mixed.state).toBe('PARTIALLY_FAILED');
    expect(mixed.done).toBe(true);
    expect(mixed.items.map((i) => [i.status, i.error?.code ?? null])).toEqual([
      ['SUCCEEDED', null],
      // DingTalk named this copy's root (r4) when it accepted it: the root exists although no sub-entry was copied.
      ['FAILED', 'PARTIALLY_COPIED'],
      ['FAILED', 'PERMISSION_DENIED'],
    ]);
    expect(mixed.items[2]?.error).toMatchObject({
      code: 'PERMISSION_DENIED',
      retryable: false,
      upstream: { provider: 'DINGTALK', code: 'permissionDenied' },
    });
    expect(mixed.items[2]?.error?.message).toContain('task-2');
    expect(mixed.summary).toEqual({ total: 3, succeeded: 1, failed: 2, pending: 0, unknown: 0 });

    const unnamed: DingTalkTaskRef = {
      ...ref,
      parts: ref.parts.map(({ result: _result, ...part }) => part),
    };
    const all = assembleTask(
      unnamed,
      'id',
      new Map([
        ['task-1', failed],
        ['task-2', failed],
      ]),
      checkedAt,
    );
    expect(all.state).toBe('FAILED');
    expect(all.items.map((i) => i.error?.code)).toEqual([
      'PERMISSION_DENIED',
      'PERMISSION_DENIED',
      'PERMISSION_DENIED',
    ]);
  });

  it('reports a folder copy that ran in part as FAILED PARTIALLY_COPIED with its result, never as not run', () => {
    const partial: DingTalkTaskRef = {
      provider: 'DINGTALK',
      unionId: 'u',
      parts: [{ taskId: 't', index: 2, source: 'd-folder', result: 'new-root' }],
    };
    for (const wire of [
      { status: 'FAIL', totalCount: 3, successCount: 2, failCount: 1, failMessage: 'permissionDenied' },
      // SUCCESS with failures is partial too.
      { status: 'SUCCESS', totalCount: 3, successCount: 2, failCount: 1 },
      // A server fault on some entries after others were copied: partial, not unknown.
      { status: 'FAIL', totalCount: 3, successCount: 1, failCount: 2, failMessage: 'systemError' },
    ] as DingTalkWireTask[]) {
      const task = assembleTask(partial, 'id', new Map([['t', wire]]), checkedAt);
      expect(task.state).toBe('PARTIALLY_FAILED');
      expect(task.items).toEqual([
        {
          index: 2,
          source: 'd-folder',
          result: 'new-root',
          renamed: false,
          status: 'FAILED',
          evidence: 'UPSTREAM_ANSWER',
          error: {
            code: 'PARTIALLY_COPIED',
            message: expect.stringContaining('the copy exists in part under the new entry new-root'),
            retryable: false,
            upstream: { provider: 'DINGTALK', code: wire.failMessage },
          },
        },
      ]);
      expect(task.summary).toEqual({ total: 1, succeeded: 0, failed: 1, pending: 0, unknown: 0 });
    }
    // Without a named root, copied sub-entries still make it partial.
    const { parts } = partial;
    const noRoot = { ...partial, parts: [{ ...parts[0], result: undefined }] } as DingTalkTaskRef;
    const task = assembleTask(
      noRoot,
      'id',
      new Map([['t', { status: 'FAIL', totalCount: 3, successCount: 1, failCount: 2 } as DingTalkWireTask]]),
      checkedAt,
    );
    expect(task.items[0]?.error?.code).toBe('PARTIALLY_COPIED');
    expect(task.items[0]?.result).toBeUndefined();
  });

  it('reports a task that failed with a server fault and nothing known to exist as UNKNOWN', () => {
    const task = assembleTask(
      { provider: 'DINGTALK', unionId: 'u', parts: [{ taskId: 't', index: 0, source: 's' }] },
      'id',
      new Map([
        ['t', { status: 'FAIL', totalCount: 3, successCount: 0, failCount: 3, failMessage: 'systemError' }],
      ]) as ReadonlyMap<string, DingTalkWireTask>,
      checkedAt,
    );
    expect(task.items.map((i) => [i.status, i.error?.code])).toEqual([['UNKNOWN', 'UPSTREAM_ERROR']]);
  });

  it('never reports negative or fractional counts from odd wire values', () => {
    const task = assembleTask(
      { provider: 'DINGTALK', unionId: 'u', parts: [{ taskId: 't', index: 0, source: 's' }] },
      'id',
      new Map<string, DingTalkWireTask>([
        ['t', { status: 'IN_PROGRESS', totalCount: 'many', successCount: -3, failCount: 1.7 }],
      ]),
      checkedAt,
    );
    expect(task.summary).toEqual({ total: 1, succeeded: 0, failed: 0, pending: 1, unknown: 0 });
    expect(task.entries).toEqual({ total: 1, succeeded: 0, failed: 1 });
  });
});

describe('fromWireResults: item error codes', () => {
  const ids = ['d1', 'd2', 'd3'];
  const { items } = fromWireResults(
    [
      { dentryId: 'd1', async: false, success: false, errorCode: 'systemError' },
      { dentryId: 'd2', async: false, success: false, errorCode: 'operationConcurrentControl' },
      { dentryId: 'd3', async: false, success: false, errorCode: 'dentryAlreadyExist' },
    ],
    ids,
    0,
    '0',
  );

  it('leaves an item with a server-fault code UNKNOWN: it may have run', () => {
    expect(items[0]).toMatchObject({
      status: 'UNKNOWN',
      error: { code: 'UPSTREAM_ERROR', retryable: false },
    });
    expect(items[0]?.error?.message).toMatch(/check the target/);
  });

  it('marks a throttled item FAILED and retryable', () => {
    expect(items[1]).toMatchObject({ status: 'FAILED', error: { code: 'THROTTLED', retryable: true } });
  });

  it('keeps a plain refusal FAILED and not retryable', () => {
    expect(items[2]).toMatchObject({ status: 'FAILED', error: { code: 'CONFLICT', retryable: false } });
  });
});
