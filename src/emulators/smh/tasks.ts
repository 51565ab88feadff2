import type { Clock } from '../shared/clock.js';
import type { CopyItemResult } from './copy.js';

export const TASK_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface TaskOutcome {
  status: number;
  result: CopyItemResult[];
}

/** One element of the task query answer: no `result` while running (202) or after a whole-task failure. */
export interface TaskView {
  taskId: number;
  status: number;
  result?: CopyItemResult[];
}

interface Task {
  id: number;
  libraryId: string;
  spaceId: string;
  dueAt: number;
  run: () => TaskOutcome;
  done?: { status: number; result?: CopyItemResult[]; finishedAt: number };
}

/**
 * Background tasks whose work runs when the clock passes their due time: the first settle() that sees
 * them due executes them, in due order, so a ManualClock test controls exactly when the tree changes.
 */
export class TaskStore {
  readonly #tasks = new Map<number, Task>();
  readonly #clock: Clock;
  readonly #retentionMs: number;
  #nextId: number;

  constructor(clock: Clock, opts: { firstId?: number; retentionMs?: number } = {}) {
    this.#clock = clock;
    this.#nextId = opts.firstId ?? 1;
    this.#retentionMs = opts.retentionMs ?? TASK_RETENTION_MS;
  }

  create(libraryId: string, spaceId: string, durationMs: number, run: () => TaskOutcome): number {
    const id = this.#nextId;
    this.#nextId += 1;
    this.#tasks.set(id, { id, libraryId, spaceId, dueAt: this.#clock.now() + durationMs, run });
    return id;
  }

  /** Runs every due task and drops finished tasks past retention; returns how many tasks ran. */
  settle(): number {
    const now = this.#clock.now();
    const due = [...this.#tasks.values()]
      .filter((t) => !t.done && t.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    for (const task of due) {
      try {
        const outcome = task.run();
        task.done = { status: outcome.status, result: outcome.result, finishedAt: task.dueAt };
      } catch {
        task.done = { status: 500, finishedAt: task.dueAt };
      }
    }
    for (const task of this.#tasks.values()) {
      if (task.done && now - task.done.finishedAt >= this.#retentionMs) this.#tasks.delete(task.id);
    }
    return due.length;
  }

  /** Known tasks of this library and space, in the order asked, each once; unknown ids are left out. */
  query(libraryId: string, spaceId: string, ids: readonly number[]): TaskView[] {
    this.settle();
    const views: TaskView[] = [];
    for (const id of new Set(ids)) {
      const task = this.#tasks.get(id);
      if (!task || task.libraryId !== libraryId || task.spaceId !== spaceId) continue;
      if (!task.done) views.push({ taskId: id, status: 202 });
      else if (task.done.result)
        views.push({ taskId: id, status: task.done.status, result: task.done.result });
      else views.push({ taskId: id, status: task.done.status });
    }
    return views;
  }

  get pendingCount(): number {
    return [...this.#tasks.values()].filter((t) => !t.done).length;
  }

  get size(): number {
    return this.#tasks.size;
  }
}
