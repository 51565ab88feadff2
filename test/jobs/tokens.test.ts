/**
 * Where a job keeps its caller's upstream tokens on Redis: sealed (AES-256-GCM under TASK_ID_SECRET) so
 * that any instance can run the job.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { newJobTaskId } from '../../src/jobs/job-id.js';
import type { JobSpec } from '../../src/jobs/model.js';
import { RedisJobStore } from '../../src/jobs/redis-store.js';
import { TokenCipher } from '../../src/jobs/token-cipher.js';
import { REDIS_URL } from './rig.js';

const SECRET = 'a-task-id-secret-of-32-characters-or-more';
const prefix = `test-job-tokens-${randomUUID()}:`;
const stores: RedisJobStore[] = [];
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  redis.disconnect();
});

function store(cipher: TokenCipher): RedisJobStore {
  const created = new RedisJobStore(REDIS_URL, { prefix, tokenCipher: cipher });
  stores.push(created);
  return created;
}

function spec(): JobSpec {
  const now = Date.now();
  return {
    id: newJobTaskId(),
    provider: 'P',
    request: {},
    itemCount: 1,
    chunkSize: 1,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
  };
}

describe('job tokens on Redis', () => {
  it('sealed with the secret: every instance with it reads them, Redis holds no token, finish deletes them', async () => {
    const a = store(new TokenCipher(SECRET));
    const b = store(new TokenCipher(SECRET));
    const job = spec();
    await a.create(job, { P: 'caller-token-123456' });
    const raw = await redis.get(`${prefix}{${job.id}}:tokens`);
    expect(raw).not.toBeNull();
    expect(raw).not.toContain('caller-token');
    expect(await b.tokens(job.id)).toEqual({ P: 'caller-token-123456' });
    // Another secret opens nothing.
    expect(await store(new TokenCipher(`${SECRET}-other`)).tokens(job.id)).toEqual({});
    await b.finish(job.id);
    expect(await a.tokens(job.id)).toEqual({});
  });

  it('a sealed value does not open for another job', () => {
    const cipher = new TokenCipher(SECRET);
    const sealed = cipher.seal('job-1', 'text');
    expect(cipher.open('job-1', sealed)).toBe('text');
    expect(cipher.open('job-2', sealed)).toBeUndefined();
    expect(cipher.open('job-1', `${sealed.slice(0, -2)}AA`)).toBeUndefined();
  });
});
