import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/copy/call.js';
import { GatewayError, UpstreamFailure, upstreamError } from '../../src/copy/errors.js';
import type { CopyErrorCode } from '../../src/copy/types.js';
import { ManagedTokens, type FetchedToken } from '../../src/credentials/managed.js';
import { passThroughOnly } from '../../src/credentials/pass-through.js';
import { withToken } from '../../src/credentials/with-token.js';
import { ManualClock } from '../../src/emulators/smh/index.js';
import { createCallerAuth } from '../../src/http/caller-auth.js';

const SECRET = 'very-secret-value-1234';
const call = {} as CallContext;

const failure = (code: CopyErrorCode, execution: 'not-executed' | 'unknown' = 'not-executed') =>
  new UpstreamFailure(upstreamError('SMH', code, `upstream said ${code} for ${SECRET}`, false), execution);

/** A token endpoint stand-in: counts fetches per scope, answers from a queue or mints `scope-N`. */
function endpoint(lifetimeSeconds = 7200) {
  const fetches: string[] = [];
  const answers: (() => Promise<FetchedToken>)[] = [];
  let minted = 0;
  return {
    fetches,
    answers,
    fetch: async (scope: string): Promise<FetchedToken> => {
      fetches.push(scope);
      const next = answers.shift();
      if (next) return next();
      minted += 1;
      return { token: `${scope}-${minted}`, expiresInSeconds: lifetimeSeconds };
    },
  };
}

function managed(lifetimeSeconds = 7200) {
  const clock = new ManualClock();
  const upstream = endpoint(lifetimeSeconds);
  const tokens = new ManagedTokens({
    providerName: 'SMH',
    fetch: (scope) => upstream.fetch(scope),
    now: () => clock.now(),
  });
  return { clock, upstream, tokens };
}

describe('ManagedTokens', () => {
  it('caches a token per scope', async () => {
    const { tokens, upstream } = managed();
    expect(await tokens.token('lib-a', call)).toBe('lib-a-1');
    expect(await tokens.token('lib-a', call)).toBe('lib-a-1');
    expect(await tokens.token('lib-b', call)).toBe('lib-b-2');
    expect(await tokens.token('lib-b', call)).toBe('lib-b-2');
    expect(upstream.fetches).toEqual(['lib-a', 'lib-b']);
  });

  it.each([
    // lifetime (s), last time still cached, first time refreshed (ms after the fetch)
    [7200, 6_479_999, 6_480_000], // 90 %
    [86_400, 77_759_999, 77_760_000], // 90 %
    [300, 239_999, 240_000], // at least a minute early
    [60, 29_999, 30_000], // half of a very short lifetime
  ])('a %i s token is refreshed at the right time', async (lifetime, cachedAt, refreshedAt) => {
    const { tokens, upstream, clock } = managed(lifetime);
    const start = clock.now();
    await tokens.token('s', call);
    clock.advance(cachedAt);
    expect(await tokens.token('s', call)).toBe('s-1');
    clock.advance(refreshedAt - cachedAt);
    expect(clock.now() - start).toBe(refreshedAt);
    expect(await tokens.token('s', call)).toBe('s-2');
    expect(upstream.fetches).toHaveLength(2);
  });

  it('single flight: concurrent requests share one fetch, per scope', async () => {
    const { tokens, upstream } = managed();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    upstream.answers.push(async () => {
      await gate;
      return { token: 'shared', expiresInSeconds: 7200 };
    });
    const waiting = Array.from({ length: 50 }, () => tokens.token('s', call));
    const other = tokens.token('t', call);
    release();
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['shared']));
    expect(await other).toBe('t-1');
    expect(upstream.fetches).toEqual(['s', 't']);
  });

  it('a failed fetch reaches every waiter once and is not cached', async () => {
    const { tokens, upstream } = managed();
    upstream.answers.push(async () => Promise.reject(failure('UPSTREAM_ERROR', 'unknown')));
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.token('s', call)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(upstream.fetches).toHaveLength(1);
    expect(await tokens.token('s', call)).toBe('s-1');
    expect(upstream.fetches).toHaveLength(2);
  });

  it.each([
    ['UNAUTHENTICATED', 'UNAUTHENTICATED', "SMH refused the gateway's configured credential."],
    ['NOT_FOUND', 'UNAUTHENTICATED', "SMH refused the gateway's configured credential."],
    ['INVALID_ARGUMENT', 'UNAUTHENTICATED', "SMH refused the gateway's configured credential."],
    ['PERMISSION_DENIED', 'UNAUTHENTICATED', "SMH refused the gateway's configured credential."],
    ['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', "SMH's token endpoint is unavailable (UPSTREAM_ERROR)."],
    ['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE', "SMH's token endpoint is unavailable (UPSTREAM_TIMEOUT)."],
    ['THROTTLED', 'UPSTREAM_UNAVAILABLE', "SMH's token endpoint is unavailable (THROTTLED)."],
  ] as const)(
    'a token endpoint failure %s becomes %s without the upstream message',
    async (code, expected, message) => {
      const { tokens, upstream } = managed();
      upstream.answers.push(async () => Promise.reject(failure(code)));
      const error = await tokens.token('s', call).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).not.toBeInstanceOf(UpstreamFailure);
      expect((error as GatewayError).code).toBe(expected);
      expect((error as GatewayError).message).toBe(message);
      expect((error as GatewayError).extra).toEqual({ provider: 'SMH' });
      expect(JSON.stringify(error) + String(error)).not.toContain(SECRET);
    },
  );

  it('an unexpected error is UPSTREAM_UNAVAILABLE and its message is dropped', async () => {
    const { tokens, upstream } = managed();
    upstream.answers.push(async () => Promise.reject(new Error(`boom ${SECRET}`)));
    const error = (await tokens.token('s', call).catch((e: unknown) => e)) as GatewayError;
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.message).toBe("SMH's token endpoint is unavailable.");
  });

  it("passes the gateway's own errors through (a scope without a credential)", async () => {
    const { tokens, upstream } = managed();
    const own = new GatewayError('No SMH credential is configured for library x.', 'UNAUTHENTICATED');
    upstream.answers.push(async () => Promise.reject(own));
    await expect(tokens.token('s', call)).rejects.toBe(own);
  });

  it('invalidate drops only the token that was rejected', async () => {
    const { tokens, upstream } = managed();
    expect(await tokens.token('s', call)).toBe('s-1');
    tokens.invalidate('s', 'some-older-token');
    expect(await tokens.token('s', call)).toBe('s-1');
    tokens.invalidate('s', 's-1');
    expect(await tokens.token('s', call)).toBe('s-2');
    // A late rejection of s-1 (another request still held it) keeps the fresh token.
    tokens.invalidate('s', 's-1');
    expect(await tokens.token('s', call)).toBe('s-2');
    expect(upstream.fetches).toHaveLength(2);
  });
});

