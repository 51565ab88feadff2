import { describe, expect, it } from 'vitest';
import { ConfigError, decideAccess, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('runs the demo when nothing is configured', () => {
    const config = loadConfig({});
    expect(config.demo).toBe(true);
    expect(config.port).toBe(4000);
    expect(config.upstreamTimeoutMs).toBe(10_000);
    expect(config.host).toBe('127.0.0.1');
  });

  it('refuses the implicit demo in production unless DEMO=1', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DEMO=1/);
    expect(loadConfig({ NODE_ENV: 'production', DEMO: '1' }).demo).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['UPSTREAM_TIMEOUT_MS', '-5'],
    ['SMH_BASE_URL', 'not a url'],
    ['SMH_BASE_URL', 'ftp://example.test'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://127.0.0.1'],
    ['DEMO', 'maybe'],
    ['METRICS', 'sometimes'],
  ])('names %s when it is %j', (variable, value) => {
    try {
      loadConfig({ [variable]: value });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message.startsWith(`${variable}:`)).toBe(true);
    }
  });

  it('serves metrics unless METRICS=0', () => {
    expect(loadConfig({}).metrics).toBe(true);
    expect(loadConfig({ METRICS: '0' }).metrics).toBe(false);
  });

  it('points the adapters at any origin, loopback included', () => {
    const config = loadConfig({
      SMH_BASE_URL: 'http://127.0.0.1:9100/',
      DINGTALK_BASE_URL: 'http://[::1]:9200',
    });
    expect(config.demo).toBe(false);
    expect(config.providers.SMH?.baseUrl).toBe('http://127.0.0.1:9100');
    expect(config.providers.DINGTALK?.baseUrl).toBe('http://[::1]:9200');
  });

  it('reads API keys as key or name:key without echoing them in errors', () => {
    const config = loadConfig({
      SMH_BASE_URL: 'http://127.0.0.1:1',
      GATEWAY_API_KEYS: 'web:aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2',
    });
    expect(config.apiKeys).toEqual([
      { name: 'web', key: 'aaaaaaaaaaaaaaaa1' },
      { name: 'key-2', key: 'bbbbbbbbbbbbbbbb2' },
    ]);
    expect(() => loadConfig({ GATEWAY_API_KEYS: 'short-secret' })).toThrow(/GATEWAY_API_KEYS/);
    const twice = 'a:aaaaaaaaaaaaaaaa1,a:bbbbbbbbbbbbbbbb2';
    expect(() => loadConfig({ GATEWAY_API_KEYS: twice })).toThrow(/distinct names/);
    expect(() => loadConfig({ GATEWAY_API_KEYS: 'x:aaaaaaaaaaaaaaaa1,y:aaaaaaaaaaaaaaaa1' })).toThrow(
      /distinct/,
    );
    expect(() => loadConfig({ GATEWAY_API_KEYS: 'a:b:cccccccccccccccc' })).toThrow(/without ':'/);
    expect(() => loadConfig({ GATEWAY_API_KEYS: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('names every bad variable at once, each with what it expects', () => {
    let thrown: unknown;
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', SMH_BASE_URL: 'ftp://x.test', DINGTALK_APP_KEY: 'k' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.problems.map((p) => p.variable)).toEqual([
      'PORT',
      'LOG_LEVEL',
      'SMH_BASE_URL',
      'DINGTALK_APP_SECRET',
    ]);
    expect(error.variable).toBe('PORT');
    expect(error.message).toBe(
      'PORT: expected an integer from 0 to 65535, got "abc"; ' +
        'LOG_LEVEL: expected fatal|error|warn|info|debug|trace|silent, got "loud"; ' +
        'SMH_BASE_URL: expected an absolute http:// or https:// URL, got "ftp://x.test"; ' +
        'DINGTALK_APP_SECRET: expected to be set together with its pair',
    );
  });

  it('delays closing after SIGTERM by 5 s, except in the demo, unless SHUTDOWN_DELAY_MS says otherwise', () => {
    expect(loadConfig({}).shutdownDelayMs).toBe(0);
    expect(loadConfig({ SMH_BASE_URL: 'http://127.0.0.1:1' }).shutdownDelayMs).toBe(5_000);
    expect(loadConfig({ SMH_BASE_URL: 'http://127.0.0.1:1', SHUTDOWN_DELAY_MS: '0' }).shutdownDelayMs).toBe(
      0,
    );
    expect(() => loadConfig({ SHUTDOWN_DELAY_MS: 'soon' })).toThrow(
      /^SHUTDOWN_DELAY_MS: expected an integer/,
    );
  });

  it('gives background jobs turns of 5 s unless JOB_TURN_MS says otherwise (0: off, else at least 100 ms)', () => {
    expect(loadConfig({}).jobs.turnMs).toBe(5_000);
    expect(loadConfig({ JOB_TURN_MS: '0' }).jobs.turnMs).toBe(0);
    expect(loadConfig({ JOB_TURN_MS: '250' }).jobs.turnMs).toBe(250);
    expect(() => loadConfig({ JOB_TURN_MS: '50' })).toThrow(
      /^JOB_TURN_MS: expected 0 \(off\) or an integer from 100 to 3600000/,
    );
    expect(() => loadConfig({ JOB_TURN_MS: 'often' })).toThrow(/^JOB_TURN_MS: expected an integer/);
  });

  it('reads CORS_ORIGINS as exact origins, normalized as browsers send them', () => {
    expect(loadConfig({}).corsOrigins).toBeUndefined();
    const config = loadConfig({
      CORS_ORIGINS:
        ' https://App.Example.com:443 ,http://localhost:5173,, http://[::1]:8080,https://app.example.com',
    });
    expect(config.corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
      'http://[::1]:8080',
    ]);
  });

  it('names every entry of CORS_ORIGINS that is not an origin, with the other bad variables', () => {
    const bad = [
      '*',
      'https://*.example.com',
      'https://app.example.com/',
      'https://app.example.com/app',
      'app.example.com',
      'ftp://files.example.com',
      'https://user:pw@app.example.com',
      'https://app.example.com?x=1',
      'null',
    ];
    let thrown: unknown;
    try {
      loadConfig({ PORT: 'abc', CORS_ORIGINS: ['https://ok.example.com', ...bad].join(',') });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems.map((p) => p.variable)).toEqual(['PORT', 'CORS_ORIGINS']);
    expect(problems[1]?.got).toBe(
      bad.map((entry) => (entry.includes('@') ? '(an entry with credentials)' : entry)).join(', '),
    );
    expect(problems[1]?.expected).toMatch(/exact origins such as https:\/\/app\.example\.com.*no \*/);
  });

  it('reads ALLOWED_HOSTS as lower-case host names, naming entries that are not one', () => {
    expect(loadConfig({}).allowedHosts).toEqual([]);
    expect(
      loadConfig({ ALLOWED_HOSTS: ' Gateway.Internal ,copy.example.com,,gateway.internal' }).allowedHosts,
    ).toEqual(['gateway.internal', 'copy.example.com']);
    let thrown: unknown;
    try {
      loadConfig({ ALLOWED_HOSTS: 'ok.example.com,https://x.example.com,x.example.com:4000,*.example.com' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems.map((p) => p.variable)).toEqual(['ALLOWED_HOSTS']);
    expect(problems[0]?.got).toBe('https://x.example.com, x.example.com:4000, *.example.com');
  });

  it('reads each provider through its module, by provider id', () => {
    const config = loadConfig({
      SMH_BASE_URL: 'http://127.0.0.1:9100',
      SMH_CHUNK_SIZE: '10',
      DINGTALK_APP_KEY: 'k',
      DINGTALK_APP_SECRET: 's',
      GATEWAY_API_KEYS: 'web:aaaaaaaaaaaaaaaa1',
      TASK_ID_SECRET: 'config-test-task-id-secret-0123456789',
    });
    expect(config.providers.SMH).toMatchObject({ managed: false, chunkSize: 10, libraries: [] });
    // App credentials without a base URL: DingTalk's public API origin.
    expect(config.providers.DINGTALK).toMatchObject({ managed: true, baseUrl: 'https://api.dingtalk.com' });
    expect(config.managed).toBe(true);
    expect(() =>
      loadConfig({ SMH_LIBRARY_ID: 'lib', SMH_LIBRARY_SECRET: 's', DINGTALK_BASE_URL: 'http://127.0.0.1:1' }),
    ).toThrow(/^SMH_BASE_URL: expected the media library's API origin when SMH credentials are configured/);
  });
});

describe('decideAccess', () => {
  const none = { managed: false };
  const passThrough = { baseUrl: 'http://127.0.0.1:1', managed: false };
  const managed = { baseUrl: 'http://127.0.0.1:1', managed: true };
  const base = { production: false, demoRequested: false, apiKeys: 0, allowAnonymous: false };

  it('runs the demo with nothing configured, in production only on request', () => {
    expect(decideAccess({ ...base, providers: [none, none] })).toEqual({
      demo: true,
      managed: false,
      allowAnonymous: true,
    });
    expect(decideAccess({ ...base, production: true, providers: [none] }).refusal).toBe('no-upstream');
    expect(decideAccess({ ...base, production: true, demoRequested: true, providers: [none] }).refusal).toBe(
      undefined,
    );
    expect(decideAccess({ ...base, providers: [passThrough, none] }).demo).toBe(false);
  });

  it('refuses managed credentials open to anyone, unless asked to or in the demo', () => {
    expect(decideAccess({ ...base, providers: [managed] })).toEqual({
      demo: false,
      managed: true,
      allowAnonymous: false,
      refusal: 'no-api-keys',
    });
    expect(decideAccess({ ...base, apiKeys: 1, providers: [managed] }).refusal).toBe(undefined);
    expect(decideAccess({ ...base, allowAnonymous: true, providers: [managed] }).refusal).toBe(undefined);
    // Demo mode asks again with its emulators' settings: managed, and open on loopback.
    expect(decideAccess({ ...base, demo: true, demoRequested: true, providers: [managed, managed] })).toEqual(
      {
        demo: true,
        managed: true,
        allowAnonymous: true,
      },
    );
  });
});
