import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
});
