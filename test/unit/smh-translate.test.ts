import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/copy/errors.js';
import { summarize } from '../../src/copy/summary.js';
import { decodeTaskId } from '../helpers/task-ids.js';
import type { SmhBatchCopyRequest, SmhTaskRef } from '../../src/providers/smh/types.js';
import type { CopyItemResult } from '../../src/copy/types.js';
import { assembleTask } from '../../src/providers/smh/adapter.js';
import {
  classifySmhError,
  DEFAULT_STRATEGY,
  fromTaskResults,
  fromWireItem,
  fromWireResults,
  joinPath,
  pathProblem,
  smhErrorInfo,
  taskState,
  toWireItems,
  toWireStrategy,
  validateSmhRequest,
  wireStatus,
  wireTaskId,
} from '../../src/providers/smh/translate.js';
import type { SmhWireTask } from '../../src/providers/smh/wire.js';

// Verbatim from shared/seeds/smh-batch-copy.txt.
const SEED_REQUEST =
  '[{"copyFromSpaceId":"spaceNJsnjdiq","copyFrom": "bar","to": "foo/bar"},{"copyFrom": "foo/1.jpg","to": "bar/1.jpg"},{"copyFrom": "foo/2.jpg","to": "bar/2.jpg","conflictResolutionStrategy": "overwrite"}]';
const SEED_RESPONSE =
  '{"result": [{"status": 204,"copyFrom": "bar","to": [ "foo", "bar" ]},{"status": 200,"path": [ "bar", "1 (1).jpg" ],"copyFrom": [ "foo", "1.jpg" ],"to": [ "bar", "1.jpg" ]},{"status": 204,"copyFrom": [ "foo", "2.jpg" ],"to": [ "bar", "2.jpg" ]}]}';
const SEED_TASK_RESPONSE =
  '[{"taskId": 16,"status": 200,"result": [{"status": 204,"copyFrom": "bar","to": [ "foo", "bar" ]},{"status": 200,"path": [ "bar", "1 (1).jpg" ],"copyFrom": [ "foo", "1.jpg" ],"to": [ "bar", "1.jpg" ]},{"status": 204,"copyFrom": [ "foo", "2.jpg" ],"to": [ "bar", "2.jpg" ]}]}]';

/** The seed request as a gateway caller writes it; the strategies are the ones that give the seed's statuses. */
const SEED_AS_GRAPHQL: SmhBatchCopyRequest = {
  libraryId: 'smhdemo',
  items: [
    { from: 'bar', to: 'foo/bar', fromSpaceId: 'spaceNJsnjdiq', conflictStrategy: 'FAIL' },
    { from: 'foo/1.jpg', to: 'bar/1.jpg', conflictStrategy: 'RENAME' },
    { from: 'foo/2.jpg', to: 'bar/2.jpg', conflictStrategy: 'OVERWRITE' },
  ],
};

const SEED_ITEMS: CopyItemResult[] = [
  {
    index: 0,
    status: 'SUCCEEDED',
    source: 'bar',
    target: 'foo/bar',
    result: 'foo/bar',
    renamed: false,
    evidence: 'UPSTREAM_ANSWER',
  },
  {
    index: 1,
    status: 'SUCCEEDED',
    source: 'foo/1.jpg',
    target: 'bar/1.jpg',
    result: 'bar/1 (1).jpg',
    renamed: true,
    evidence: 'UPSTREAM_ANSWER',
  },
  {
    index: 2,
    status: 'SUCCEEDED',
    source: 'foo/2.jpg',
    target: 'bar/2.jpg',
    result: 'bar/2.jpg',
    renamed: false,
    evidence: 'UPSTREAM_ANSWER',
  },
];

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

const request = (items: SmhBatchCopyRequest['items'], extra: Partial<SmhBatchCopyRequest> = {}) => ({
  libraryId: 'smhdemo',
  items,
  ...extra,
});

