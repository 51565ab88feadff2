/**
 * Every class of bad input the gateway must refuse before sending anything upstream, with the error
 * it must answer: its `extensions.code`, what the message names, and the extensions that locate it.
 * bad-input.test.ts runs each case against a gateway with SMH and DingTalk emulators behind it and
 * checks that neither emulator received a request.
 */
import { deflateRawSync } from 'node:zlib';
import { encodeTaskId } from '../helpers/task-ids.js';

/** The gateway's environment for these cases: small batch limits so "too many items" is cheap. */
export const MAX_ITEMS = 5;
export const ENV = { SMH_MAX_ITEMS: String(MAX_ITEMS), DINGTALK_MAX_ITEMS: String(MAX_ITEMS) };

export interface BadInputCase {
  /** Input class, as the test title. */
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** Expected `extensions.code` of the (first) error. */
  code: 'BAD_USER_INPUT' | 'UNSUPPORTED' | 'GRAPHQL_VALIDATION_FAILED';
  /** What the message must name. */
  message: RegExp;
  /** Extensions the error must carry besides its code (field, index). */
  extensions?: Record<string, unknown>;
  /** For a coercion error: its `extensions.field`, the refused value's path (`input.items.0.to`). */
  inputField?: string;
  /** The operation's field; when set, the error's path is [field] and data[field] is null. */
  field?: 'batchCopy' | 'copyTask' | 'node';
}

const SMH_COPY = `mutation Copy($input: SmhBatchCopyInput!) { batchCopy(input: { smh: $input }) { __typename } }`;
const DT_COPY = `mutation Copy($input: DingTalkBatchCopyInput!) { batchCopy(input: { dingtalk: $input }) { __typename } }`;
const ANY_COPY = `mutation Copy($input: BatchCopyInput!) { batchCopy(input: $input) { __typename } }`;
const TASK = `query Task($id: ID!) { copyTask(id: $id) { id state } }`;
const NODE = `query Node($id: ID!) { node(id: $id) { id } }`;

const SMH_OK = { libraryId: 'smhdemo', items: [{ from: 'foo/1.jpg', to: 'bar/new.jpg' }] };
const DT_OK = {
  spaceId: 'space-src',
  unionId: 'union-demo',
  targetSpaceId: 'space-dst',
  targetFolderId: '0',
  dentryIds: ['d-file-1'],
};

type Expected = Pick<BadInputCase, 'code' | 'message' | 'extensions' | 'inputField'>;

function smh(name: string, input: Record<string, unknown>, expected: Expected): BadInputCase {
  return {
    name: `SMH: ${name}`,
    query: SMH_COPY,
    variables: { input: { ...SMH_OK, ...input } },
    ...expected,
  };
}

/** An SMH request whose only item has these paths (`from`/`to` default to good ones). */
function smhPath(name: string, item: Record<string, unknown>, expected: Expected): BadInputCase {
  return smh(name, { items: [{ ...SMH_OK.items[0], ...item }] }, expected);
}

function dt(name: string, input: Record<string, unknown>, expected: Expected): BadInputCase {
  return {
    name: `DingTalk: ${name}`,
    query: DT_COPY,
    variables: { input: { ...DT_OK, ...input } },
    ...expected,
  };
}

/** An InputError from the gateway's own validation: BAD_USER_INPUT with a field (and an index). */
const input = (message: RegExp, field: string, index?: number): Expected => ({
  code: 'BAD_USER_INPUT',
  message,
  extensions: index === undefined ? { field } : { field, index },
});

/** A GraphQL coercion error for a variable: graphql-js names the path inside `$input`. */
const coercion = (message: RegExp, inputField?: string): Expected => ({
  code: 'BAD_USER_INPUT',
  message,
  ...(inputField === undefined ? {} : { inputField }),
});

