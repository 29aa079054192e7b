/**
 * Bringing the motif server's task list in line with what one motif-schedule node declares:
 * list, create the missing tasks, delete this node's tasks that are no longer declared. Only names
 * with this node's prefix are ever deleted; `schedule/clear` (which deletes everyone's tasks) is
 * never used. No Node-RED imports.
 */
import type { MotifClient } from '../../backends/motif/client';
import { ApiError } from '../../common/errors';
import { isPlainObject } from '../../common/input';
import { CronSchedule } from '../../schedule';
import type { PlannedTask } from './tasks';

export interface ServerTask {
  task_name: string;
  cron_expression: string;
  camera_relative: boolean;
}

export interface ServerSchedule {
  /** The motif machine's clock, Unix seconds. */
  now: number;
  tasks: ServerTask[];
}

export interface TaskView {
  name: string;
  taskName: string;
  expression: string;
  relative: boolean;
  /** Next firings computed with our engine from the server's `now` (none for relative tasks). */
  next: string[];
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

/** `GET schedule`: `now` and the task list (under `tasks`, or the first list in the answer). */
export async function readSchedule(client: MotifClient, signal?: AbortSignal): Promise<ServerSchedule> {
  const answer = await client.call('schedule', {}, undefined, { signal });
  if (!isPlainObject(answer) || typeof answer.now !== 'number')
    throw new ApiError(200, 'unexpected answer', 'motif answered "schedule" without its current time (now)');
  const list = Array.isArray(answer.tasks)
    ? answer.tasks
    : Object.values(answer).find((v) => Array.isArray(v));
  const tasks = (Array.isArray(list) ? list : [])
    .filter((t): t is Record<string, unknown> => isPlainObject(t) && typeof t.task_name === 'string')
    .map((t) => ({
      task_name: t.task_name as string,
      cron_expression: typeof t.cron_expression === 'string' ? t.cron_expression : '',
      camera_relative: t.camera_relative === true,
    }));
  return { now: answer.now, tasks };
}

export function viewOf(task: PlannedTask, nowMs: number, timeZone: string | undefined, count = 5): TaskView {
  const d = task.declaration;
  const next = d.relative
    ? []
    : new CronSchedule(d.expression, timeZone ? { timeZone } : {})
        .nextN(nowMs, count)
        .map((t) => new Date(t).toISOString());
  return { name: d.name, taskName: task.taskName, expression: d.expression, relative: d.relative, next };
}

export async function createTask(
  client: MotifClient,
  task: PlannedTask,
  signal?: AbortSignal,
): Promise<void> {
  await client.call(task.endpoint, task.params, task.body, { signal });
}

export async function deleteTask(client: MotifClient, taskName: string, signal?: AbortSignal): Promise<void> {
  await client.call('schedule/<task_name>/clear', { task_name: taskName }, undefined, { signal });
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
  const server = await readSchedule(client, signal);
  const present = new Set(server.tasks.map((t) => t.task_name));
  const wanted = new Set(desired.map((t) => t.taskName));
  const created: string[] = [];
  const kept: string[] = [];
  for (const task of desired) {
    if (present.has(task.taskName)) kept.push(task.taskName);
    else {
      await createTask(client, task, signal);
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
