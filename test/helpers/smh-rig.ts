import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, type Dispatcher } from 'undici';
import {
  ManualClock,
  startSmhEmulator,
  type SmhEmulator,
  type SmhEmulatorOptions,
} from '../../src/emulators/smh/index.js';
import { startGateway, type GraphQLBody, type TestGateway } from './gateway.js';

export const LIB = 'smhdemo';
export const SECRET = 'smhdemo-secret';
/** The longest token lifetime the emulator grants, so moving its clock by weeks keeps the token alive. */
export const LONG_PERIOD = 315_360_000;

/** One request the gateway made upstream, as it went over the wire, with the upstream's answer. */
export interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  status: number;
  headers: IncomingHttpHeaders;
  response: string;
}

/**
 * A recording HTTP proxy between the gateway and the emulator: the emulator counts requests but keeps
 * no bodies, and the wire format is what the seed page specifies.
 */
export interface Recorder {
  url: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

const FORWARDED = ['content-type', 'x-request-id', 'retry-after'];

export async function startRecorder(target: string): Promise<Recorder> {
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const upstream = await request(target + (req.url ?? '/'), {
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {},
          body: body === '' ? undefined : body,
        });
        const text = await upstream.body.text();
        const url = new URL(req.url ?? '/', 'http://recorder.local');
        exchanges.push({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          body,
          status: upstream.statusCode,
          headers: upstream.headers as IncomingHttpHeaders,
          response: text,
        });
        const headers: Record<string, string> = {};
        for (const name of FORWARDED) {
          const value = upstream.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        res.writeHead(upstream.statusCode, headers);
        res.end(text);
      } catch {
        res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface SmhRig {
  emu: SmhEmulator;
  clock: ManualClock;
  gw: TestGateway;
  rec?: Recorder;
  /** Pass-through: an admin token for every space; headers to send it with. */
  token?: string;
  headers: Record<string, string>;
  /** Batch copy requests the emulator received (faulted ones included). */
  batchRequests(): number;
  taskQueries(): number;
  tokenRequests(): number;
  close(): Promise<void>;
}

export interface RigOptions {
  emulator?: Omit<SmhEmulatorOptions, 'clock' | 'seed'>;
  env?: Record<string, string>;
  /** Managed credential (SMH_LIBRARY_ID/SECRET) instead of a pass-through admin token. */
  managed?: boolean;
  /** Put a recording proxy between gateway and emulator. */
  record?: boolean;
}

/** A seeded emulator on a manual clock and a gateway pointed at it, both on 127.0.0.1. */
export async function startSmhRig(options: RigOptions = {}): Promise<SmhRig> {
  const clock = new ManualClock();
  const emu = await startSmhEmulator({ seed: true, clock, ...options.emulator });
  const rec = options.record ? await startRecorder(emu.url) : undefined;
  // These tests read the answers as they came: UNKNOWN items are not looked at (their own tests do that).
  const env: Record<string, string> = {
    SMH_BASE_URL: rec?.url ?? emu.url,
    UNKNOWN_RESOLUTION: 'off',
    ...options.env,
  };
  if (options.managed) Object.assign(env, { SMH_LIBRARY_ID: LIB, SMH_LIBRARY_SECRET: SECRET });
  const gw = await startGateway(env);
  const token = options.managed
    ? undefined
    : emu.issueToken({ libraryId: LIB, grants: ['admin'], period: LONG_PERIOD });
  const count = (route: string) => emu.stats.requests[route] ?? 0;
  return {
    emu,
    clock,
    gw,
    rec,
    token,
    headers: token ? { 'x-smh-access-token': token } : {},
    batchRequests: () => count('batch.copy'),
    taskQueries: () => count('task.query'),
    tokenRequests: () => count('token.create'),
    close: async () => {
      await gw.close();
      await rec?.close();
      await emu.close();
    },
  };
}

const ERROR = 'error { code message retryable upstream { provider httpStatus code requestId } }';
const ITEM = `index status source target result renamed ${ERROR}`;
const SUMMARY = 'summary { total succeeded failed pending unknown }';
export const TASK_FIELDS = `id provider state done items { ${ITEM} } ${SUMMARY} upstreamTaskIds checkedAt`;

export const COPY = `mutation Copy($input: SmhBatchCopyInput!) {
  batchCopy(input: { smh: $input }) {
    __typename
    ... on CopyOutcome { provider items { ${ITEM} } ${SUMMARY} }
    ... on CopyAccepted { task { ${TASK_FIELDS} } }
    ... on CopySucceeded { finished: task { ${TASK_FIELDS} } }
    ... on CopyPartiallyFailed { finished: task { ${TASK_FIELDS} } }
    ... on CopyRejected { ${ERROR} }
  }
}`;

export const TASK = `query Task($id: ID!) { copyTask(id: $id) { ${TASK_FIELDS} } }`;

export interface GqlError {
  code: string;
  message: string;
  retryable: boolean;
  upstream: {
    provider: string;
    httpStatus: number | null;
    code: string | null;
    requestId: string | null;
  } | null;
}

export interface GqlItem {
  index: number;
  status: string;
  source: string;
  target: string | null;
  result: string | null;
  renamed: boolean;
  error: GqlError | null;
}

export interface GqlSummary {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  unknown: number;
}

export interface GqlTask {
  id: string;
  provider: string;
  state: string;
  done: boolean;
  items: GqlItem[];
  summary: GqlSummary;
  upstreamTaskIds: string[];
  checkedAt: string;
}

export interface GqlOutcome {
  __typename: 'CopySucceeded' | 'CopyPartiallyFailed' | 'CopyAccepted' | 'CopyRejected';
  provider: string;
  items: GqlItem[];
  summary: GqlSummary;
  task?: GqlTask;
  /** The task a finished outcome ran as (CopySucceeded, CopyPartiallyFailed): null when it had none. */
  finished?: GqlTask | null;
  error?: GqlError;
}

export interface SmhItemInput {
  from: string;
  to: string;
  fromSpaceId?: string;
  conflictStrategy?: 'FAIL' | 'RENAME' | 'OVERWRITE' | 'KEEP_EXISTING';
}

export interface SmhInput {
  libraryId?: string;
  spaceId?: string;
  userId?: string;
  items: SmhItemInput[];
  conflictStrategy?: SmhItemInput['conflictStrategy'];
  waitSeconds?: number;
}

/** Sends a batch copy and returns the raw GraphQL answer. */
export function batchCopy(
  rig: SmhRig,
  input: SmhInput,
  headers: Record<string, string> = rig.headers,
): Promise<{ status: number; body: GraphQLBody<{ batchCopy: GqlOutcome }>; text: string }> {
  return rig.gw.graphql<{ batchCopy: GqlOutcome }>(COPY, { input: { libraryId: LIB, ...input } }, headers);
}

/** Sends a batch copy that must answer with data and no errors. */
export async function copyOk(
  rig: SmhRig,
  input: SmhInput,
  headers: Record<string, string> = rig.headers,
): Promise<GqlOutcome> {
  const { status, body } = await batchCopy(rig, input, headers);
  expectNoErrors(body);
  if (status !== 200 || !body.data) throw new Error(`unexpected answer ${status}`);
  return body.data.batchCopy;
}

/** Sends a batch copy that must fail as a whole; returns its one GraphQL error. */
export async function copyError(
  rig: SmhRig,
  input: SmhInput,
  headers: Record<string, string> = rig.headers,
): Promise<{ message: string; extensions?: Record<string, unknown> }> {
  const { body } = await batchCopy(rig, input, headers);
  if (!body.errors || body.errors.length !== 1) {
    throw new Error(`expected exactly one error, got ${JSON.stringify(body)}`);
  }
  return body.errors[0] as { message: string; extensions?: Record<string, unknown> };
}

export async function loadTask(rig: SmhRig, id: string): Promise<GqlTask | null> {
  const { body } = await rig.gw.graphql<{ copyTask: GqlTask | null }>(TASK, { id }, rig.headers);
  expectNoErrors(body);
  return body.data?.copyTask ?? null;
}

function expectNoErrors(body: GraphQLBody<unknown>): void {
  if (body.errors) throw new Error(`unexpected GraphQL errors: ${JSON.stringify(body.errors)}`);
}

/** An expected item as GraphQL returns it (absent fields are null). */
export function item(
  index: number,
  status: string,
  source: string,
  target: string,
  extra: Partial<GqlItem> = {},
): GqlItem {
  return {
    index,
    status,
    source,
    target,
    result: status === 'SUCCEEDED' ? target : null,
    renamed: false,
    error: null,
    ...extra,
  };
}

/** Resolves once `check` holds, polling; for waiting until the emulator saw a request. */
export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
