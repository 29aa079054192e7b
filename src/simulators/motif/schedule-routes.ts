/** Handlers of the schedule/* routes: validate a task and put it into the task store. */
import { optionalBoolean, type Body } from './args';
import { badRequest, conflict, notFound } from './http-error';
import { nowSeconds, type MotifSimState } from './state';
import type { SimTask } from './tasks';

export interface ScheduleOptions {
  /** What creating a task whose name exists does: 409 (default) or replace it. */
  onDuplicate: 'reject' | 'replace';
  /** Key of the task list in GET schedule (default 'tasks'). */
  listKey: string;
  /** Accepted numbers of cron fields (default 5, 6 and 7). */
  fieldCounts: number[];
}

const TASK_NAME = /^[^\s/]+$/;
const SCHEDULE_KEYS = new Set(['task_name', 'cron_expression', 'camera_relative']);

export function listTasks(state: MotifSimState, options: ScheduleOptions): Record<string, unknown> {
  return { now: nowSeconds(state), [options.listKey]: state.tasks.list() };
}

/**
 * Creates a task for `operation` (the endpoint id without 'schedule/'). `relativeAllowed` is false
 * for recording/copy/export schedules, which reject camera_relative (vendor documentation).
 */
export function createTask(
  state: MotifSimState,
  options: ScheduleOptions,
  operation: string,
  params: Record<string, string>,
  body: Body,
  rules: { relativeAllowed: boolean; valueRequired: boolean },
): Record<string, unknown> {
  const name = body.task_name;
  if (typeof name !== 'string' || name === '') throw badRequest('task_name is required');
  if (!TASK_NAME.test(name)) throw badRequest('task_name must not contain "/" or whitespace');
  const cron = body.cron_expression;
  if (typeof cron !== 'string' || cron.trim() === '') throw badRequest('cron_expression is required');
  const fields = cron.trim().split(/\s+/).length;
  if (!options.fieldCounts.includes(fields))
    throw badRequest(`cron_expression must have ${options.fieldCounts.join(', ')} fields, not ${fields}`);
  const relative = optionalBoolean(body, 'camera_relative') ?? false;
  if (relative && !rules.relativeAllowed)
    throw badRequest('camera_relative is not supported for recording, copy and export schedules');
  if (rules.valueRequired && body.value === undefined) throw badRequest('value is required');
  if (state.tasks.has(name) && options.onDuplicate === 'reject')
    throw conflict(`task ${name} already exists`);
  const args = Object.fromEntries(Object.entries(body).filter(([key]) => !SCHEDULE_KEYS.has(key)));
  const task: SimTask = {
    task_name: name,
    cron_expression: cron,
    camera_relative: relative,
    operation,
    params,
    args,
    created: nowSeconds(state),
  };
  state.tasks.put(task);
  return { ok: true, task_name: name };
}

export function deleteTask(state: MotifSimState, name: string): Record<string, unknown> {
  if (!state.tasks.remove(name)) throw notFound(`task ${name} not found`);
  return { ok: true, task_name: name };
}

export function clearTasks(state: MotifSimState): Record<string, unknown> {
  return { ok: true, cleared: state.tasks.clear() };
}
