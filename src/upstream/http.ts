import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context, Tracer } from '@opentelemetry/api';
import CircuitBreaker from 'opossum';
import { Pool, type Dispatcher } from 'undici';
import { UpstreamFailure, upstreamError } from '../copy/errors.js';
import type { Logger } from '../copy/ports.js';
import type { CopyErrorInfo, Provider } from '../copy/types.js';
import type { CallRate, CallRateLimit } from './call-rate.js';
import type { UpstreamIdentity, UpstreamMetrics, UpstreamOperation } from './ports.js';
import { pathRedactor } from './redact.js';
import { startUpstreamSpan, type UpstreamSpan } from '../tracing/upstream-span.js';
import { BodyReadError, BodyTooLargeError, classifyTransportFailure } from './transport-failure.js';
import { USER_AGENT } from './user-agent.js';

/** Where a request's options carry the callback told when undici hands the request to a socket. */
const ON_DISPATCH = Symbol('onDispatch');

type TrackedOptions = Dispatcher.DispatchOptions & { [ON_DISPATCH]?: () => void };

/**
 * Passes every callback on, and reports `onRequestStart`: undici calls it when the request leaves its
 * queue for a connection, just before the first byte is written. A request that never got there was
 * never sent, whatever ended it (its time ran out while every connection was busy, say).
 * `onRequestStart` is the new name of `onConnect` in undici 7's handler API.
 * https://github.com/nodejs/undici/blob/main/docs/docs/api/Dispatcher.md#dispatchercomposeinterceptors-interceptor
 */
class DispatchTracker implements Dispatcher.DispatchHandler {
  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly onDispatch: () => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.onDispatch();
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.handler.onResponseError?.(controller, error);
  }
}

/** An interceptor that wraps each tracked request's handler in a {@link DispatchTracker}. */
const trackDispatch: Dispatcher.DispatcherComposeInterceptor =
  (dispatch) => (options: TrackedOptions, handler) => {
    const onDispatch = options[ON_DISPATCH];
    return dispatch(options, onDispatch ? new DispatchTracker(handler, onDispatch) : handler);
  };

/** What ties an upstream call to the operation that makes it (all unset for calls of no operation). */
export interface OperationLink {
  /** The operation's deadline: the call is aborted when it fires. */
  signal?: AbortSignal;
  /**
   * When `signal` aborts, in epoch milliseconds: a call that would have to wait for a rate-limit slot
   * until then is not sent at all (THROTTLED). Unset: it waits until `signal` aborts.
   */
  deadline?: number;
  /** The operation's logger, so upstream lines carry its request id and caller name. */
  log?: Logger;
  /** The operation's request id, sent as `x-request-id` so the upstream's logs can be matched with ours. */
  requestId?: string;
  /** The OpenTelemetry context of the operation's span: the call's span is its child. */
  trace?: Context;
  /** Retries of this call that came before this attempt (0 or unset: the first attempt). */
  retry?: number;
}

/** The {@link OperationLink} fields of `from` (a CallContext, a provider's call scope), and nothing else. */
export function operationLink(from: OperationLink): OperationLink {
  return {
    signal: from.signal,
    deadline: from.deadline,
    log: from.log,
    requestId: from.requestId,
    trace: from.trace,
    retry: from.retry,
  };
}

/** One call to an upstream: method, path below the base URL, query, headers and JSON body. */
export interface UpstreamRequest extends OperationLink {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * The upstream API the call counts against where the upstream limits each API on its own (DingTalk:
   * `batchCopy`, `getTask`…); `operation` when unset.
   */
  api?: string;
  /** What the call is for, as metrics label it; `other` when unset. */
  operation?: UpstreamOperation;
}

/** An upstream's answer, read whole (bounded) and parsed as JSON when it is JSON. */
export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  json: unknown;
  /** True when a non-empty body could not be parsed as JSON. */
  malformed: boolean;
  contentType: string;
  /** The first bytes of a malformed body, for error messages (never logged with secrets: bodies hold none). */
  snippet: string;
}

export interface BreakerOptions {
  /** Percentage of failed calls in the rolling window that opens the circuit. */
  errorThresholdPercent: number;
  /** Calls in the window before the percentage counts. */
  minRequests: number;
  /** How long an open circuit fails fast before it lets a probe through. */
  resetTimeoutMs: number;
}

/** 50 % failures over at least 20 calls opens the circuit for 10 s. */
export const DEFAULT_BREAKER: BreakerOptions = {
  errorThresholdPercent: 50,
  minRequests: 20,
  resetTimeoutMs: 10_000,
};

