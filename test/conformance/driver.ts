/**
 * What the conformance suite needs to know of one provider: how to start its upstream, how to ask for a
 * copy of seeded sources, how to inject a fault, and how to read the recorded upstream calls. The
 * behaviours (behaviours.ts) are written once against this interface.
 */
import type { RecordedExchange } from '../helpers/recording-proxy.js';
import type { RigProvider, RigUpstream } from '../helpers/rig.js';
import type { BatchCopyInput, ConflictStrategy } from './gql/graphql.js';

/** The behaviours, by stable id. */
export type BehaviourId =
  'C01' | 'C02' | 'C03' | 'C04' | 'C05' | 'C06' | 'C07' | 'C08' | 'C09' | 'C10' | 'C11';

/** A batch copy request and what each item copies, in request order. */
export interface Batch {
  input: BatchCopyInput;
  /** The `source` each answer item must carry, in request order. */
  sources: string[];
}

/** Which kind of upstream call a recorded exchange is. */
export type CallKind = 'copy' | 'task' | 'token';

/** Faults a driver injects on the provider's copy call. */
export type CopyFault =
  /** The upstream's throttle answer, once, before the work. */
  | 'throttle-once'
  /** A 5xx after the work ran, on every copy call. */
  | '5xx-after-work'
  /** The connection dropped after the work ran, on every copy call. */
  | 'reset-after-work';

export interface ConformanceDriver<Upstream extends RigUpstream = RigUpstream> extends RigProvider<Upstream> {
  /**
   * Behaviours this provider cannot show, each with the reason; the suite lists them as skipped under
   * that reason. Every behaviour not named here must pass.
   */
  readonly unsupported: Partial<Record<BehaviourId, string>>;
  /** Gateway environment that makes a batch of {@link chunkedBatchSize} items take several upstream calls. */
  readonly chunkEnv: Record<string, string>;
  readonly chunkedBatchSize: number;
  /** Task ids one upstream task query can carry. */
  readonly taskIdsPerQuery: number;
  /**
   * A copy of `count` seeded sources to fresh targets; `async`: the upstream runs it as a task (the
   * batch answer is CopyAccepted).
   */
  batch(upstream: Upstream, count: number, options?: { async?: boolean }): Batch;
  /** One copy onto a name that already exists at the target, with `strategy`. */
  conflicting(upstream: Upstream, strategy: ConflictStrategy): Batch;
  /** Per strategy: the item status it gives, or UNSUPPORTED (a GraphQL error, nothing sent upstream). */
  readonly strategies: Record<ConflictStrategy, 'SUCCEEDED' | 'FAILED' | 'UNSUPPORTED'>;
  /** The answer tells a renamed copy (`renamed: true`) from one under the asked-for name. */
  readonly reportsRename: boolean;
  /** Lets running upstream tasks finish (moves the emulator's clock). */
  finishTasks(upstream: Upstream): void;
  /** Injects a fault on the upstream's copy call. */
  fault(upstream: Upstream, fault: CopyFault): void;
  /** Makes the upstream reject the token the gateway uses now, once (managed mode). */
  rejectToken(upstream: Upstream, exchanges: readonly RecordedExchange[]): void;
  /** The kind of a recorded upstream call. */
  kind(exchange: RecordedExchange): CallKind | undefined;
  /** Tokens and secrets visible in a recorded exchange (they must appear nowhere in answers or logs). */
  secretsIn(exchange: RecordedExchange): string[];
}

/** The recorded calls of one kind. */
export function calls(
  driver: ConformanceDriver,
  exchanges: readonly RecordedExchange[],
  kind: CallKind,
): RecordedExchange[] {
  return exchanges.filter((e) => driver.kind(e) === kind);
}
