import type { Config } from '../config.js';
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
 * every instance on that Redis works from (a job outlives the instance that accepted it); without,
 * records in this process's memory and an in-process runner (jobs end with the process).
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
  if (config.redisUrl && !config.taskIdSecret) {
    log.info(
      'TASK_ID_SECRET is not set: the upstream tokens callers send with a background job stay in the memory of the instance that accepted it; a job resumed elsewhere after that instance stops cannot send its remaining chunks (they fail UNAUTHENTICATED, retryable)',
    );
  }
  const store: JobStore = config.redisUrl
    ? new RedisJobStore(config.redisUrl, {
        prefix: `${settings.keyPrefix}job:`,
        tokenCipher: config.taskIdSecret ? new TokenCipher(config.taskIdSecret) : undefined,
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
  });
}