/**
 * A call our own circuit breaker refused: nothing was sent, and the upstream is known to be failing
 * for a while, so retrying within this operation would only delay the answer (or probe the upstream
 * from inside someone's request). The caller gets it at once, retryable.
 */
export class CircuitOpenFailure extends UpstreamFailure {
  constructor(error: CopyErrorInfo) {
    super(error, 'not-executed');
    this.name = 'CircuitOpenFailure';
  }
}

/**
 * A call the gateway's own rate limit held back until its operation's deadline: nothing was sent. It
 * is retryable, but not within the same operation (its time is up).
 */
export class RateLimitWaitFailure extends UpstreamFailure {
  constructor(error: CopyErrorInfo) {
    super(error, 'not-executed');
    this.name = 'RateLimitWaitFailure';
  }
}

/** A 5xx answer travels through the breaker as a failure (so it counts), then back out as a response. */
class ServerErrorAnswer extends Error {
  constructor(readonly response: UpstreamResponse) {
    super('upstream answered 5xx');
  }
}

/** How {@link UpstreamHttpClient} connects, times out, logs and reports. */
export interface UpstreamHttpOptions {
  /** The provider as messages name it; the provider id when unset. */
  displayName?: string;
  /** Query parameters whose values are secrets, replaced before a URL is logged (`access_token` always is). */
  secretQueryParameters?: readonly string[];
  /** Connect, headers and body timeout of one call, in milliseconds. */
  timeoutMs: number;
  breaker?: BreakerOptions;
  connections?: number;
  logger: Logger;
  maxBodyBytes?: number;
  /** Where each call's outcome and duration and the circuit's state are reported. */
  metrics?: UpstreamMetrics;
  /** Paces calls to stay within the upstream's calls per second (fleet-wide with Redis); unset: unpaced. */
  pacing?: { rate: CallRate; limit: CallRateLimit };
  /** Makes a span for each call when tracing is on (none when unset). */
  tracer?: Tracer;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/** `2xx`, `4xx`…: the metrics label of an answer, from a fixed small set. */
function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** The longest Retry-After taken as given (a day); longer ones are read as a day. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** Milliseconds from a Retry-After header (seconds or an HTTP date), bounded to a day. */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const raw = header(headers, 'retry-after').trim();
  if (!raw) return undefined;
  const seconds = Number(raw);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(raw) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * One keep-alive pool per upstream origin with explicit connect, headers and body timeouts. It never
 * throws for an HTTP status: the provider adapter reads those. Transport failures become
 * UpstreamFailure, classified by whether the request can have reached the upstream.
 */
export class UpstreamHttpClient implements UpstreamIdentity {
  /** The provider as messages name it. */
  readonly displayName: string;
  readonly #pool: Pool;
  readonly #redact: (pathWithQuery: string) => string;
  readonly #dispatcher: Dispatcher;
  readonly #basePath: string;
  readonly #log: Logger;
  readonly #maxBodyBytes: number;
  readonly #timeoutMs: number;
  readonly #breaker: CircuitBreaker<[UpstreamRequest], UpstreamResponse>;
  readonly #metrics: UpstreamMetrics | undefined;
  readonly #pacing: { rate: CallRate; limit: CallRateLimit; key: string } | undefined;
  readonly #tracer: Tracer | undefined;

