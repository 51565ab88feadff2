/**
 * Internal-app access tokens (https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app):
 * one token per app key; fetching again while it is valid returns the
 * same token and extends it, and after expiry a new one is minted. Time comes from the emulator Clock.
 */
import type { Clock } from '../kit/clock.js';

/** The token endpoint's answer: the token and its lifetime in seconds. */
export interface IssuedToken {
  accessToken: string;
  expireIn: number;
}

/** The result of checking a token: its app key, or why it is refused. */
export type TokenCheck = { ok: true; appKey: string } | { ok: false; reason: 'unknown' | 'expired' };

interface TokenRecord {
  appKey: string;
  token: string;
  expiresAt: number;
}

/** Apps, their secrets and their current tokens. */
export class TokenStore {
  readonly #apps = new Map<string, string>();
  readonly #byApp = new Map<string, TokenRecord>();
  readonly #byToken = new Map<string, TokenRecord>();
  #minted = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    private readonly random: () => number,
  ) {}

  addApp(appKey: string, appSecret: string): void {
    this.#apps.set(appKey, appSecret);
  }

  hasApp(appKey: string): boolean {
    return this.#apps.has(appKey);
  }

  /** The token endpoint: undefined when the key/secret pair is wrong. */
  fetch(appKey: string, appSecret: string): IssuedToken | undefined {
    if (this.#apps.get(appKey) !== appSecret) return undefined;
    return this.issue(appKey);
  }

  /** Issues (or extends) the app's token without checking the secret; a test shortcut. */
  issue(appKey: string): IssuedToken {
    const now = this.clock.now();
    const ttlMs = this.ttlSeconds * 1000;
    const current = this.#byApp.get(appKey);
    if (current && now < current.expiresAt) {
      current.expiresAt = now + ttlMs;
      return { accessToken: current.token, expireIn: this.ttlSeconds };
    }
    const record: TokenRecord = { appKey, token: this.#mint(), expiresAt: now + ttlMs };
    if (current) this.#byToken.delete(current.token);
    this.#byApp.set(appKey, record);
    this.#byToken.set(record.token, record);
    return { accessToken: record.token, expireIn: this.ttlSeconds };
  }

  check(token: string): TokenCheck {
    const record = this.#byToken.get(token);
    if (!record) return { ok: false, reason: 'unknown' };
    if (this.clock.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, appKey: record.appKey };
  }

  /** Makes a token unusable at once, e.g. to test the client's refresh-on-auth-failure path. */
  revoke(token: string): void {
    const record = this.#byToken.get(token);
    if (!record) return;
    this.#byToken.delete(token);
    if (this.#byApp.get(record.appKey) === record) this.#byApp.delete(record.appKey);
  }

  #mint(): string {
    let token = '';
    for (let i = 0; i < 32; i += 1) token += Math.floor(this.random() * 16).toString(16);
    // A fixed `random` in tests would repeat tokens; the counter keeps them distinct.
    this.#minted += 1;
    return this.#byToken.has(token) ? `${token}${this.#minted}` : token;
  }
}
