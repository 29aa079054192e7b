/**
 * Bringing the motif server's task list in line with what one motif-schedule node declares:
 * list, create the missing tasks, delete this node's tasks that are no longer declared. Only names
 * with this node's prefix are ever deleted; `schedule/clear` (which deletes everyone's tasks) is
 * never used. The calls themselves are the motif backend's (backends/motif/tasks.ts).
 */
import {
  createTask,
  deleteTask,
  readTasks,
  type MotifClient,
  type ServerSchedule,
} from '../../src/backends/motif';
import { CronSchedule, describe, offsetText, relativeOffsets } from '../../src/schedule';
import type { PlannedTask } from './tasks';

export interface TaskView {
  name: string;
  taskName: string;
  expression: string;
  relative: boolean;
  /** In words; relative tasks relative to the recording start. */
  description: string;
  /** Next firings computed with our engine from the server's `now` (none for relative tasks). */
  next: string[];
  /** Relative tasks: first firings after the recording start, "+0:00:17". */
  afterStart?: string[];
}

export interface ReconcileReport {
  now: string;
  created: string[];
  removed: string[];
  kept: string[];
  /** Tasks on the server that belong to others (never touched). */
  others: number;
  tasks: TaskView[];
}

/** What one task does and when, from its expression alone (the server's own task list or ours). */
export function viewOfExpression(
  name: string,
  taskName: string,
  expression: string,
  relative: boolean,
  nowMs: number,
  timeZone: string | undefined,
  count = 5,
): TaskView {
  const view: TaskView = { name, taskName, expression, relative, description: '', next: [] };
  try {
    view.description = describe(expression, { relative });
    if (relative) view.afterStart = relativeOffsets(expression, count).map(offsetText);
    else
      view.next = new CronSchedule(expression, timeZone ? { timeZone } : {})
        .nextN(nowMs, count)
        .map((t) => new Date(t).toISOString());
  } catch {
    // A task someone else created with an expression our engine does not take: shown as it is.
  }
  return view;
}

export function viewOf(task: PlannedTask, nowMs: number, timeZone: string | undefined, count = 5): TaskView {
  const d = task.declaration;
  return viewOfExpression(d.name, task.taskName, d.expression, d.relative, nowMs, timeZone, count);
}

/** The tasks of `desired` the server does not have. */
export function missingTasks(server: ServerSchedule, desired: PlannedTask[]): PlannedTask[] {
  const present = new Set(server.tasks.map((t) => t.task_name));
  return desired.filter((task) => !present.has(task.taskName));
}

/**
 * Creates what is missing first, then deletes this node's stale tasks (`managedPrefix`), so a
 * changed task never has a gap. Returns what was done, with next firings from the server's clock.
 */
export async function reconcile(
  client: MotifClient,
  desired: PlannedTask[],
  ownPrefix: string,
  managedPrefix: string,
  timeZone: string | undefined,
  signal?: AbortSignal,
): Promise<ReconcileReport> {
  const server = await readTasks(client, signal);
  const missing = new Set(missingTasks(server, desired));
  const wanted = new Set(desired.map((t) => t.taskName));
  const created: string[] = [];
  const kept: string[] = [];
  for (const task of desired) {
    if (!missing.has(task)) kept.push(task.taskName);
    else {
      await createTask(client, task.spec, signal);
      created.push(task.taskName);
    }
  }
  const removed: string[] = [];
  for (const t of server.tasks) {
    if (t.task_name.startsWith(managedPrefix) && !wanted.has(t.task_name)) {
      await deleteTask(client, t.task_name, signal);
      removed.push(t.task_name);
    }
  }
  const nowMs = server.now * 1000;
  return {
    now: new Date(nowMs).toISOString(),
    created,
    removed,
    kept,
    others: server.tasks.filter((t) => !t.task_name.startsWith(ownPrefix)).length,
    tasks: desired.map((task) => viewOf(task, nowMs, timeZone)),
  };
}
