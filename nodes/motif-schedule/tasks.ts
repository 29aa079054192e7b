/**
 * motif-schedule task declarations → motif task specs. Pure: validation with our cron engine (so a
 * bad expression never reaches the server and the error names the task and field), the arguments
 * and values checked by the motif backend's task table, and the server-side name of each task.
 *
 * Naming: every task this node creates starts with `nr_<encoded node id>_`, so reconcile and clear
 * touch only this node's tasks. The id is encoded injectively (letters and digits kept, any other
 * character as `-` and four hex digits), so ids that differ only in punctuation (`dup.1`, `dup1`)
 * never share a prefix; the encoding has no `_`, so no prefix is a prefix of another node's. Editor
 * tasks are `nr_<id>_e_<name>_<hash>`, where the hash covers the whole declaration: a changed
 * declaration is a new name (created, then the old one deleted), which needs nothing from the
 * server's task-list format beyond `task_name`. Tasks added by message are `nr_<id>_m_<name>` and
 * are left alone by reconcile.
 */
import { createHash } from 'node:crypto';
import {
  allowsRelative,
  checkTaskArgs,
  isTaskKind,
  parseTaskValue,
  TASK_KINDS,
  taskRequest,
  type MotifTaskSpec,
  type TaskKind,
} from '../../src/backends/motif';
import { InputError } from '../../src/common/errors';
import { taskTargetProblem } from '../../src/common/formats';
import {
  isPlainObject,
  optionalBoolean,
  optionalObject,
  optionalString,
  type JsonObject,
} from '../../src/common/input';
import { CronSchedule } from '../../src/schedule';

export { TASK_KINDS, type TaskKind };

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
  spec: MotifTaskSpec;
}

const LOCAL_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/** `nr_<id>_` with the node id encoded injectively (see the file comment). */
export function nodePrefix(nodeId: string): string {
  let encoded = '';
  for (const ch of String(nodeId).slice(0, 64)) {
    if (/^[A-Za-z0-9]$/.test(ch)) encoded += ch;
    else for (let i = 0; i < ch.length; i++) encoded += `-${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return `nr_${encoded}_`;
}

/** A declaration from the editor or from msg.payload, checked; errors name the task and field. */
export function readDeclaration(raw: unknown, where = 'task', now = Date.now()): TaskDeclaration {
  if (!isPlainObject(raw)) throw new InputError(`${where} must be an object`);
  const name = optionalString(raw.name, `${where} name`)?.trim() ?? '';
  if (!LOCAL_NAME.test(name))
    throw new InputError(
      `${where}: the name must be 1–40 letters, digits, "_" or "-", got "${name.slice(0, 40)}"`,
    );
  const at = `task "${name}"`;
  const kind = raw.kind;
  if (!isTaskKind(kind)) throw new InputError(`${at}: kind must be one of ${TASK_KINDS.join(', ')}`);
  const expression = optionalString(raw.expression, `${at} expression`)?.trim() ?? '';
  if (!expression) throw new InputError(`${at}: the cron expression is empty`);
  const relative = optionalBoolean(raw.relative, `${at} relative`) ?? false;
  if (relative && !allowsRelative(kind))
    throw new InputError(
      `${at}: motif allows "relative to recording start" only for output and configure tasks`,
    );
  try {
    // Parsed, and searched once (bounded): an expression whose firings cannot be found is refused.
    new CronSchedule(expression, relative ? { relativeTo: now } : { timeZone: 'UTC' }).next(now);
  } catch (err) {
    throw new InputError(`${at}: ${(err as Error).message}`);
  }
  const fields = expression.split(/\s+/).length;
  if (fields < 6)
    throw new InputError(`${at}: motif 5 expects 6 or 7 fields (second first), the expression has ${fields}`);
  const target = optionalString(raw.target, `${at} target`)?.trim() ?? '';
  if (allowsRelative(kind) && taskTargetProblem(target) !== null)
    throw new InputError(
      `${at}: name the ${kind === 'io' ? 'output' : 'camera parameter'} (no "/" or spaces)`,
    );
  const rawValue = raw.value === undefined || raw.value === null ? '' : raw.value;
  if (typeof rawValue !== 'string' && typeof rawValue !== 'number' && typeof rawValue !== 'boolean')
    throw new InputError(`${at}: the value must be a number or text`);
  const value = String(rawValue);
  if (allowsRelative(kind)) parseTaskValue(kind, typeof rawValue === 'string' ? value : rawValue, at);
  const camera = optionalString(raw.camera, `${at} camera`)?.trim() ?? '';
  if (camera && taskTargetProblem(camera) !== null)
    throw new InputError(`${at}: the camera serial must not contain "/" or spaces`);
  let args: JsonObject = {};
  if (typeof raw.args === 'string' && raw.args.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.args);
    } catch (err) {
      throw new InputError(`${at}: arguments must be a JSON object (${(err as Error).message})`);
    }
    args = optionalObject(parsed, `${at} arguments`) ?? {};
  } else if (typeof raw.args !== 'string') args = optionalObject(raw.args, `${at} arguments`) ?? {};
  checkTaskArgs(kind, args, at);
  return { name, kind, camera, expression, relative, target, value, args };
}

function hashOf(d: TaskDeclaration): string {
  const canonical = JSON.stringify([d.kind, d.camera, d.expression, d.relative, d.target, d.value, d.args]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8);
}

/** The task spec of a declaration under `taskName`, checked by the backend (nothing sent yet). */
export function planTask(declaration: TaskDeclaration, taskName: string): PlannedTask {
  const d = declaration;
  const spec: MotifTaskSpec = {
    taskName,
    kind: d.kind,
    camera: d.camera,
    expression: d.expression,
    relative: d.relative,
    target: d.target,
    value: d.value,
    args: d.args,
  };
  taskRequest(spec, `task "${d.name}"`);
  return { declaration, taskName, spec };
}

export function editorTaskName(prefix: string, declaration: TaskDeclaration): string {
  return `${prefix}e_${declaration.name}_${hashOf(declaration)}`;
}

export function messageTaskName(prefix: string, name: string): string {
  return `${prefix}m_${name}`;
}
