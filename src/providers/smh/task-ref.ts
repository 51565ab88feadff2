import { decodeTaskIdEntries, isTaskIdIndex, isTaskIdString, type TaskRefCodec } from '../../copy/task-id.js';
import type { SmhTaskRef } from './types.js';

/**
 * SMH's part of a task id: `{ l: libraryId, s: spaceId, u?: userId, t: [[taskId, offset, count], …] }`
 * under tag `s`. Ids already handed out carry exactly this; never rename a field.
 */
export const smhTaskRefs: TaskRefCodec<SmhTaskRef> = {
  tag: 's',
  encode: (ref) => ({
    l: ref.libraryId,
    s: ref.spaceId,
    u: ref.userId,
    t: ref.parts.map((p) => [p.taskId, p.offset, p.count]),
  }),
  decode: ({ l, s, u, t }) => {
    // userId is a plain String in the API, so an empty one is legal and must survive the round trip.
    if (!isTaskIdString(l) || !isTaskIdString(s) || (u !== undefined && typeof u !== 'string'))
      return undefined;
    const parts = decodeTaskIdEntries(t, ([taskId, offset, count]) =>
      isTaskIdString(taskId) && isTaskIdIndex(offset) && isTaskIdIndex(count)
        ? { taskId, offset, count }
        : undefined,
    );
    return parts && { provider: 'SMH', libraryId: l, spaceId: s, userId: u, parts };
  },
};
