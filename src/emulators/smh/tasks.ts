import type { Clock } from '../kit/clock.js';
import type { SmhItemResult } from './copy.js';

/** How long a finished task stays queryable: 30 days. */
export const TASK_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** What a finished task reports: its status and per-item results. */
export interface TaskOutcome {
  status: number;
  result: SmhItemResult[];
}

/** One element of the task query answer: no `result` while running (202) or after a whole-task failure. */
export interface TaskView {
  taskId: number;
  status: number;
  result?: SmhItemResult[];
}

interface Task {
  id: number;
  libraryId: string;
  spaceId: string;
  dueAt: number;
  run: () => TaskOutcome;
  done?: { status: number; result?: SmhItemResult[]; finishedAt: number };
}

/**
 * Background tasks whose work runs when the clock passes their due time: the first settle() that sees
 * them due executes them, in due order, so a ManualClock test controls exactly when the tree changes.
 * A settle costs time in the number of pending tasks plus the tasks it runs or drops, not in the
 * number of tasks ever created.
 */
export class TaskStore {
  readonly #tasks = new Map<number, Task>();
  readonly #pending = new Map<number, Task>();
  /** Finished tasks in order of `finishedAt`, so expiry looks only at the oldest. */
  readonly #finished: Task[] = [];
  #finishedHead = 0;
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
    const task: Task = { id, libraryId, spaceId, dueAt: this.#clock.now() + durationMs, run };
    this.#tasks.set(id, task);
    this.#pending.set(id, task);
    return id;
  }

  /** Runs every due task and drops finished tasks past retention; returns how many tasks ran. */
  settle(): number {
    const now = this.#clock.now();
    const due: Task[] = [];
    for (const task of this.#pending.values()) if (task.dueAt <= now) due.push(task);
    due.sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    for (const task of due) {
      this.#pending.delete(task.id);
      try {
        const outcome = task.run();
        task.done = { status: outcome.status, result: outcome.result, finishedAt: task.dueAt };
      } catch {
        task.done = { status: 500, finishedAt: task.dueAt };
      }
      this.#insertFinished(task);
    }
    this.#expire(now);
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
    return this.#pending.size;
  }

  get size(): number {
    return this.#tasks.size;
  }

  #insertFinished(task: Task): void {
    // Tasks usually finish in order; walk back from the end for the rare one that does not.
    const finishedAt = task.done?.finishedAt ?? 0;
    let at = this.#finished.length;
    while (at > this.#finishedHead && (this.#finished[at - 1]?.done?.finishedAt ?? 0) > finishedAt) at -= 1;
    this.#finished.splice(at, 0, task);
  }

  #expire(now: number): void {
    for (;;) {
      const oldest = this.#finished[this.#finishedHead];
      if (!oldest?.done || now - oldest.done.finishedAt < this.#retentionMs) break;
      this.#tasks.delete(oldest.id);
      this.#finishedHead += 1;
    }
    // Compact once the dropped prefix is large, so the array does not grow without bound.
    if (this.#finishedHead > 1024 && this.#finishedHead * 2 > this.#finished.length) {
      this.#finished.splice(0, this.#finishedHead);
      this.#finishedHead = 0;
    }
  }
}
