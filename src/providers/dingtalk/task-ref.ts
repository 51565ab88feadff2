import { decodeTaskIdEntries, isTaskIdIndex, isTaskIdString, type TaskRefCodec } from '../../copy/task-id.js';
import type { DingTalkTaskRef } from './types.js';

/**
 * DingTalk's part of a task id: `{ u: unionId, t: [[taskId, index, source, result?], …] }` under tag
 * `d`. Ids already handed out carry exactly this; never rename a field.
 */
export const dingTalkTaskRefs: TaskRefCodec<DingTalkTaskRef> = {
  tag: 'd',
  encode: (ref) => ({
    u: ref.unionId,
    t: ref.parts.map((p) =>
      p.result === undefined ? [p.taskId, p.index, p.source] : [p.taskId, p.index, p.source, p.result],
    ),
  }),
  decode: ({ u, t }) => {
    if (!isTaskIdString(u)) return undefined;
    const parts = decodeTaskIdEntries(t, ([taskId, index, source, result]) =>
      isTaskIdString(taskId) &&
      isTaskIdIndex(index) &&
      isTaskIdString(source) &&
      (result === undefined || isTaskIdString(result))
        ? { taskId, index, source, result }
        : undefined,
    );
    return parts && { provider: 'DINGTALK', unionId: u, parts };
  },
};