describe('conflict strategies', () => {
  it('map to the SMH wire values', () => {
    expect(toWireStrategy('FAIL')).toBe('ask');
    expect(toWireStrategy('RENAME')).toBe('rename');
    expect(toWireStrategy('OVERWRITE')).toBe('overwrite');
    expect(DEFAULT_STRATEGY).toBe('FAIL');
  });

  it('refuse KEEP_EXISTING with UNSUPPORTED, naming the item', () => {
    const whole = thrown(() => toWireStrategy('KEEP_EXISTING'));
    expect(whole.code).toBe('UNSUPPORTED');
    expect(whole.extra).toEqual({ field: 'conflictStrategy' });
    const item = thrown(() => toWireStrategy('KEEP_EXISTING', 4));
    expect(item.code).toBe('UNSUPPORTED');
    expect(item.extra).toEqual({ field: 'conflictStrategy', index: 4 });
    expect(item.message).toContain('item 4');
  });
});

describe('toWireItems', () => {
  it('turns the seed example into exactly the seed request, with every strategy explicit', () => {
    const seed = JSON.parse(SEED_REQUEST) as Record<string, unknown>[];
    expect(toWireItems(SEED_AS_GRAPHQL)).toEqual([
      { ...seed[0], conflictResolutionStrategy: 'ask' },
      { ...seed[1], conflictResolutionStrategy: 'rename' },
      seed[2],
    ]);
  });

  it('uses the item strategy, then the request strategy, then FAIL', () => {
    const wire = toWireItems(
      request(
        [
          { from: 'a', to: 'b', conflictStrategy: 'OVERWRITE' },
          { from: 'c', to: 'd' },
          { from: 'e', to: 'f', conflictStrategy: null, fromSpaceId: null },
        ],
        { conflictStrategy: 'RENAME' },
      ),
    );
    expect(wire).toEqual([
      { copyFrom: 'a', to: 'b', conflictResolutionStrategy: 'overwrite' },
      { copyFrom: 'c', to: 'd', conflictResolutionStrategy: 'rename' },
      { copyFrom: 'e', to: 'f', conflictResolutionStrategy: 'rename' },
    ]);
    expect(toWireItems(request([{ from: 'a', to: 'b' }]))).toEqual([
      { copyFrom: 'a', to: 'b', conflictResolutionStrategy: 'ask' },
    ]);
  });
});

describe('input validation', () => {
  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['//foo/1.jpg', 'starts with "//"'],
    ['foo/../etc', 'contains "." or ".." segments'],
    ['./foo', 'contains "." or ".." segments'],
    ['..', 'contains "." or ".." segments'],
    ['foo//1.jpg', 'has an empty segment'],
    ['foo/', 'has an empty segment'],
    ['foo/a\u0000b', 'contains a control character'],
    ['foo/a\nb', 'contains a control character'],
    ['foo/a\u007fb', 'contains a control character'],
    [`foo/${'x'.repeat(256)}`, 'has a name over 255 characters'],
  ])('refuses %j (%s)', (path, why) => {
    expect(pathProblem(path)).toContain(why);
  });

  it.each([
    'foo/1.jpg',
    'bar',
    'a b/c (1).jpg',
    '.env',
    'docs/report.final.pdf',
    `d/${'x'.repeat(255)}`,
    '相册/照片.jpg',
  ])('accepts %j', (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });

  it('names the first bad item by index and field', () => {
    const error = thrown(() =>
      validateSmhRequest(
        request([
          { from: 'foo/1.jpg', to: 'ok/1.jpg' },
          { from: 'foo/2.jpg', to: '../2.jpg' },
          { from: '/abs', to: 'x' },
        ]),
        10,
      ),
    );
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('items[1].to');
    expect(error.extra).toEqual({ field: 'items.1.to', index: 1 });
  });

  it('refuses no items, too many items, an empty fromSpaceId and KEEP_EXISTING anywhere', () => {
    expect(thrown(() => validateSmhRequest(request([]), 10)).extra).toEqual({ field: 'items' });
    const many = Array.from({ length: 4 }, (_, i) => ({ from: `a${i}`, to: `b${i}` }));
    const tooMany = thrown(() => validateSmhRequest(request(many), 3));
    expect(tooMany.code).toBe('BAD_USER_INPUT');
    expect(tooMany.message).toContain('at most 3');
    expect(() => validateSmhRequest(request(many), 4)).not.toThrow();
    const space = thrown(() => validateSmhRequest(request([{ from: 'a', to: 'b', fromSpaceId: ' ' }]), 10));
    expect(space.extra).toEqual({ field: 'items.0.fromSpaceId', index: 0 });
    expect(
      thrown(() =>
        validateSmhRequest(request([{ from: 'a', to: 'b' }], { conflictStrategy: 'KEEP_EXISTING' }), 10),
      ).code,
    ).toBe('UNSUPPORTED');
    const item = thrown(() =>
      validateSmhRequest(
        request([
          { from: 'a', to: 'b' },
          { from: 'c', to: 'd', conflictStrategy: 'KEEP_EXISTING' },
        ]),
        10,
      ),
    );
    expect(item.code).toBe('UNSUPPORTED');
    expect(item.extra).toEqual({ field: 'conflictStrategy', index: 1 });
  });
});

