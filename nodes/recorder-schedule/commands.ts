/**
 * Reading control messages of recorder-schedule. Two forms, as in cron-plus:
 *   msg.payload = { command: "add", name, expression, … }   (or an array of such objects)
 *   msg.topic = "pause", msg.payload = "<name>"               (shorthand; payload may be empty)
 * Every added schedule is removed by `{ command: "remove", all: true }`: a name is never a wildcard.
 * The role (see the node help, "Active and standby"): `{ command: "active", lastFired }` / `{ command: "standby" }`, or,
 * as a leader topic's retained message delivers it, msg.payload true / false (or the strings
 * "active", "standby", "true", "false") when msg.topic is not a command name.
 * No Node-RED imports; errors are InputErrors that reach a Catch node with the original msg.
 */
import { InputError } from '../../src/common/errors';
import {
  describe as describeValue,
  isPlainObject,
  optionalBoolean,
  optionalNumber,
  optionalString,
} from '../../src/common/input';
import type { ScheduleDefinition } from './table';

export const COMMANDS = [
  'add',
  'update',
  'remove',
  'list',
  'pause',
  'resume',
  'trigger',
  'next',
  'describe',
  'start',
  'stop',
  'active',
  'standby',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export type Command =
  | { command: 'add' | 'update'; definition: ScheduleDefinition }
  | { command: 'remove'; name: string; all?: false }
  | { command: 'remove'; all: true }
  | { command: 'list' | 'pause' | 'resume'; name?: string }
  | { command: 'trigger'; name: string }
  | { command: 'next'; name?: string; count: number }
  | { command: 'describe'; name?: string; expression?: string; relative: boolean; timeZone: string }
  | { command: 'start'; at?: number }
  | { command: 'stop' }
  | { command: 'active'; lastFired?: number }
  | { command: 'standby'; lastFired?: number };

const MAX_NEXT = 100;

function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && (COMMANDS as readonly string[]).includes(value);
}

/** The commands a message carries, in order. */
export function readCommands(msg: { topic?: unknown; payload?: unknown }): Command[] {
  const payload = msg.payload;
  if (Array.isArray(payload)) {
    if (payload.length === 0) throw new InputError('msg.payload is an empty list of commands');
    return payload.map((item, i) => {
      if (!isPlainObject(item)) throw new InputError(`command ${i + 1} must be an object`);
      return readCommand(item.command, item);
    });
  }
  if (isPlainObject(payload) && payload.command !== undefined) return [readCommand(payload.command, payload)];
  if (isCommandName(msg.topic)) {
    const fields = isPlainObject(payload)
      ? payload
      : typeof payload === 'string' && payload.trim() !== ''
        ? { name: payload.trim() }
        : {};
    return [readCommand(msg.topic, fields)];
  }
  const role = roleOf(payload);
  if (role) return [{ command: role }];
  throw new InputError(
    `no command: set msg.payload.command or msg.topic to one of ${COMMANDS.join(', ')} (got topic ${describeValue(msg.topic)})`,
  );
}

function readCommand(command: unknown, fields: Record<string, unknown>): Command {
  if (!isCommandName(command))
    throw new InputError(`unknown command ${describeValue(command)}; use one of ${COMMANDS.join(', ')}`);
  const name = optionalString(fields.name, 'name')?.trim() || undefined;
  const needName = (): string => {
    if (!name) throw new InputError(`the "${command}" command needs a schedule name`);
    return name;
  };
  switch (command) {
    case 'add':
    case 'update':
      return { command, definition: readDefinition(fields, needName()) };
    case 'remove': {
      const all = optionalBoolean(fields.all, 'all') ?? false;
      if (all && name) throw new InputError('the "remove" command takes a name or all: true, not both');
      if (all) return { command, all };
      if (name === '*')
        throw new InputError(
          '"*" is not a schedule name; to remove every added schedule send {command: "remove", all: true}',
        );
      return { command, name: needName() };
    }
    case 'trigger':
      return { command, name: needName() };
    case 'list':
    case 'pause':
    case 'resume':
      return name ? { command, name } : { command };
    case 'next': {
      const count = optionalNumber(fields.count, 'count') ?? 5;
      if (!Number.isInteger(count) || count < 1 || count > MAX_NEXT)
        throw new InputError(`count must be a whole number from 1 to ${MAX_NEXT}`);
      return name ? { command, name, count } : { command, count };
    }
    case 'describe': {
      const expression = optionalString(fields.expression, 'expression');
      if (!expression && !name) throw new InputError('the "describe" command needs an expression or a name');
      return {
        command,
        ...(name ? { name } : {}),
        ...(expression ? { expression } : {}),
        relative: optionalBoolean(fields.relative, 'relative') ?? false,
        timeZone: optionalString(fields.timeZone, 'timeZone') ?? '',
      };
    }
    case 'start': {
      const at = optionalNumber(fields.at, 'at');
      return at === undefined ? { command } : { command, at };
    }
    case 'stop':
      return { command };
    case 'standby':
    case 'active': {
      const lastFired = readInstant(fields.lastFired, 'lastFired');
      return lastFired === undefined ? { command } : { command, lastFired };
    }
  }
}

/** A leader topic's payload: true / "active" / "true" = active, false / "standby" / "false" = standby. */
function roleOf(payload: unknown): 'active' | 'standby' | undefined {
  const text = typeof payload === 'string' ? payload.trim().toLowerCase() : payload;
  if (text === true || text === 'true' || text === 'active') return 'active';
  if (text === false || text === 'false' || text === 'standby') return 'standby';
  return undefined;
}

/** An instant as epoch ms or an ISO 8601 text (the `lastFired` of a reply); null = none. */
function readInstant(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const at = typeof value === 'string' && value.length <= 40 ? Date.parse(value) : value;
  if (typeof at !== 'number' || !Number.isFinite(at))
    throw new InputError(
      `${name} must be an instant (epoch ms or ISO 8601 text), got ${describeValue(value)}`,
    );
  return at;
}

function readDefinition(fields: Record<string, unknown>, name: string): ScheduleDefinition {
  const expression = optionalString(fields.expression, 'expression');
  if (!expression) throw new InputError(`schedule "${name}" needs an expression`);
  return {
    name,
    expression: expression.trim(),
    timeZone: optionalString(fields.timeZone, 'timeZone')?.trim() ?? '',
    relative: optionalBoolean(fields.relative, 'relative') ?? false,
    ...anchorFields(fields),
    topic: optionalString(fields.topic, 'topic') ?? name,
    payload: fields.payload ?? name,
    dynamic: true,
  };
}

/** `anchor` (another schedule's name; '' = the start message) and `runFor` (seconds), when given. */
function anchorFields(fields: Record<string, unknown>): { anchor?: string; runFor?: number } {
  const anchor = optionalString(fields.anchor, 'anchor')?.trim();
  const runFor = optionalNumber(fields.runFor, 'runFor');
  return { ...(anchor ? { anchor } : {}), ...(runFor ? { runFor } : {}) };
}