const pathCases = (field: 'from' | 'to'): BadInputCase[] => [
  // One leading slash names the same path; two do not.
  smhPath(
    `"//" at the start of ${field}`,
    { [field]: '//foo/1.jpg' },
    input(new RegExp(`items\\[0\\]\\.${field} starts with "//"`), `items.0.${field}`, 0),
  ),
  smhPath(
    `a ${field} of 450 KB in short segments`,
    { [field]: 'a/'.repeat(230_000) + '1.jpg' },
    input(/is longer than 4096 characters/, `items.0.${field}`, 0),
  ),
  smhPath(
    `".." in ${field}`,
    { [field]: 'foo/../bar/1.jpg' },
    input(/contains "\." or "\.\." segments/, `items.0.${field}`, 0),
  ),
  smhPath(
    `"." in ${field}`,
    { [field]: './foo/1.jpg' },
    input(/contains "\." or "\.\." segments/, `items.0.${field}`, 0),
  ),
  smhPath(
    `a whole ".." ${field}`,
    { [field]: '..' },
    input(/contains "\." or "\.\." segments/, `items.0.${field}`, 0),
  ),
  smhPath(
    `"a//b" in ${field}`,
    { [field]: 'foo//1.jpg' },
    input(/has an empty segment/, `items.0.${field}`, 0),
  ),
  smhPath(
    `trailing "/" in ${field}`,
    { [field]: 'foo/' },
    input(/has an empty segment/, `items.0.${field}`, 0),
  ),
  smhPath(
    `a 256-character name in ${field}`,
    { [field]: `bar/${'n'.repeat(256)}` },
    input(/has a name over 255 characters/, `items.0.${field}`, 0),
  ),
  smhPath(
    `NUL in ${field}`,
    { [field]: 'foo/1\u0000.jpg' },
    input(/contains a control character/, `items.0.${field}`, 0),
  ),
  smhPath(
    `newline in ${field}`,
    { [field]: 'foo/1.jpg\n' },
    input(/contains a control character/, `items.0.${field}`, 0),
  ),
  smhPath(
    `DEL in ${field}`,
    { [field]: 'foo/\u007f.jpg' },
    input(/contains a control character/, `items.0.${field}`, 0),
  ),
  // C1 controls and the Unicode line separators break lines as C0 controls do.
  ...(
    [
      ['NEXT LINE (U+0085)', '\u0085'],
      ['a C1 control (U+009F)', '\u009f'],
      ['LINE SEPARATOR (U+2028)', '\u2028'],
      ['PARAGRAPH SEPARATOR (U+2029)', '\u2029'],
    ] as const
  ).map(([what, char]) =>
    smhPath(
      `${what} in ${field}`,
      { [field]: `foo/1${char}.jpg` },
      input(/contains a control character/, `items.0.${field}`, 0),
    ),
  ),
  smhPath(
    `a lone UTF-16 surrogate in ${field}`,
    { [field]: 'foo/1\ud800.jpg' },
    input(/contains a lone UTF-16 surrogate/, `items.0.${field}`, 0),
  ),
  smhPath(
    `empty ${field}`,
    { [field]: '' },
    coercion(
      new RegExp(`"input\\.items\\[0\\]\\.${field}"; Value cannot be an empty string\\.$`),
      `input.items.0.${field}`,
    ),
  ),
  smhPath(
    `blank ${field}`,
    { [field]: '   ' },
    coercion(
      new RegExp(
        `"input\\.items\\[0\\]\\.${field}"; Value cannot be an empty string: it holds only whitespace\\.$`,
      ),
      `input.items.0.${field}`,
    ),
  ),
];

// A real task id, then the same bytes with a few characters changed in the middle.
const REAL_TASK_ID = encodeTaskId({
  provider: 'SMH',
  libraryId: 'smhdemo',
  spaceId: '-',
  parts: [{ taskId: '1', offset: 0, count: 1 }],
});
const middle = Math.floor(REAL_TASK_ID.length / 2);
export const TAMPERED_TASK_ID = `${REAL_TASK_ID.slice(0, middle)}zzzz${REAL_TASK_ID.slice(middle + 4)}`;
const deflated = (value: unknown) => `ct1_${deflateRawSync(JSON.stringify(value)).toString('base64url')}`;

const MALFORMED_ID = input(/^Malformed task id: pass the id from a CopyAccepted answer unchanged\.$/, 'id');
const task = (name: string, id: string): BadInputCase => ({
  name: `task id: ${name}`,
  query: TASK,
  variables: { id },
  field: 'copyTask',
  ...MALFORMED_ID,
});