describe('withToken', () => {
  it('uses a managed token, and on rejection refreshes and retries exactly once', async () => {
    const { tokens, upstream } = managed();
    const seen: string[] = [];
    const result = await withToken(tokens, 's', undefined, call, async (token) => {
      seen.push(token);
      if (token === 's-1') throw failure('UNAUTHENTICATED');
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual(['s-1', 's-2']);
    expect(upstream.fetches).toHaveLength(2);
  });

  it('does not loop when the fresh token is rejected too', async () => {
    const { tokens, upstream } = managed();
    const seen: string[] = [];
    const attempt = withToken(tokens, 's', undefined, call, async (token) => {
      seen.push(token);
      throw failure('UNAUTHENTICATED');
    });
    await expect(attempt).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(seen).toEqual(['s-1', 's-2']);
    expect(upstream.fetches).toHaveLength(2);
  });

  it.each(['PERMISSION_DENIED', 'UPSTREAM_ERROR', 'THROTTLED'] as const)(
    'does not retry a %s failure',
    async (code) => {
      const { tokens, upstream } = managed();
      let calls = 0;
      const attempt = withToken(tokens, 's', undefined, call, async () => {
        calls += 1;
        throw failure(code);
      });
      await expect(attempt).rejects.toMatchObject({ code });
      expect(calls).toBe(1);
      expect(upstream.fetches).toHaveLength(1);
    },
  );

  it("prefers the caller's token, never fetches, and never retries it", async () => {
    const { tokens, upstream } = managed();
    const seen: string[] = [];
    const attempt = withToken(tokens, 's', 'callers-token', call, async (token) => {
      seen.push(token);
      throw failure('UNAUTHENTICATED');
    });
    await expect(attempt).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(seen).toEqual(['callers-token']);
    expect(upstream.fetches).toEqual([]);
  });

  it('without a managed credential asks for the header', async () => {
    const source = passThroughOnly('DingTalk', 'x-acs-dingtalk-access-token');
    expect(source.refreshable).toBe(false);
    const attempt = withToken(source, 'app', undefined, call, async () => 'never');
    await expect(attempt).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'No DingTalk credential: send the access token in the x-acs-dingtalk-access-token header.',
    });
    expect(await withToken(source, 'app', 'hdr', call, async (token) => token)).toBe('hdr');
  });
});

describe('createCallerAuth', () => {
  const alice = 'alice-key-0123456789abcdef';
  const plain = 'plain-key-fedcba9876543210';
  const auth = createCallerAuth([
    { name: 'alice', key: alice },
    { name: 'key-2', key: plain },
  ]);

  it.each([
    [`Bearer ${alice}`, 'alice'],
    [`bearer ${alice}`, 'alice'],
    [`BEARER   ${alice}  `, 'alice'],
    [`Bearer ${plain}`, 'key-2'],
  ])('%j → %s', (header, name) => {
    expect(auth(header)).toBe(name);
  });

  it.each([
    undefined,
    '',
    'Bearer',
    'Bearer ',
    alice,
    `Basic ${alice}`,
    `Bearer ${alice}x`,
    `Bearer ${alice.slice(0, -1)}`,
    `Bearer ${alice} ${plain}`,
    `Bearer alice:${alice}`,
    `Token Bearer ${alice}`,
  ])('refuses %j', (header) => {
    expect(auth(header)).toBeUndefined();
  });

  it('knows nobody without keys', () => {
    expect(createCallerAuth([])(`Bearer ${alice}`)).toBeUndefined();
  });
});

describe('ManagedTokens when a refresh fails', () => {
  const unavailable = () =>
    new UpstreamFailure(upstreamError('SMH', 'UPSTREAM_UNAVAILABLE', 'down', true), 'not-executed');

  it('keeps using the old token while it is still valid, and fails once it has expired', async () => {
    const clock = new ManualClock(0);
    let fetches = 0;
    let down = false;
    const tokens = new ManagedTokens({
      providerName: 'SMH',
      now: () => clock.now(),
      fetch: async () => {
        fetches += 1;
        if (down) throw unavailable();
        return { token: `t${fetches}`, expiresInSeconds: 1000 };
      },
    });
    expect(await tokens.token('lib')).toBe('t1');
    down = true;
    clock.advance(950_000); // past the refresh point, before expiry
    expect(await tokens.token('lib')).toBe('t1');
    expect(fetches).toBe(2);
    clock.advance(60_000); // expired
    await expect(tokens.token('lib')).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    down = false;
    expect(await tokens.token('lib')).toBe('t4');
  });
});
