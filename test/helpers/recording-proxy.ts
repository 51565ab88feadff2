import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One exchange the proxy forwarded, as it went over the wire. */
export interface RecordedExchange {
  method: string;
  /** Path with query string. */
  url: string;
  headers: IncomingHttpHeaders;
  requestBody: string;
  /** The upstream's status; 0 when the connection was reset without an answer. */
  status: number;
  responseBody: string;
}

export interface RecordingProxy {
  url: string;
  exchanges: RecordedExchange[];
  close(): Promise<void>;
}

export interface RecordingProxyOptions {
  /**
   * A request is forwarded once the promise this returns for it settles (at once when it returns
   * undefined): a test holds some calls of one gateway until it has seen what the others did meanwhile.
   */
  hold?: (method: string, url: string) => Promise<void> | undefined;
}

/**
 * A plain HTTP forwarder between the gateway and an emulator that keeps every request and answer, so a
 * test can see the secrets and tokens that really crossed the wire (and then look for them elsewhere).
 */
export async function startRecordingProxy(
  target: string,
  options: RecordingProxyOptions = {},
): Promise<RecordingProxy> {
  const origin = new URL(target);
  const exchanges: RecordedExchange[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    const forward = async (requestBody: Buffer) => {
      await options.hold?.(req.method ?? 'GET', req.url ?? '/');
      const upstream = httpRequest(
        {
          host: origin.hostname,
          port: origin.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: origin.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const body = Buffer.concat(parts);
            exchanges.push({
              method: req.method ?? 'GET',
              url: req.url ?? '/',
              headers: req.headers,
              requestBody: requestBody.toString('utf8'),
              status: answer.statusCode ?? 0,
              responseBody: body.toString('utf8'),
            });
            const headers = { ...answer.headers };
            delete headers['transfer-encoding'];
            headers['content-length'] = String(body.length);
            res.writeHead(answer.statusCode ?? 502, headers).end(body);
          });
          answer.on('error', () => res.destroy());
        },
      );
      // An emulator "reset" fault: record it (status 0) and pass the reset on to the gateway.
      upstream.on('error', () => {
        exchanges.push({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          requestBody: requestBody.toString('utf8'),
          status: 0,
          responseBody: '',
        });
        res.destroy();
      });
      upstream.end(requestBody);
    };
    req.on('end', () => void forward(Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