export const CASES: BadInputCase[] = [
  // --- SMH items
  smh('empty item list', { items: [] }, input(/^items must not be empty\.$/, 'items')),
  smh(
    `more items than SMH_MAX_ITEMS (${MAX_ITEMS + 1})`,
    { items: Array.from({ length: MAX_ITEMS + 1 }, (_, i) => ({ from: 'foo/1.jpg', to: `bar/${i}.jpg` })) },
    input(
      new RegExp(`items has ${MAX_ITEMS + 1} entries; the gateway accepts at most ${MAX_ITEMS}`),
      'items',
    ),
  ),
  ...pathCases('from'),
  ...pathCases('to'),
  smh(
    'a bad path in a later item names that item',
    { items: [SMH_OK.items[0], SMH_OK.items[0], { from: 'foo/2.jpg', to: 'bar/../x.jpg' }] },
    input(/^items\[2\]\.to contains "\." or "\.\." segments\.$/, 'items.2.to', 2),
  ),
  smhPath(
    'empty fromSpaceId',
    { fromSpaceId: '' },
    input(/items\[0\]\.fromSpaceId is empty/, 'items.0.fromSpaceId', 0),
  ),
  // --- SMH ids: characters that change a URL's meaning, control characters
  ...(['libraryId', 'spaceId', 'userId'] as const).flatMap((field) =>
    (['?', '#', '%', '\\', '\u0085', '\u2028'] as const).map((char) =>
      smh(
        `${JSON.stringify(char)} in ${field}`,
        { [field]: `id${char}x` },
        input(
          new RegExp(
            `^${field} contains ${char.length === 1 && char < '\u0080' ? `"\\${char}"` : 'a control character'}\\.$`,
          ),
          field,
        ),
      ),
    ),
  ),
  smhPath(
    '"?" in fromSpaceId',
    { fromSpaceId: 'space?x=1' },
    input(/^items\[0\]\.fromSpaceId contains "\?"\.$/, 'items.0.fromSpaceId', 0),
  ),
  // --- SMH duplicates: two items onto one target
  smh(
    'two items with the same "to"',
    {
      items: [
        { from: 'foo/1.jpg', to: 'bar/a.jpg' },
        { from: 'foo/2.jpg', to: 'bar/b.jpg' },
        { from: 'foo/3.jpg', to: 'bar/c.jpg' },
        { from: 'foo/4.jpg', to: 'bar/b.jpg' },
      ],
    },
    input(/^items\[3\]\.to is the same as items\[1\]\.to\.$/, 'items.3.to', 3),
  ),
  smh(
    'two items with the same "to", one written with a leading "/"',
    {
      items: [
        { from: 'foo/1.jpg', to: '/bar/a.jpg' },
        { from: 'foo/2.jpg', to: 'bar/a.jpg' },
      ],
    },
    input(/^items\[1\]\.to is the same as items\[0\]\.to\.$/, 'items.1.to', 1),
  ),
  smh(
    'two items with the same "to" in a background job',
    {
      execution: 'BACKGROUND',
      conflictStrategy: 'OVERWRITE',
      items: [
        { from: 'foo/1.jpg', to: 'bar/a.jpg' },
        { from: 'foo/2.jpg', to: 'bar/a.jpg' },
      ],
    },
    input(/^items\[1\]\.to is the same as items\[0\]\.to\.$/, 'items.1.to', 1),
  ),
  // --- strategies
  smh(
    'KEEP_EXISTING for the request',
    { conflictStrategy: 'KEEP_EXISTING' },
    {
      code: 'UNSUPPORTED',
      message: /SMH has no KEEP_EXISTING conflict strategy; use FAIL, RENAME or OVERWRITE/,
      extensions: { field: 'conflictStrategy' },
    },
  ),
  smh(
    'KEEP_EXISTING for one item',
    { items: [SMH_OK.items[0], { from: 'foo/2.jpg', to: 'bar/b.jpg', conflictStrategy: 'KEEP_EXISTING' }] },
    {
      code: 'UNSUPPORTED',
      message: /SMH has no KEEP_EXISTING conflict strategy \(item 1\)/,
      extensions: { field: 'conflictStrategy', index: 1 },
    },
  ),
  smh(
    'an unknown strategy name',
    { conflictStrategy: 'KEEP' },
    coercion(/"input\.conflictStrategy"; Value "KEEP" does not exist in "ConflictStrategy" enum/),
  ),
  dt(
    'an unknown strategy name',
    { conflictStrategy: 'SKIP' },
    coercion(/"input\.conflictStrategy"; Value "SKIP" does not exist in "ConflictStrategy" enum/),
  ),
  // --- SMH scalars
  smh(
    'empty libraryId (NonEmptyString)',
    { libraryId: '' },
    coercion(/"input\.libraryId"; Value cannot be an empty string\.$/, 'input.libraryId'),
  ),
  smh('a number for libraryId', { libraryId: 42 }, coercion(/"input\.libraryId".*not a string/)),
  smh('empty spaceId (NonEmptyString)', { spaceId: '' }, coercion(/"input\.spaceId".*empty string/)),
  smh(
    'items that are not objects',
    { items: ['foo/1.jpg'] },
    coercion(/"input\.items\[0\]".*to be an object/),
  ),
  smh(
    'an item without "to"',
    { items: [{ from: 'foo/1.jpg' }] },
    coercion(/"input\.items\[0\]".*Field "to" of required type "NonEmptyString!" was not provided/),
  ),
  // --- waitSeconds
  smh(
    'negative waitSeconds',
    { waitSeconds: -1 },
    input(/^waitSeconds must be an integer from 0 to 60\.$/, 'waitSeconds'),
  ),
  smh(
    'waitSeconds over 60',
    { waitSeconds: 61 },
    input(/^waitSeconds must be an integer from 0 to 60\.$/, 'waitSeconds'),
  ),
  dt(
    'waitSeconds over 60',
    { waitSeconds: 3600 },
    input(/^waitSeconds must be an integer from 0 to 60\.$/, 'waitSeconds'),
  ),
  smh(
    'fractional waitSeconds',
    { waitSeconds: 1.5 },
    coercion(/"input\.waitSeconds".*Int cannot represent non-integer value: 1\.5/),
  ),
  smh(
    'waitSeconds as a string',
    { waitSeconds: '5' },
    coercion(/"input\.waitSeconds".*Int cannot represent non-integer value: "5"/),
  ),
  // --- DingTalk ids
  dt('empty dentryIds', { dentryIds: [] }, input(/^dentryIds must not be empty\.$/, 'dentryIds')),
  dt(
    `more dentryIds than DINGTALK_MAX_ITEMS (${MAX_ITEMS + 1})`,
    { dentryIds: Array.from({ length: MAX_ITEMS + 1 }, (_, i) => `d-${i}`) },
    input(
      new RegExp(`dentryIds has ${MAX_ITEMS + 1} entries; the gateway accepts at most ${MAX_ITEMS}`),
      'dentryIds',
    ),
  ),
  dt(
    'an empty dentry id',
    { dentryIds: ['d-file-1', ''] },
    coercion(/"input\.dentryIds\[1\]".*empty string/),
  ),
  dt(
    'NUL in a dentry id',
    { dentryIds: ['d-file-1', 'd-file-2\u0000'] },
    input(/^dentryIds\[1\] contains a control character\.$/, 'dentryIds.1', 1),
  ),
  dt(
    'a newline in a dentry id',
    { dentryIds: ['d-file-1\r\n'] },
    input(/^dentryIds\[0\] contains a control character\.$/, 'dentryIds.0', 0),
  ),
  dt(
    '"/" in a dentry id',
    { dentryIds: ['../d-file-1'] },
    input(/^dentryIds\[0\] contains "\/"/, 'dentryIds.0', 0),
  ),
  dt(
    'a 257-character dentry id',
    { dentryIds: ['d'.repeat(257)] },
    input(/^dentryIds\[0\] is over 256 characters\.$/, 'dentryIds.0', 0),
  ),
  dt(
    'a control character in spaceId',
    { spaceId: 'space-src\u0001' },
    input(/^spaceId contains a control character\.$/, 'spaceId'),
  ),
  dt(
    '"/" in targetFolderId',
    { targetFolderId: 'f/../0' },
    input(/^targetFolderId contains "\/"/, 'targetFolderId'),
  ),
  dt('"/" in unionId', { unionId: 'union/demo' }, input(/^unionId contains "\/"/, 'unionId')),
  ...(['spaceId', 'unionId', 'targetSpaceId', 'targetFolderId'] as const).flatMap((field) =>
    (['?', '#', '%', '\\'] as const).map((char) =>
      dt(
        `${JSON.stringify(char)} in ${field}`,
        { [field]: `id${char}x` },
        input(new RegExp(`^${field} contains "\\${char}"\\.$`), field),
      ),
    ),
  ),
  ...(
    [
      ['"?"', 'd?x=1', /contains "\?"/],
      ['"#"', 'd#frag', /contains "#"/],
      ['"%"', 'd%2Fx', /contains "%"/],
      ['"\\"', 'd\\x', /contains "\\"/],
      ['NEXT LINE (U+0085)', 'd\u0085', /contains a control character/],
      ['LINE SEPARATOR (U+2028)', 'd\u2028', /contains a control character/],
      ['a lone UTF-16 surrogate', 'd\udc00', /contains a lone UTF-16 surrogate/],
    ] as const
  ).map(([what, id, message]) =>
    dt(
      `${what} in a dentry id`,
      { dentryIds: ['d-file-1', id] },
      input(new RegExp(`^dentryIds\\[1\\] ${message.source}\\.$`), 'dentryIds.1', 1),
    ),
  ),
  // --- DingTalk duplicates
  dt(
    'the same dentry id twice',
    { dentryIds: ['d-file-1', 'd-file-2', 'd-file-3', 'd-file-2'] },
    input(/^dentryIds\[3\] is the same as dentryIds\[1\]\.$/, 'dentryIds.3', 3),
  ),
  dt(
    'the same dentry id twice in a background job',
    { execution: 'BACKGROUND', conflictStrategy: 'OVERWRITE', dentryIds: ['d-file-1', 'd-file-1'] },
    input(/^dentryIds\[1\] is the same as dentryIds\[0\]\.$/, 'dentryIds.1', 1),
  ),
  dt(
    'empty targetSpaceId (NonEmptyString)',
    { targetSpaceId: '' },
    coercion(/"input\.targetSpaceId".*empty string/),
  ),
  dt('a number for a dentry id', { dentryIds: [7] }, coercion(/"input\.dentryIds\[0\]".*not a string/)),
  // --- @oneOf
  {
    name: '@oneOf: both smh and dingtalk (variables)',
    query: ANY_COPY,
    variables: { input: { smh: SMH_OK, dingtalk: DT_OK } },
    ...coercion(/Exactly one key must be specified for OneOf type "BatchCopyInput"/),
  },
  {
    name: '@oneOf: neither smh nor dingtalk (variables)',
    query: ANY_COPY,
    variables: { input: {} },
    ...coercion(/Exactly one key must be specified for OneOf type "BatchCopyInput"/),
  },
  {
    name: '@oneOf: smh set to null (variables)',
    query: ANY_COPY,
    variables: { input: { smh: null } },
    ...coercion(/"input\.smh".*must be non-null/i),
  },
  {
    name: '@oneOf: both smh and dingtalk (literal)',
    query: `mutation { batchCopy(input: { smh: { libraryId: "smhdemo", items: [{ from: "foo/1.jpg", to: "bar/n.jpg" }] }, dingtalk: { spaceId: "s", unionId: "u", targetSpaceId: "t", targetFolderId: "0", dentryIds: ["d"] } }) { __typename } }`,
    variables: {},
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /OneOf Input Object "BatchCopyInput" must specify exactly one key/,
  },
  {
    name: '@oneOf: neither smh nor dingtalk (literal)',
    query: `mutation { batchCopy(input: {}) { __typename } }`,
    variables: {},
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /OneOf Input Object "BatchCopyInput" must specify exactly one key/,
  },
  // --- task ids
  task('garbage', 'not-a-task'),
  task('empty', ''),
  task('only the prefix', 'ct1_'),
  task('valid base64url of junk', `ct1_${Buffer.from('hello, this is not deflate').toString('base64url')}`),
  task('deflated JSON of the wrong shape', deflated({ hello: 'world' })),
  task('deflated JSON with a negative offset', deflated({ p: 's', l: 'smhdemo', s: '-', t: [['1', -1, 1]] })),
  task('deflated JSON with no upstream task', deflated({ p: 'd', u: 'union-demo', t: [] })),
  task('deflated JSON of an unknown provider', deflated({ p: 'x', u: 'union-demo', t: [['1', 0, 'd']] })),
  task('a tampered id', TAMPERED_TASK_ID),
  task('a real id cut short', REAL_TASK_ID.slice(0, -6)),
  task('a version we do not know', `ct9_${REAL_TASK_ID.slice(4)}`),
  task('a foreign id (UUID)', '3f8e7a3c-2b1d-4c5e-9f00-1234567890ab'),
  task('a foreign id (Relay global id)', Buffer.from('CopyTask:1').toString('base64')),
  task('an id over 64 KiB', `ct1_${'A'.repeat(70_000)}`),
  { ...task('garbage through node(id:)', 'not-a-task'), query: NODE, field: 'node' },
  {
    name: 'task id: a number instead of an ID string',
    query: TASK,
    variables: { id: 12.5 },
    ...coercion(/"\$id" got invalid value 12\.5; ID cannot represent value: 12\.5/),
  },
];