describe('paths from the wire', () => {
  it('join segment arrays, keep strings, and drop anything else', () => {
    expect(joinPath(['bar', '1 (1).jpg'])).toBe('bar/1 (1).jpg');
    expect(joinPath('bar')).toBe('bar');
    expect(joinPath(undefined)).toBeUndefined();
    expect(joinPath(null as never)).toBeUndefined();
    expect(joinPath([1, 2] as never)).toBeUndefined();
    expect(joinPath({} as never)).toBeUndefined();
  });
});

describe('error classification', () => {
  it.each([
    [403, 'InvalidAccessToken', 'UNAUTHENTICATED'],
    [400, 'EmptyAccessToken', 'UNAUTHENTICATED'],
    [403, 'NoPermission', 'PERMISSION_DENIED'],
    [403, 'AccessTokenNotMatchSpace', 'PERMISSION_DENIED'],
    [403, 'AccessTokenNotMatchLibrary', 'PERMISSION_DENIED'],
    [451, 'SensitiveContentRecognized', 'PERMISSION_DENIED'],
    [403, undefined, 'PERMISSION_DENIED'],
    [404, 'LibraryNotFound', 'NOT_FOUND'],
    [404, 'SpaceNotFound', 'NOT_FOUND'],
    [404, 'FileNotFound', 'NOT_FOUND'],
    [404, 'SourceDirectoryNotFound', 'NOT_FOUND'],
    [404, undefined, 'NOT_FOUND'],
    [409, 'SameNameDirectoryOrFileExists', 'CONFLICT'],
    [409, 'OverwriteFileNotAllowed', 'CONFLICT'],
    [409, 'RenameTooManyTimes', 'CONFLICT'],
    [400, 'QuotaLimitReached', 'QUOTA_EXCEEDED'],
    [403, 'QuotaLimitReached', 'QUOTA_EXCEEDED'],
    [429, 'RateLimitExceeded', 'THROTTLED'],
    [429, undefined, 'THROTTLED'],
    [400, 'FileNameLengthExceed', 'INVALID_ARGUMENT'],
    [400, 'TooManyItems', 'INVALID_ARGUMENT'],
    [400, undefined, 'INVALID_ARGUMENT'],
    // A redirect is never followed, and is not the API's refusal of a parameter.
    [301, undefined, 'UPSTREAM_PROTOCOL_ERROR'],
    [302, 'InvalidArgument', 'UPSTREAM_PROTOCOL_ERROR'],
  ] as const)('%i %s → %s, and the request did not run', (status, code, expected) => {
    expect(classifySmhError(status, code)).toEqual({ code: expected, execution: 'not-executed' });
  });

  it.each([500, 502, 503, 504])('%i → UPSTREAM_ERROR whose outcome is unknown', (status) => {
    expect(classifySmhError(status, 'InternalServerError')).toEqual({
      code: 'UPSTREAM_ERROR',
      execution: 'unknown',
    });
  });

  it('keeps what the upstream said, warns about unknown outcomes, and only calls throttling retryable', () => {
    const conflict = smhErrorInfo(
      409,
      { code: 'SameNameDirectoryOrFileExists', message: 'exists', requestId: 'r1' },
      'x',
    );
    expect(conflict).toEqual({
      execution: 'not-executed',
      error: {
        code: 'CONFLICT',
        message: 'exists',
        retryable: false,
        upstream: {
          provider: 'SMH',
          httpStatus: 409,
          code: 'SameNameDirectoryOrFileExists',
          requestId: 'r1',
        },
      },
    });
    const internal = smhErrorInfo(500, { code: 'InternalServerError', message: 'boom' }, 'x', 'from-header');
    expect(internal.execution).toBe('unknown');
    expect(internal.error.message).toMatch(/may or may not have happened/);
    expect(internal.error.upstream?.requestId).toBe('from-header');
    expect(smhErrorInfo(429, undefined, 'slow down').error).toMatchObject({
      code: 'THROTTLED',
      message: 'slow down',
      retryable: true,
    });
  });
});

