/**
 * Server-side motif tasks (the task endpoints of the motif API): reading the task list with the motif machine's
 * clock, creating a task of one of five kinds, deleting one task by name. `schedule/clear`, which
 * deletes every user's tasks, is deliberately not offered here.
 *
 * Validation happens before any traffic: the arguments of record/copy/export tasks are checked
 * against the endpoint table (name and type: `duration` a positive number, `codec` a string, …),
 * the value of output and parameter tasks against what motif accepts, the task name against the path
 * rule (it is also the DELETE path segment).
 */
import { ApiError, InputError } from '../../common/errors';
import type { MotifClient } from './client';
import { findEndpoint, pathSegment, type MotifArgSpec } from './endpoints';

export const TASK_KINDS = ['record', 'copy', 'export', 'io', 'configure'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export type TaskArgs = Record<string, unknown>;

/** One task to create. `value` is the io/configure value as motif gets it (see parseTaskValue). */
export interface MotifTaskSpec {
  readonly taskName: string;
  readonly kind: TaskKind;
  /** Camera serial; '' = all cameras (or the master IO device). */
  readonly camera: string;
  readonly expression: string;
  /** motif `camera_relative`: only io and configure tasks. */
  readonly relative: boolean;
  /** Output name (io) or camera parameter (configure). */
  readonly target: string;
  readonly value?: unknown;
  /** Extra arguments of record/copy/export. */
  readonly args: TaskArgs;
}

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

export interface TaskRequest {
  endpoint: string;
  params: Record<string, string>;
  body: Record<string, unknown>;
}

const ENDPOINTS: Record<TaskKind, [all: string, one: string]> = {
  record: ['schedule/recording/start', 'schedule/camera/<serial>/recording/start'],
  copy: ['schedule/recordings/copy_all', 'schedule/camera/<serial>/recordings/copy_all'],
  export: ['schedule/recordings/export_all', 'schedule/camera/<serial>/recordings/export_all'],
  io: ['schedule/io/<name>/set', 'schedule/camera/<serial>/io/<name>/set'],
  configure: ['schedule/cameras/configure/<name>', 'schedule/camera/<serial>/configure/<name>'],
};

/** Set by the task itself, never from the extra arguments. */
const RESERVED = new Set(['task_name', 'cron_expression', 'camera_relative', 'value']);

export function isTaskKind(value: unknown): value is TaskKind {
  return typeof value === 'string' && (TASK_KINDS as readonly string[]).includes(value);
}

/** Kinds motif lets run relative to the recording start (camera_relative). */
export function allowsRelative(kind: TaskKind): boolean {
  return kind === 'io' || kind === 'configure';
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : `a ${typeof value}`;
}

function checkArg(spec: MotifArgSpec, value: unknown, where: string): void {
  const bad = (expected: string): never => {
    throw new InputError(`${where}: argument "${spec.name}" must be ${expected}, got ${describeType(value)}`);
  };
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) bad('a finite number');
      if (spec.name === 'duration' && (value as number) <= 0) bad('a number of seconds above 0');
      return;
    case 'string':
      if (typeof value !== 'string') bad('a string');
      if ((value as string).length > 4096) bad('a string of at most 4096 characters');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') bad('true or false');
      return;
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('an object');
      return;
    case 'any':
      return;
  }
}

/**
 * The extra arguments of a record/copy/export task, checked by name and type against the endpoint
 * table. io and configure tasks take none (their value is the value field).
 */
export function checkTaskArgs(kind: TaskKind, args: TaskArgs, where: string): void {
  const names = Object.keys(args);
  if (allowsRelative(kind)) {
    if (names.length > 0)
      throw new InputError(`${where}: ${kind} tasks take no extra arguments (got "${names[0]}")`);
    return;
  }
  const specs = findEndpoint(ENDPOINTS[kind][0])?.args ?? [];
  for (const name of names) {
    if (RESERVED.has(name))
      throw new InputError(`${where}: "${name}" is set by the task, not as an argument`);
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const known = specs.filter((s) => !RESERVED.has(s.name)).map((s) => s.name);
      throw new InputError(
        `${where}: unknown argument "${name}" for a ${kind} task (one of ${known.join(', ')})`,
      );
    }
    checkArg(spec, args[name], where);
  }
}

