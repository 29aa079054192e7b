/**
 * motif-schedule task declarations → motif schedule calls. Pure: validation with our cron engine
 * (so a bad expression never reaches the server and the error names the task and field), the
 * server-side name of each task, and the endpoint + body of its creation.
 *
 * Naming: every task this node creates starts with `nr_<node id>_`, so reconcile and clear touch
 * only this node's tasks. Editor tasks are `nr_<id>_e_<name>_<hash>`, where the hash covers the
 * whole declaration: a changed declaration is a new name (created, then the old one deleted), which
 * needs nothing from the server's task-list format beyond `task_name`. Tasks added by message are
 * `nr_<id>_m_<name>` and are left alone by reconcile.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../common/errors';
import {
  isPlainObject,
  optionalBoolean,
  optionalObject,
  optionalString,
  type JsonObject,
} from '../../common/input';
import { CronSchedule } from '../../schedule';

export const TASK_KINDS = ['record', 'copy', 'export', 'io', 'configure'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** What the editor (or an `add` message) declares. */
export interface TaskDeclaration {
  name: string;
  kind: TaskKind;
  /** Camera serial; '' = all cameras. */
  camera: string;
  expression: string;
  /** Relative to the recording start (motif camera_relative); only io and configure. */
  relative: boolean;
  /** Output name (io) or camera parameter (configure). */
  target: string;
  /** io / configure value: a number, "+inf" / "-inf" (toggle), or a parameter string. */
  value: string;
  /** Extra arguments of record/copy/export (duration, codec, location, delete_after, …). */
  args: JsonObject;
}

export interface PlannedTask {
  declaration: TaskDeclaration;
  taskName: string;
  endpoint: string;
  params: Record<string, string>;
  body: Record<string, unknown>;
}

const LOCAL_NAME = /^[A-Za-z0-9_-]{1,40}$/;

export function nodePrefix(nodeId: string): string {
  return `nr_${nodeId.replace(/[^A-Za-z0-9]/g, '')}_`;
}

function isKind(value: unknown): value is TaskKind {
  return typeof value === 'string' && (TASK_KINDS as readonly string[]).includes(value);
}

function parseValue(kind: TaskKind, text: string, where: string): unknown {
  const v = text.trim();
  if (/^\+?(inf|infinity)$/i.test(v)) return Infinity;
  if (/^-(inf|infinity)$/i.test(v)) return -Infinity;
  if (v !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (kind === 'configure' && v !== '') {
    if (v === 'true' || v === 'false') return v === 'true';
    return v;
  }
  throw new InputError(`${where}: value must be a number, +inf or -inf (toggle), got "${text}"`);
}

/** A declaration from the editor or from msg.payload, checked; errors name the task and field. */
export function readDeclaration(raw: unknown, where = 'task'): TaskDeclaration {
  if (!isPlainObject(raw)) throw new InputError(`${where} must be an object`);
  const name = optionalString(raw.name, `${where} name`)?.trim() ?? '';
  if (!LOCAL_NAME.test(name))
    throw new InputError(`${where}: the name must be 1–40 letters, digits, "_" or "-", got "${name}"`);
  const at = `task "${name}"`;
  const kind = raw.kind;
  if (!isKind(kind)) throw new InputError(`${at}: kind must be one of ${TASK_KINDS.join(', ')}`);
  const expression = optionalString(raw.expression, `${at} expression`)?.trim() ?? '';
  if (!expression) throw new InputError(`${at}: the cron expression is empty`);
  const relative = optionalBoolean(raw.relative, `${at} relative`) ?? false;
  if (relative && kind !== 'io' && kind !== 'configure')
    throw new InputError(
      `${at}: motif allows "relative to recording start" only for output and configure tasks`,
    );
  try {
    new CronSchedule(expression, relative ? { relativeTo: 0 } : { timeZone: 'UTC' });
  } catch (err) {
    throw new InputError(`${at}: ${(err as Error).message}`);
  }
  const fields = expression.split(/\s+/).length;
  if (fields < 6)
    throw new InputError(`${at}: motif 5 expects 6 or 7 fields (second first), the expression has ${fields}`);
  const target = optionalString(raw.target, `${at} target`)?.trim() ?? '';
  if ((kind === 'io' || kind === 'configure') && !/^[^\s/]+$/.test(target))
    throw new InputError(
      `${at}: name the ${kind === 'io' ? 'output' : 'camera parameter'} (no "/" or spaces)`,
    );
  const value = raw.value === undefined || raw.value === null ? '' : String(raw.value);
  if (kind === 'io' || kind === 'configure') parseValue(kind, value, at);
  const camera = optionalString(raw.camera, `${at} camera`)?.trim() ?? '';
  if (camera && !/^[^\s/]+$/.test(camera))
    throw new InputError(`${at}: the camera serial must not contain "/" or spaces`);
  let args: JsonObject = {};
  if (typeof raw.args === 'string' && raw.args.trim() !== '') {
    try {
      args = optionalObject(JSON.parse(raw.args), `${at} arguments`) ?? {};
    } catch (err) {
      throw new InputError(`${at}: arguments must be a JSON object (${(err as Error).message})`);
    }
  } else args = optionalObject(raw.args, `${at} arguments`) ?? {};
  return { name, kind, camera, expression, relative, target, value, args };
}

function hashOf(d: TaskDeclaration): string {
  const canonical = JSON.stringify([d.kind, d.camera, d.expression, d.relative, d.target, d.value, d.args]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8);
}

const ENDPOINTS: Record<TaskKind, [all: string, one: string]> = {
  record: ['schedule/recording/start', 'schedule/camera/<serial>/recording/start'],
  copy: ['schedule/recordings/copy_all', 'schedule/camera/<serial>/recordings/copy_all'],
  export: ['schedule/recordings/export_all', 'schedule/camera/<serial>/recordings/export_all'],
  io: ['schedule/io/<name>/set', 'schedule/camera/<serial>/io/<name>/set'],
  configure: ['schedule/cameras/configure/<name>', 'schedule/camera/<serial>/configure/<name>'],
};

/** The creation call of a declaration under `taskName`. */
export function planTask(declaration: TaskDeclaration, taskName: string): PlannedTask {
  const d = declaration;
  const endpoint = ENDPOINTS[d.kind][d.camera ? 1 : 0];
  const params: Record<string, string> = {};
  if (d.camera) params.serial = d.camera;
  const body: Record<string, unknown> = { ...d.args, task_name: taskName, cron_expression: d.expression };
  if (d.kind === 'io' || d.kind === 'configure') {
    params.name = d.target;
    body.camera_relative = d.relative;
    body.value = parseValue(d.kind, d.value, `task "${d.name}"`);
  }
  return { declaration, taskName, endpoint, params, body };
}

export function editorTaskName(prefix: string, declaration: TaskDeclaration): string {
  return `${prefix}e_${declaration.name}_${hashOf(declaration)}`;
}

export function messageTaskName(prefix: string, name: string): string {
  return `${prefix}m_${name}`;
}
