import type { Context } from '@opentelemetry/api';
import type DataLoader from 'dataloader';
import type { Config } from '../config.js';
import type { CallContext } from '../copy/call.js';
import type { CopyTask } from '../copy/types.js';
import type { Logger } from '../copy/ports.js';
import type { CopyService } from '../copy/service.js';
import type { RequestContext } from '../context.js';
import { UpstreamCallBudget } from '../providers/kit/budget.js';

/** What a transport tells {@link createContextFactory} about one caller: its logger, name and credentials. */
export interface CallerInput {
  /** The operation's logger, bound to its request id. */
  log: Logger;
  /** The operation's request id (see CallContext.requestId). */
  requestId: string;
  /** The OpenTelemetry context of the operation's span, when tracing is on (see CallContext.trace). */
  trace?: Context;
  /** The authenticated caller's name, if callers authenticate. */
  caller?: string;
  /** Reads a header (HTTP) or a connection parameter (WebSocket) by lower-case name. */
  credential(name: string): string | undefined;
  /** Where this transport's caller puts a credential, for messages (default: the header of that name). */
  credentialPlace?(name: string): string;
}

/**
 * The operation's deadline: a signal that aborts with a TimeoutError after `ms`, on one timer that
 * `end` clears once the operation is answered. The timer never keeps the process alive by itself.
 */
export function operationDeadline(ms: number): { signal: AbortSignal; end: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation deadline passed.', 'TimeoutError')),
    ms,
  );
  timer.unref();
  return { signal: controller.signal, end: () => clearTimeout(timer) };
}

/** Builds the per-operation GraphQL context the same way for HTTP requests and WebSocket operations. */
export function createContextFactory(config: Config, copy: CopyService) {
  const newCall = (input: CallerInput): CallContext & { endOperation: () => void } => {
    const deadline = operationDeadline(config.operationTimeoutMs);
    return {
      log: input.log,
      requestId: input.requestId,
      trace: input.trace,
      signal: deadline.signal,
      endOperation: deadline.end,
      deadline: Date.now() + config.operationTimeoutMs,
      budget: new UpstreamCallBudget(config.maxUpstreamCallsPerRequest),
      // Each provider's token from its own credential header, by provider id.
      callerTokens: Object.fromEntries(
        copy.providers.map((p) => [p.id, input.credential(p.credentialHeader)]),
      ),
      credentialPlace: input.credentialPlace,
    };
  };
  return (input: CallerInput): RequestContext => {
    const call = newCall(input);
    // Made on first use: most operations are mutations that never read a task.
    let task: DataLoader<string, CopyTask | null> | undefined;
    return {
      ...call,
      copy,
      caller: input.caller,
      loaders: {
        get task() {
          return (task ??= copy.createTaskLoader(call, input.caller));
        },
      },
      newCall: () => newCall(input),
      watch: config.subscriptions,
    };
  };
}