/**
 * The value of an io or configure task from its text: a number, `+inf` / `-inf` (toggle, io and
 * configure alike), or for configure also `true`/`false` or a parameter string.
 */
export function parseTaskValue(kind: TaskKind, value: unknown, where: string): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new InputError(`${where}: the value must be a number, not NaN`);
    return value;
  }
  if (kind === 'configure' && typeof value === 'boolean') return value;
  if (typeof value !== 'string')
    throw new InputError(`${where}: the value must be a number or text, got ${describeType(value)}`);
  const v = value.trim();
  if (/^\+?(inf|infinity)$/i.test(v)) return Infinity;
  if (/^-(inf|infinity)$/i.test(v)) return -Infinity;
  if (v !== '' && Number.isFinite(Number(v))) return Number(v);
  if (kind === 'configure' && v !== '' && v.length <= 200) {
    if (v === 'true' || v === 'false') return v === 'true';
    return v;
  }
  throw new InputError(
    kind === 'io'
      ? `${where}: the value must be a number, +inf or -inf (toggle), got "${v.slice(0, 40)}"`
      : `${where}: the value must be a number, true/false or a text of at most 200 characters`,
  );
}

/** The creation call of a task, checked: endpoint, path parameters and body. */
export function taskRequest(spec: MotifTaskSpec, where = `task "${spec.taskName}"`): TaskRequest {
  pathSegment('task_name', spec.taskName);
  if (spec.relative && !allowsRelative(spec.kind))
    throw new InputError(
      `${where}: motif allows "relative to recording start" only for output and configure tasks`,
    );
  checkTaskArgs(spec.kind, spec.args, where);
  const endpoint = ENDPOINTS[spec.kind][spec.camera ? 1 : 0];
  const params: Record<string, string> = {};
  if (spec.camera) params.serial = spec.camera;
  const body: Record<string, unknown> = {
    ...spec.args,
    task_name: spec.taskName,
    cron_expression: spec.expression,
  };
  if (allowsRelative(spec.kind)) {
    params.name = spec.target;
    body.camera_relative = spec.relative;
    body.value = parseTaskValue(spec.kind, spec.value, where);
  }
  // Path parameters are checked here too, so a bad serial or output name fails before any traffic.
  for (const [name, value] of Object.entries(params)) pathSegment(name, value);
  return { endpoint, params, body };
}

/** `GET schedule`: `now` and the task list (under `tasks`, or the first list in the answer). */
export async function readTasks(client: MotifClient, signal?: AbortSignal): Promise<ServerSchedule> {
  const answer = await client.call('schedule', {}, undefined, { signal });
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer))
    throw new ApiError(
      200,
      'unexpected answer',
      'motif answered "schedule" with something other than an object',
    );
  const record = answer as Record<string, unknown>;
  if (typeof record.now !== 'number' || !Number.isFinite(record.now))
    throw new ApiError(200, 'unexpected answer', 'motif answered "schedule" without its current time (now)');
  const list = Array.isArray(record.tasks)
    ? record.tasks
    : Object.values(record).find((v) => Array.isArray(v));
  const tasks = (Array.isArray(list) ? (list as unknown[]) : [])
    .filter(
      (t): t is Record<string, unknown> =>
        typeof t === 'object' && t !== null && typeof (t as Record<string, unknown>).task_name === 'string',
    )
    .map((t) => ({
      task_name: t.task_name as string,
      cron_expression: typeof t.cron_expression === 'string' ? t.cron_expression : '',
      camera_relative: t.camera_relative === true,
    }));
  return { now: record.now, tasks };
}

export async function createTask(
  client: MotifClient,
  spec: MotifTaskSpec,
  signal?: AbortSignal,
): Promise<void> {
  const request = taskRequest(spec);
  await client.call(request.endpoint, request.params, request.body, { signal });
}

export async function deleteTask(client: MotifClient, taskName: string, signal?: AbortSignal): Promise<void> {
  await client.call('schedule/<task_name>/clear', { task_name: taskName }, undefined, { signal });
}
