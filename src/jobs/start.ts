import { ConfigError, type Config } from '../config.js';
import type { Logger } from '../copy/ports.js';
import type { Provider } from '../copy/types.js';
import { BullMqJobRunner } from './bullmq-runner.js';
import { JobExecutor, type FollowUnknown, type JobMetrics, type JobProvider } from './executor.js';
import { CopyJobs } from './jobs.js';
import { RedisJobStore } from './redis-store.js';
import { InProcessJobRunner, type JobRunner } from './runner.js';
import { MemoryJobStore, type JobStore } from './store.js';
import { TokenCipher } from './token-cipher.js';

/**
 * The job system of one gateway instance: with REDIS_URL, records in Redis and a BullMQ queue that
 * every instance on that Redis works from (a job outlives the instance that accepted it, and may run on
 * another from the start, so callers' upstream tokens go to Redis sealed with TASK_ID_SECRET); without,
 * records in this process's memory and an in-process runner (jobs end with the process).
 * @throws ConfigError when REDIS_URL is set without TASK_ID_SECRET (loadConfig refuses that already).
 */
export function startJobs(
  config: Config,
  logger: Logger,
  providers: (provider: Provider) => JobProvider | undefined,
  metrics?: JobMetrics,
  followUnknown?: FollowUnknown,
): CopyJobs {
  const log = logger.child({ component: 'jobs' });
  const settings = config.jobs;
  const store: JobStore = config.redisUrl
    ? new RedisJobStore(config.redisUrl, {
        prefix: `${settings.keyPrefix}job:`,
        tokenCipher: jobTokenCipher(config),
      })
    : new MemoryJobStore();
  const executor = new JobExecutor(store, providers, {
    chunkConcurrency: settings.chunkConcurrency,
    followPollMs: config.subscriptions.pollMs,
    chunkTimeoutMs: config.operationTimeoutMs,
    log,
    metrics,
    followUnknown,
  });
  const run = (id: string, stop: AbortSignal, turn: AbortSignal) => executor.run(id, stop, turn);
  const runner: JobRunner = config.redisUrl
    ? new BullMqJobRunner(run, {
        redisUrl: config.redisUrl,
        queueName: 'copy',
        prefix: `${settings.keyPrefix}bull`,
        concurrency: settings.concurrency,
        turnMs: settings.turnMs,
        lockMs: settings.lockMs,
        log,
      })
    : new InProcessJobRunner(run, { concurrency: settings.concurrency, turnMs: settings.turnMs, log });
  return new CopyJobs(store, runner, providers, {
    retentionSeconds: settings.retentionSeconds,
    watchPollMs: config.subscriptions.pollMs,
    cancelWaitMs: settings.cancelWaitMs,
  });
}

/**
 * What seals the upstream tokens callers send with a job before they go to Redis: a job may run on any
 * instance on that Redis as soon as it is accepted, so the tokens cannot stay in the accepting one.
 */
function jobTokenCipher(config: Config): TokenCipher {
  if (!config.taskIdSecret) {
    throw new ConfigError([{ variable: 'TASK_ID_SECRET', expected: 'a secret when REDIS_URL is set' }]);
  }
  return new TokenCipher(config.taskIdSecret);
}
