/** Low-level `node:http` helpers: reading a body, sending JSON or nothing, and acting out a fault. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultKind } from './faults.js';

/** Largest request body the emulators read, in bytes (10 MiB). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Reads the whole request body (chunked or with a length) as UTF-8; throws past `limitBytes`. */
export async function readBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends `body` as `application/json;charset=utf-8` with a content length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends a status and headers without a body. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** Resolves after `ms` milliseconds of real time. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Answers with an injected fault. `errorBody` builds the upstream's own error body for `status` faults.
 * Returns false for `latency`, which only delays: the caller then goes on with the real answer.
 */
export async function applyFault(
  res: ServerResponse,
  fault: FaultKind,
  errorBody: (code: string, message: string) => unknown,
): Promise<boolean> {
  switch (fault.kind) {
    case 'latency':
      await sleep(fault.ms);
      return false;
    case 'status':
      sendJson(res, fault.status, errorBody(fault.code, fault.message ?? fault.code), fault.headers);
      return true;
    case 'html': {
      const html = '<!DOCTYPE html><html><body><h1>Service busy</h1></body></html>';
      res.writeHead(fault.status ?? 503, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
      return true;
    }
    case 'truncated':
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'content-length': 64 });
      res.end('{"result":[{"status":20');
      res.socket?.destroy();
      return true;
    case 'reset':
      res.socket?.destroy();
      return true;
  }
}
