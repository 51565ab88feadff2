import {
  decodeTaskId as decodeWith,
  encodeTaskId as encodeWith,
  type TaskRef as AnyTaskRef,
} from '../../src/copy/task-id.js';
import type { DingTalkTaskRef } from '../../src/providers/dingtalk/types.js';
import { providers } from '../../src/providers/registry.js';
import type { SmhTaskRef } from '../../src/providers/smh/types.js';

/** A task reference of a provider in the registry. */
export type TaskRef = SmhTaskRef | DingTalkTaskRef;

const codecs = providers.map((p) => p.taskRefs);

/** The task id of `ref`, as its provider's adapter writes it. */
export function encodeTaskId(ref: TaskRef): string {
  const provider = providers.find((p) => p.id === ref.provider);
  if (!provider) throw new Error(`no provider ${ref.provider} in the registry`);
  return encodeWith(provider.taskRefs as never, ref as AnyTaskRef);
}

/** Decodes a task id with the codecs of the registry's providers, as the copy service does. */
export function decodeTaskId(id: string): TaskRef {
  return decodeWith(id, codecs) as TaskRef;
}
