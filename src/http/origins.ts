import { isIP } from 'node:net';

/** An address the server listens on, as Fastify's `addresses()` gives it. */
export interface ListenAddress {
  address: string;
  port: number;
}

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', '::1', '0.0.0.0', '::']);

/**
 * The origins a page served by this server has, listening on `addresses` over plain HTTP: on a
 * loopback or wildcard address every loopback name (`127.0.0.1`, `localhost`, `[::1]`), because a
 * browser treats each as its own origin; on another address, that address.
 */
export function ownOrigins(addresses: readonly ListenAddress[]): string[] {
  const origins = addresses.flatMap(({ address, port }) =>
    LOOPBACK_OR_ANY.has(address) || address.startsWith('127.')
      ? [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`]
      : [isIP(address) === 6 ? `http://[${address}]:${port}` : `http://${address}:${port}`],
  );
  return [...new Set(origins)];
}

/**
 * Whether `origin` (an `Origin` header) names the host the request was sent to (its `Host` header):
 * a page of the gateway's own, such as GraphiQL, behind a proxy that keeps `Host` too. The scheme is
 * not compared (a TLS-terminating proxy speaks HTTP to the gateway).
 */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The web origins whose pages may call the gateway from a browser: the configured list (`CORS_ORIGINS`)
 * or, when none is configured in demo mode, the gateway's own loopback origins once it listens.
 */
export class AllowedOrigins {
  readonly #origins: Set<string>;
  readonly #ownByDefault: boolean;

  /**
   * @param configured - normalized origins (`scheme://host[:port]`); undefined when not configured.
   * @param demo - demo mode: without a configured list, the gateway's own origins are allowed.
   */
  constructor(configured: readonly string[] | undefined, demo: boolean) {
    this.#origins = new Set(configured ?? []);
    this.#ownByDefault = configured === undefined && demo;
  }

  /** Tells the list where the server listens (called once it does). */
  listening(addresses: readonly ListenAddress[]): void {
    if (this.#ownByDefault) for (const origin of ownOrigins(addresses)) this.#origins.add(origin);
  }

  /** Every allowed origin, in the order added. */
  get list(): readonly string[] {
    return [...this.#origins];
  }

  /** Whether a page of `origin` (an `Origin` header; none from non-browser clients) may call the gateway. */
  allows(origin: string | undefined): boolean {
    return origin !== undefined && this.#origins.has(origin);
  }
}
