import type { TargetMatching } from './lookups.js';
import type { TaskRef, TaskRefCodec } from './task-id.js';
import type { Provider } from './types.js';

/**
 * What the copy domain knows of a provider: who it is, where its input and credential come from, and
 * how its task ids read. The full provider module (settings, adapter factory, demo, SDL) extends this;
 * the copy service needs no more.
 */
export interface CopyProvider<Ref extends TaskRef = TaskRef> {
  /** The id, equal to the provider's value of the GraphQL `Provider` enum, e.g. `SMH`. */
  readonly id: Provider;
  /** The provider as people write it, for messages, e.g. `DingTalk`. */
  readonly displayName: string;
  /** The provider's field of `BatchCopyInput`: its id in lower case by convention. */
  readonly inputField: string;
  /**
   * The lower-case HTTP header (or WebSocket `connection_init` field) a caller sends its own upstream
   * token in (pass-through mode): the upstream's own header name when it has one.
   */
  readonly credentialHeader: string;
  /** Writes and reads the provider's part of task ids. */
  readonly taskRefs: TaskRefCodec<Ref>;
  /**
   * What a look at a target means for an item whose answer was lost (pure); the adapter's
   * `targetReads` do the looking. Absent: the provider's UNKNOWN items stay UNKNOWN.
   */
  readonly lookups?: TargetMatching;
}
