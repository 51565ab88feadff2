import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultKind } from './faults.js';

/** Reads the whole request body (chunked or with a length) as text. */
export async function readBody(req: IncomingMessage, limitBytes = 10 * 1024 * 1024): Promise<string> {
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

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Answers with an injected fault. `errorBody` builds the provider's own error body for `status` faults.
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