  constructor(
    readonly provider: Provider,
    baseUrl: string,
    options: UpstreamHttpOptions,
  ) {
    const url = new URL(baseUrl);
    this.displayName = options.displayName ?? provider;
    this.#redact = pathRedactor(options.secretQueryParameters ?? []);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    // Each line names the upstream itself: a child binding would repeat the key on every line.
    this.#log = options.logger;
    this.#maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
    this.#timeoutMs = options.timeoutMs;
    const pacing = options.pacing;
    this.#pacing =
      pacing && pacing.limit.callsPerSecond > 0
        ? { ...pacing, key: [provider, url.host, pacing.limit.account ?? ''].join('|') }
        : undefined;
    this.#tracer = options.tracer;
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.#dispatcher = this.#pool.compose(trackDispatch);
    const breaker = options.breaker ?? DEFAULT_BREAKER;
    this.#breaker = new CircuitBreaker((request: UpstreamRequest) => this.#sendCounted(request), {
      timeout: false, // the pool's own timeouts apply
      errorThresholdPercentage: breaker.errorThresholdPercent,
      volumeThreshold: breaker.minRequests,
      resetTimeout: breaker.resetTimeoutMs,
      rollingCountTimeout: 10_000,
      // Only the error percentage is read. Latency percentiles would keep every call's latency for the
      // whole window and sort them all at each 1 s snapshot and at each failure; snapshots have no reader.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // Only the upstream's own trouble counts: a refusal of our request (4xx) says nothing about its
      // health, and neither does a caller's operation deadline running out.
      errorFilter: (error: unknown, request?: UpstreamRequest) =>
        request?.signal?.aborted === true ||
        (!(error instanceof ServerErrorAnswer) && !(error instanceof UpstreamFailure)),
    });
    this.#breaker.on('open', () =>
      this.#log.warn({ upstream: provider.toLowerCase() }, 'circuit opened: failing fast'),
    );
    this.#breaker.on('close', () => this.#log.info({ upstream: provider.toLowerCase() }, 'circuit closed'));
    const metrics = (this.#metrics = options.metrics);
    if (metrics) {
      this.#breaker.on('open', () => metrics.circuit('open'));
      this.#breaker.on('halfOpen', () => metrics.circuit('halfOpen'));
      this.#breaker.on('close', () => metrics.circuit('closed'));
    }
  }

  /**
   * Sends one request: first it waits for a slot of the upstream's rate limit (when paced), then goes
   * through the origin's circuit breaker. While the circuit is open the request is not sent at all, so
   * it fails fast as UPSTREAM_UNAVAILABLE and is safe to retry later. A request whose slot would come
   * after its deadline is not sent either: RateLimitWaitFailure (THROTTLED, retryable).
   */
  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    // Ids from the caller become path segments; a "." or ".." one would be resolved away by any server
    // or proxy on the way and address a different endpoint.
    if (request.path.split('/').some((segment) => segment === '.' || segment === '..')) {
      const name = this.displayName;
      throw new UpstreamFailure(
        upstreamError(
          this.provider,
          'INVALID_ARGUMENT',
          `An id in the request is "." or "..", which cannot name anything in a ${name} URL; the request was not sent.`,
          false,
        ),
        'not-executed',
      );
    }
    // Started before the wait for a rate-limit slot, so that the wait shows in the span.
    const span = this.#tracer
      ? startUpstreamSpan(this.#tracer, request.trace, {
          provider: this.provider,
          displayName: this.displayName,
          operation: request.operation ?? 'other',
          method: request.method,
          retry: request.retry ?? 0,
          requestId: request.requestId,
        })
      : undefined;
    if (this.#pacing) {
      try {
        await this.#pace(this.#pacing, request);
      } catch (error) {
        span?.end('rate_limited');
        throw error;
      }
    }
    const started = this.#metrics ? performance.now() : 0;
    try {
      const response = await (span
        ? span.run(() => this.#breaker.fire(request))
        : this.#breaker.fire(request));
      this.#record(request, statusClass(response.status), started, span, response.status);
      return response;
    } catch (error) {
      if (error instanceof ServerErrorAnswer) {
        this.#record(request, statusClass(error.response.status), started, span, error.response.status);
        return error.response;
      }
      if ((error as { code?: string })?.code === 'EOPENBREAKER') {
        this.#metrics?.upstreamCall(request.operation ?? 'other', 'circuit_open', undefined);
        span?.end('circuit_open');
        const name = this.displayName;
        throw new CircuitOpenFailure(
          upstreamError(
            this.provider,
            'UPSTREAM_UNAVAILABLE',
            `${name} is failing; the gateway stopped calling it for a short while. The request was not sent; retry later.`,
            true,
          ),
        );
      }
      this.#record(request, error instanceof UpstreamFailure ? error.code : 'error', started, span);
      throw error;
    }
  }

  /** Waits for a rate-limit slot, or throws RateLimitWaitFailure when none comes before the deadline. */
  async #pace(
    pacing: { rate: CallRate; limit: CallRateLimit; key: string },
    request: UpstreamRequest,
  ): Promise<void> {
    const { rate, limit } = pacing;
    const operation = request.operation ?? 'other';
    const api = limit.per === 'api' ? (request.api ?? operation) : '*';
    const started = performance.now();
    const granted = await rate.acquire(`${pacing.key}|${api}`, limit.callsPerSecond, {
      signal: request.signal,
      deadline: request.deadline,
    });
    this.#metrics?.rateLimitWait(operation, (performance.now() - started) / 1000);
    if (granted) return;
    this.#metrics?.upstreamCall(operation, 'rate_limited', undefined);
    const each = limit.per === 'api' ? ' per API' : '';
    throw new RateLimitWaitFailure(
      upstreamError(
        this.provider,
        'THROTTLED',
        `The gateway paces its calls to ${this.displayName} at ${limit.callsPerSecond} a second${each}, shared by every replica, and no slot was free before the operation's deadline. The request was not sent; retry later.`,
        true,
      ),
    );
  }

  /** Reports a call that was sent: to the metrics, and on its span (with the status when one came). */
  #record(
    request: UpstreamRequest,
    outcome: string,
    started: number,
    span: UpstreamSpan | undefined,
    status?: number,
  ): void {
    this.#metrics?.upstreamCall(request.operation ?? 'other', outcome, (performance.now() - started) / 1000);
    span?.end(outcome, status);
  }

  async #sendCounted(request: UpstreamRequest): Promise<UpstreamResponse> {
    const response = await this.#send(request);
    if (response.status >= 500) throw new ServerErrorAnswer(response);
    return response;
  }

  async #send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) search.append(key, value);
    }
    const query = search.toString();
    const path = this.#basePath + request.path + (query ? `?${query}` : '');
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const started = performance.now();
    if (request.signal?.aborted) {
      throw new UpstreamFailure(
        upstreamError(
          this.provider,
          'UPSTREAM_TIMEOUT',
          'The operation deadline passed before the request was sent.',
          true,
        ),
        'not-executed',
      );
    }
    // undici checks its headers and body timeouts on a coarse timer (up to a second late); this timer
    // bounds the whole call to the configured timeout precisely. One timer and one listener per call,
    // both removed when the call ends, so nothing outlives it (AbortSignal.timeout/any keep a timer and
    // weak references alive until garbage collection, which kept them in the old generation under load).
    const controller = new AbortController();
    const callTimeout = { aborted: false };
    const timer = setTimeout(() => {
      callTimeout.aborted = true;
      controller.abort(new DOMException(`The call took longer than ${this.#timeoutMs} ms.`, 'TimeoutError'));
    }, this.#timeoutMs);
    const deadline = request.signal;
    const onDeadline = () => controller.abort(deadline?.reason);
    deadline?.addEventListener('abort', onDeadline, { once: true });
    const signal = controller.signal;
    let dispatched = false;
    try {
      const options: Dispatcher.RequestOptions & TrackedOptions = {
        method: request.method,
        path,
        headers: {
          accept: 'application/json',
          'user-agent': USER_AGENT,
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
          ...(request.requestId === undefined ? {} : { 'x-request-id': request.requestId }),
          ...request.headers,
        },
        body,
        signal,
        // undici hands a request that was aborted while queued to a connection too, and only then
        // drops it unwritten: it counts as sent only when it is still live at that moment.
        [ON_DISPATCH]: () => {
          if (!signal.aborted) dispatched = true;
        },
      };
      const response = await this.#dispatcher.request(options);
      let text: string;
      try {
        text = await this.#readText(response.body);
      } catch (error) {
        // The upstream answered (a status came) and then its body broke off: an unreadable answer.
        throw new BodyReadError(response.statusCode, error);
      }
      const contentType = header(response.headers, 'content-type');
      let json: unknown;
      let malformed = false;
      if (text.trim() !== '') {
        try {
          json = JSON.parse(text);
        } catch {
          malformed = true;
        }
      }
      const log = this.#logFor(request);
      // Built only when written: a redacted path and a line object per call add up at info level.
      if (log.isLevelEnabled?.('debug') !== false)
        log.debug(
          {
            upstream: this.provider.toLowerCase(),
            method: request.method,
            path: this.#redact(path),
            status: response.statusCode,
            ms: Math.round(performance.now() - started),
          },
          'upstream call',
        );
      return {
        status: response.statusCode,
        headers: response.headers,
        json,
        malformed,
        contentType,
        snippet: malformed ? text.slice(0, 80) : '',
      };
    } catch (error) {
      const failure = classifyTransportFailure(this, error, {
        deadline: request.signal,
        callTimeout,
        timeoutMs: this.#timeoutMs,
        dispatched,
      });
      this.#logFor(request).warn(
        {
          upstream: this.provider.toLowerCase(),
          method: request.method,
          path: this.#redact(path),
          code: failure.code,
          execution: failure.execution,
          ms: Math.round(performance.now() - started),
        },
        'upstream call failed',
      );
      throw failure;
    } finally {
      clearTimeout(timer);
      deadline?.removeEventListener('abort', onDeadline);
    }
  }

  /** The caller's logger when there is one (a field names the upstream: no child logger per call). */
  #logFor(request: UpstreamRequest): Logger {
    return request.log ?? this.#log;
  }

  async #readText(body: AsyncIterable<Buffer | Uint8Array> & { dump(): Promise<void> }): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > this.#maxBodyBytes) {
        await body.dump().catch(() => undefined);
        throw new BodyTooLargeError();
      }
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  close(): Promise<void> {
    this.#breaker.shutdown();
    return this.#pool.close();
  }
}
