/**
 * Background copy tasks driven by the emulator Clock. Nothing runs on timers: whenever someone looks
 * (`advance`), each task catches up to the current time by copying the share of its entries that
 * should be done by now. That keeps ManualClock tests exact and the tree consistent with the counts.
 * Catching up looks only at tasks that have not ended, so its cost follows the running tasks, not
 * every task ever started.
 */
import type { Clock } from '../kit/clock.js';
import { copySubItem, newCopyProgress, type AsyncCopyPlan, type CopyProgress } from './copy.js';
import type { DentryStore } from './store.js';

/** DingTalk task states. */
export type TaskStatus = 'INIT' | 'IN_PROGRESS' | 'SUCCESS' | 'FAIL';

/** The `task` object of `GET /v1.0/storage/tasks/{taskId}`. */
export interface TaskView {
  id: string;
  status: TaskStatus;
  totalCount: number;
  successCount: number;
  failCount: number;
  failMessage?: string;
  beginTime: string;
  endTime?: string;
}

interface TaskRecord {
  id: string;
  plan: AsyncCopyPlan;
  progress: CopyProgress;
  beganAt: number;
  applied: number;
  successCount: number;
  failCount: number;
  firstError?: string;
}

/** ISO 8601 UTC with seconds and no fraction (`2022-01-01T10:00:00Z`), like the SDK's examples. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The async copy tasks, caught up with the clock whenever someone looks. */
export class TaskManager {
  readonly #tasks = new Map<string, TaskRecord>();
  /** Tasks that have not ended yet. */
  readonly #live = new Map<string, TaskRecord>();
  #next = 1;

  constructor(
    private readonly store: DentryStore,
    private readonly clock: Clock,
    /** Time from creation to the end of a task. The first tenth of it is spent in INIT. */
    private readonly durationMs: number,
  ) {}

  start(plan: AsyncCopyPlan): string {
    const id = `task-${this.#next}`;
    this.#next += 1;
    const task: TaskRecord = {
      id,
      plan,
      progress: newCopyProgress(plan),
      beganAt: this.clock.now(),
      applied: 0,
      successCount: 0,
      failCount: 0,
    };
    this.#tasks.set(id, task);
    this.#live.set(id, task);
    this.advance();
    return id;
  }

  /** Brings every task up to the current time. */
  advance(): void {
    const now = this.clock.now();
    for (const task of this.#live.values()) {
      if (now - task.beganAt >= this.durationMs) this.#live.delete(task.id);
      const due = this.#dueCount(task, now);
      while (task.applied < due) {
        const sub = task.plan.subItems[task.applied];
        task.applied += 1;
        if (!sub) break;
        const error = copySubItem(this.store, task.plan, task.progress, sub, now);
        if (error === undefined) {
          task.successCount += 1;
        } else {
          task.failCount += 1;
          task.firstError ??= error;
        }
      }
    }
  }

  get(id: string): TaskView | undefined {
    this.advance();
    const task = this.#tasks.get(id);
    if (!task) return undefined;
    const now = this.clock.now();
    const ended = now - task.beganAt >= this.durationMs;
    const view: TaskView = {
      id: task.id,
      status: ended
        ? task.failCount > 0
          ? 'FAIL'
          : 'SUCCESS'
        : now - task.beganAt < this.#initMs()
          ? 'INIT'
          : 'IN_PROGRESS',
      totalCount: task.plan.subItems.length,
      successCount: task.successCount,
      failCount: task.failCount,
      beginTime: isoSeconds(task.beganAt),
    };
    if (ended) {
      // The docs do not say when a task is FAIL; the emulator's reading: as soon as any entry failed, with
      // the first error code as the message.
      if (task.firstError !== undefined) view.failMessage = task.firstError;
      view.endTime = isoSeconds(task.beganAt + this.durationMs);
    }
    return view;
  }

  /** Tasks that have not ended yet, for concurrency control. */
  running(): AsyncCopyPlan[] {
    const now = this.clock.now();
    return [...this.#live.values()].filter((t) => now - t.beganAt < this.durationMs).map((t) => t.plan);
  }

  list(): TaskView[] {
    return [...this.#tasks.keys()].flatMap((id) => this.get(id) ?? []);
  }

  #initMs(): number {
    return this.durationMs / 10;
  }

  #dueCount(task: TaskRecord, now: number): number {
    const total = task.plan.subItems.length;
    const elapsed = now - task.beganAt;
    if (elapsed >= this.durationMs) return total;
    const initMs = this.#initMs();
    if (elapsed < initMs) return 0;
    return Math.floor((total * (elapsed - initMs)) / (this.durationMs - initMs));
  }
}