describe('result items', () => {
  it('read the seed response exactly as the seed describes it', () => {
    const body = JSON.parse(SEED_RESPONSE) as { result: unknown };
    expect(fromWireResults(body.result, SEED_AS_GRAPHQL.items, 0)).toEqual(SEED_ITEMS);
  });

  it('read the seed task answer into the same items, numbered from the part offset', () => {
    const [task] = JSON.parse(SEED_TASK_RESPONSE) as SmhWireTask[];
    expect(wireTaskId(task as SmhWireTask)).toBe('16');
    expect(fromTaskResults(task?.result, 0)).toEqual(SEED_ITEMS);
    expect(fromTaskResults(task?.result, 1000).map((i) => i.index)).toEqual([1000, 1001, 1002]);
  });

  it('fall back to the requested target when SMH sends no path, and flag renames', () => {
    expect(fromWireItem({ status: 204 }, 3, { from: 'a', to: 'b/c' })).toEqual({
      index: 3,
      status: 'SUCCEEDED',
      source: 'a',
      target: 'b/c',
      result: 'b/c',
      renamed: false,
      evidence: 'UPSTREAM_ANSWER',
    });
    expect(fromWireItem({ status: 200, path: 'b/c (2)' }, 0, { from: 'a', to: 'b/c' })).toMatchObject({
      result: 'b/c (2)',
      renamed: true,
    });
    expect(fromWireItem({ status: 200, path: ['b', 'c'] }, 0, { from: 'a', to: 'b/c' }).renamed).toBe(false);
  });

  it('turn a failed item into FAILED with the unified code and the upstream code', () => {
    expect(
      fromWireItem(
        {
          status: 409,
          code: 'SameNameDirectoryOrFileExists',
          message: 'bar/2.jpg already exists',
          copyFrom: ['foo', '2.jpg'],
          to: ['bar', '2.jpg'],
        },
        1,
        { from: 'foo/2.jpg', to: 'bar/2.jpg' },
      ),
    ).toEqual({
      index: 1,
      status: 'FAILED',
      source: 'foo/2.jpg',
      target: 'bar/2.jpg',
      renamed: false,
      evidence: 'UPSTREAM_ANSWER',
      error: {
        code: 'CONFLICT',
        message: 'bar/2.jpg already exists',
        retryable: false,
        upstream: { provider: 'SMH', httpStatus: 409, code: 'SameNameDirectoryOrFileExists' },
      },
    });
  });

  it('turn an item SMH answered with a server fault (5xx) into UNKNOWN, as DingTalk items are', () => {
    for (const status of [500, 502, 503, '500']) {
      const internal = fromWireItem({ status, code: 'InternalServerError' } as never, 0, {
        from: 'a',
        to: 'b',
      });
      expect(internal.status).toBe('UNKNOWN');
      expect(internal.error?.code).toBe('UPSTREAM_ERROR');
      expect(internal.error?.message).toBe(
        `SMH could not copy this item (${status} InternalServerError); the copy may or may not have happened: check the target before sending it again.`,
      );
    }
  });

  it('mark an item SMH did not report (or reported unreadably) as UNKNOWN, never as done', () => {
    for (const wire of [undefined, null, 7, 'x', {}, { status: 'ok' }, { status: null }]) {
      const item = fromWireItem(wire as never, 2, { from: 'a', to: 'b' });
      expect(item.status, JSON.stringify(wire)).toBe('UNKNOWN');
      expect(item.error?.code).toBe('UPSTREAM_PROTOCOL_ERROR');
      expect(item.index).toBe(2);
    }
  });

  it('read a status sent as a numeric string (the seed types result.status as String)', () => {
    expect(fromWireItem({ status: '204' as never }, 0, { from: 'a', to: 'b' }).status).toBe('SUCCEEDED');
    expect(
      fromWireItem({ status: '409' as never, code: 'SameNameDirectoryOrFileExists' }, 0, {
        from: 'a',
        to: 'b',
      }),
    ).toMatchObject({ status: 'FAILED', error: { code: 'CONFLICT' } });
  });

  it('read statuses leniently: numbers, and three-digit strings, nothing else', () => {
    expect(wireStatus(207)).toBe(207);
    expect(wireStatus('202')).toBe(202);
    expect(wireStatus(' 200 ')).toBe(200);
    for (const bad of ['ok', '20', '2000', '', null, undefined, {}, [200], true]) {
      expect(wireStatus(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('give one item per request item, in order, whatever the upstream sends (property)', () => {
    const segment = fc.stringMatching(/^[a-z0-9 ().]{1,8}$/);
    const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    const wirePath = fc.oneof(
      path,
      path.map((p) => p.split('/')),
      fc.constant(undefined),
    );
    const wireItem = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record(
          {
            status: fc.constantFrom(200, 204, 403, 404, 409, 500),
            path: wirePath,
            copyFrom: wirePath,
            to: wirePath,
            code: fc.constantFrom(
              'SameNameDirectoryOrFileExists',
              'NoPermission',
              'FileNotFound',
              'InternalServerError',
            ),
            message: fc.string(),
          },
          { requiredKeys: ['status'] },
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom(null, undefined, 5, 'garbage', {}, { status: 'nope' }) },
    );
    const results = fc.oneof(
      { weight: 8, arbitrary: fc.array(wireItem, { maxLength: 25 }) },
      { weight: 1, arbitrary: fc.constantFrom(undefined, null, {}, 'result', 42) },
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ from: path, to: path }), { minLength: 1, maxLength: 20 }),
        results,
        fc.nat({ max: 5000 }),
        (requested, wire, offset) => {
          const items = fromWireResults(wire, requested, offset);
          expect(items).toHaveLength(requested.length);
          items.forEach((item, i) => {
            const sent = Array.isArray(wire)
              ? (wire[i] as { status?: unknown; copyFrom?: unknown; to?: unknown } | undefined)
              : undefined;
            const status = sent && typeof sent === 'object' ? sent.status : undefined;
            const echo = (value: unknown, asked: string | undefined) =>
              value === undefined || (Array.isArray(value) ? value.join('/') : value) === asked;
            const matches =
              sent && typeof sent === 'object'
                ? echo(sent.copyFrom, requested[i]?.from) && echo(sent.to, requested[i]?.to)
                : true;
            expect(item.index).toBe(offset + i);
            expect(item.source).toBe(requested[i]?.from);
            expect(item.target).toBe(requested[i]?.to);
            if (typeof status === 'number' && !matches) {
              // A result that names another item is never given to this one.
              expect(item.status).toBe('UNKNOWN');
              expect(item.error?.code).toBe('UPSTREAM_PROTOCOL_ERROR');
            } else if (status === 200 || status === 204) {
              expect(item.status).toBe('SUCCEEDED');
              expect(item.error).toBeUndefined();
              expect(typeof item.result).toBe('string');
              expect(item.renamed).toBe(item.result !== item.target);
            } else if (typeof status === 'number') {
              expect(item.status).toBe(status >= 500 ? 'UNKNOWN' : 'FAILED');
              expect(item.error?.upstream?.httpStatus).toBe(status);
              expect(item.renamed).toBe(false);
            } else {
              expect(item.status).toBe('UNKNOWN');
              expect(item.error?.code).toBe('UPSTREAM_PROTOCOL_ERROR');
            }
          });
          const summary = summarize(items);
          expect(summary.total).toBe(requested.length);
          expect(summary.succeeded + summary.failed + summary.pending + summary.unknown).toBe(summary.total);
          expect(summary.pending).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('tasks', () => {
  it('take their id from taskId, or from id in older answers', () => {
    expect(wireTaskId({ taskId: 16, status: 202 })).toBe('16');
    expect(wireTaskId({ id: '17', status: 202 })).toBe('17');
    expect(wireTaskId({ taskId: 0, id: 9, status: 202 })).toBe('0');
    expect(wireTaskId({ status: 202 })).toBeUndefined();
  });

  const ok = (i: number): CopyItemResult => ({
    index: i,
    status: 'SUCCEEDED',
    source: 'a',
    renamed: false,
    evidence: 'UPSTREAM_ANSWER',
  });
  const bad = (i: number): CopyItemResult => ({
    index: i,
    status: 'FAILED',
    source: 'a',
    renamed: false,
    evidence: 'UPSTREAM_ANSWER',
  });

  it('read the task status', () => {
    expect(taskState(202, [])).toBe('RUNNING');
    expect(taskState(200, [ok(0)])).toBe('SUCCEEDED');
    expect(taskState(204, [])).toBe('SUCCEEDED');
    expect(taskState(207, [ok(0), bad(1)])).toBe('PARTIALLY_FAILED');
    expect(taskState(207, [bad(0), bad(1)])).toBe('FAILED');
    expect(taskState(500, [])).toBe('FAILED');
  });

  const ref: SmhTaskRef = {
    provider: 'SMH',
    libraryId: 'smhdemo',
    spaceId: '-',
    parts: [
      { taskId: '16', offset: 0, count: 2 },
      { taskId: '17', offset: 2, count: 2 },
    ],
  };
  const done = (status: number) => ({ status, copyFrom: ['s'], to: ['t'] });
  const checkedAt = new Date('2026-01-01T00:00:00Z');

  it('assemble several upstream tasks into one, items at their request indices', () => {
    const task = assembleTask(
      ref,
      [
        { taskId: 16, status: 200, result: [done(204), done(204)] },
        {
          taskId: 17,
          status: 207,
          result: [done(204), { ...done(409), code: 'SameNameDirectoryOrFileExists' }],
        },
      ],
      checkedAt,
    );
    expect(task.items.map((i) => [i.index, i.status])).toEqual([
      [0, 'SUCCEEDED'],
      [1, 'SUCCEEDED'],
      [2, 'SUCCEEDED'],
      [3, 'FAILED'],
    ]);
    expect(task).toMatchObject({
      provider: 'SMH',
      state: 'PARTIALLY_FAILED',
      done: true,
      summary: { total: 4, succeeded: 3, failed: 1, pending: 0, unknown: 0 },
      upstreamTaskIds: ['16', '17'],
      checkedAt,
    });
    expect(decodeTaskId(task.id)).toEqual(ref);
  });

  it('stay RUNNING while any part runs, counting its items as pending', () => {
    const task = assembleTask(
      ref,
      [
        { taskId: 16, status: 200, result: [done(204), done(204)] },
        { taskId: 17, status: 202 },
      ],
      checkedAt,
    );
    expect(task).toMatchObject({
      state: 'RUNNING',
      done: false,
      summary: { total: 4, succeeded: 2, failed: 0, pending: 2, unknown: 0 },
    });
  });

  it('are FAILED when every part failed', () => {
    const fail = { ...done(403), code: 'NoPermission' };
    const task = assembleTask(
      ref,
      [
        { taskId: 16, status: 207, result: [fail, fail] },
        { taskId: 17, status: 207, result: [fail, fail] },
      ],
      checkedAt,
    );
    expect(task.state).toBe('FAILED');
    expect(task.summary).toEqual({ total: 4, succeeded: 0, failed: 4, pending: 0, unknown: 0 });
    expect(task.items.every((i) => i.error?.code === 'PERMISSION_DENIED')).toBe(true);
  });

  it('turn a task that failed as a whole (500, no result) into UNKNOWN items, not missing ones', () => {
    const task = assembleTask(
      ref,
      [
        { taskId: 16, status: 200, result: [done(204), done(204)] },
        { taskId: 17, status: 500 },
      ],
      checkedAt,
    );
    expect(task.state).toBe('PARTIALLY_FAILED');
    expect(task.items.map((i) => [i.index, i.status, i.error?.code ?? null])).toEqual([
      [0, 'SUCCEEDED', null],
      [1, 'SUCCEEDED', null],
      [2, 'UNKNOWN', 'UPSTREAM_ERROR'],
      [3, 'UNKNOWN', 'UPSTREAM_ERROR'],
    ]);
    expect(task.items[2]?.error?.upstream).toEqual({ provider: 'SMH', httpStatus: 500 });
    expect(task.summary).toEqual({ total: 4, succeeded: 2, failed: 0, pending: 0, unknown: 2 });
  });

  it('turn a task refused as a whole (403, no result) into FAILED items with the refusal code', () => {
    const task = assembleTask(
      ref,
      [
        { taskId: 16, status: 200, result: [done(204), done(204)] },
        { taskId: 17, status: 403 },
      ],
      checkedAt,
    );
    expect(task.items.slice(2).map((i) => [i.status, i.error?.code])).toEqual([
      ['FAILED', 'PERMISSION_DENIED'],
      ['FAILED', 'PERMISSION_DENIED'],
    ]);
  });

  it('report exactly one item per index of a part, even when SMH reports fewer or more (property)', () => {
    const wireStatus = fc.constantFrom(200, 204, 403, 404, 409, 500);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            count: fc.integer({ min: 1, max: 6 }),
            status: fc.constantFrom(200, 207, 500),
            reported: fc.array(wireStatus, { maxLength: 8 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (parts) => {
          let offset = 0;
          const taskRef: SmhTaskRef = {
            provider: 'SMH',
            libraryId: 'l',
            spaceId: '-',
            parts: parts.map((p, i) => {
              const part = { taskId: String(i + 1), offset, count: p.count };
              offset += p.count;
              return part;
            }),
          };
          const task = assembleTask(
            taskRef,
            parts.map((p, i) => ({
              taskId: i + 1,
              status: p.status,
              ...(p.status === 500 ? {} : { result: p.reported.map((s) => done(s)) }),
            })),
            checkedAt,
          );
          expect(task.items.map((i) => i.index)).toEqual(Array.from({ length: offset }, (_, i) => i));
          expect(task.summary).toEqual(summarize(task.items));
          expect(task.done).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
