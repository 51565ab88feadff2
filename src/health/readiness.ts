/** A dependency that must answer for the gateway to serve everything it offers (Redis). */
export interface DependencyCheck {
  /** The name `/readyz` reports it under, e.g. `redis`. */
  readonly name: string;
  /** Whether it answers now; settles within the check's own timeout, never rejects. */
  check(): Promise<boolean>;
  /** Releases what the check holds (a connection). */
  close(): Promise<void>;
}

/** What the server itself is doing: not listening yet, serving, or shutting down. */
export type ServerState = 'starting' | 'up' | 'shutting down';

/** The body of `/readyz`: `checks` names the server's state and each dependency `up` or `down`. */
export interface ReadinessReport {
  status: 'ready' | 'not ready';
  checks: Record<string, string>;
}

/**
 * Whether this process should get traffic: it listens, is not shutting down, and every configured
 * dependency answers. Dependencies are asked only while the server is up.
 */
export class Readiness {
  #shuttingDown = false;

  constructor(private readonly dependencies: readonly DependencyCheck[]) {}

  /** From now on the process reports not ready (SIGTERM arrived; the server closes soon). */
  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Asks every dependency (at once) unless the server is not up. */
  async report(listening: boolean): Promise<ReadinessReport> {
    const server: ServerState = this.#shuttingDown ? 'shutting down' : listening ? 'up' : 'starting';
    if (server !== 'up') return { status: 'not ready', checks: { server } };
    const states = await Promise.all(this.dependencies.map((d) => d.check()));
    const checks: Record<string, string> = { server };
    this.dependencies.forEach((d, i) => (checks[d.name] = states[i] ? 'up' : 'down'));
    return { status: states.every(Boolean) ? 'ready' : 'not ready', checks };
  }

  /** Closes every dependency check. */
  async close(): Promise<void> {
    await Promise.all(this.dependencies.map((d) => d.close()));
  }
}
