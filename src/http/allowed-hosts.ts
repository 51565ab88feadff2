import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ErrorCode } from '../copy/error-codes.js';
import { graphqlErrorBody } from './error-body.js';

/** The host name of a `Host` header (RFC 9110 §7.2), lower case, without port or IPv6 brackets. */
export function hostName(host: string): string | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/i.exec(host.trim());
  const name = match?.[1] ?? match?.[2];
  return name?.toLowerCase().replace(/\.$/, '');
}

/**
 * Whether a request whose `Host` is `host` may be served by a gateway that asks for no API key. A page
 * that rebinds its own domain name to the gateway's address (DNS rebinding) sends that name as `Host`,
 * so only names the gateway knows as its own pass: an IP address literal (the client addressed the
 * server itself, which is no rebinding), `localhost` and its subdomains (RFC 6761 §6.3: always
 * loopback), and the names in `allowed` (ALLOWED_HOSTS, lower case).
 */
export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = host === undefined ? undefined : hostName(host);
  if (name === undefined) return false;
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || allowed.has(name);
}

/**
 * An `onRequest` hook for the GraphQL routes of a gateway without API keys (demo, ALLOW_ANONYMOUS),
 * after `@fastify/websocket` (which closes a refused handshake's socket): a request whose `Host` is
 * not allowed ({@link hostAllowed}) is answered 403 `FORBIDDEN`, WebSocket handshakes included. The
 * probes, `/metrics` and GraphiQL's static files are outside: they run nothing and hold no data. With
 * API keys this hook is not installed: a rebinding page has no key.
 */
export function refuseForeignHosts(allowed: readonly string[]) {
  const names = new Set(allowed.map((name) => name.toLowerCase()));
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const { host } = request.headers;
    if (hostAllowed(host, names)) return done();
    void reply
      .code(403)
      .send(
        graphqlErrorBody(
          `Host ${JSON.stringify((host ?? '').slice(0, 200))} is not served: this gateway asks for no API key, so it answers only to IP addresses, localhost and the names in ALLOWED_HOSTS.`,
          ErrorCode.FORBIDDEN,
          request.id,
        ),
      );
  };
}
