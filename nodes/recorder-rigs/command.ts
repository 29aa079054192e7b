/**
 * A command message as recorder-rigs reads it: `payload = {command, rig, ...arguments}` (rig a name,
 * a list or "all"), or the forms a dashboard button sends without code: `topic = "start"` with the
 * rig (or "all", or a list) in the payload, `topic = "experiment/start"` for a command with an
 * action. Everything is checked before anything is published.
 */
import { InputError } from '../../src/common/errors';
import { describe, isPlainObject, type JsonObject } from '../../src/common/input';
import { capText } from '../../src/common/text';
import { isName } from './topics';

/** A command word: lower case, short. */
const COMMAND = /^[a-z][a-z0-9_-]{0,31}$/;
/** Arguments passed on to the rigs, at most this long as JSON. */
const MAX_ARGS_JSON = 16 * 1024;
/** Rigs one message may name. */
export const MAX_TARGETS = 1000;
/** Properties of the payload the node reads itself (not passed on as arguments). */
const OWN = new Set(['command', 'rig', 'rigs', 'commandId', 'replyTo']);

export interface CommandRequest {
  command: string;
  /** Names, or 'all'. */
  rigs: string[] | 'all';
  /** What the rig receives besides command, commandId, rig and replyTo. */
  args: JsonObject;
}

function rigsOf(raw: unknown, where: string): string[] | 'all' {
  if (raw === undefined || raw === null || raw === '' || raw === 'all') return 'all';
  const list = Array.isArray(raw)
    ? raw
    : typeof raw === 'string'
      ? raw.split(/[\s,]+/).filter(Boolean)
      : undefined;
  if (!list)
    throw new InputError(`${where} must name a rig, a list of rigs or "all", got ${describe(raw)}`, where);
  if (list.length > MAX_TARGETS) throw new InputError(`${where} names more than ${MAX_TARGETS} rigs`, where);
  if (list.includes('all')) return 'all';
  for (const rig of list)
    if (!isName(rig))
      throw new InputError(
        `${where}: "${capText(String(rig), 40)}" is not a rig name (letters, digits, . _ -; at most 64)`,
        where,
      );
  if (list.length === 0) throw new InputError(`${where} names no rig`, where);
  return [...new Set(list as string[])];
}

function commandOf(raw: unknown, where: string): string {
  if (typeof raw === 'string' && COMMAND.test(raw.trim())) return raw.trim();
  const shown = typeof raw === 'string' ? `"${capText(raw, 40)}"` : describe(raw);
  throw new InputError(`${where} must be a command word (start, stop, experiment, …), got ${shown}`, where);
}

export function readCommand(msg: Record<string, unknown>): CommandRequest {
  const payload = msg.payload;
  let request: CommandRequest;
  if (isPlainObject(payload) && 'command' in payload) {
    const args: JsonObject = {};
    for (const [key, value] of Object.entries(payload)) if (!OWN.has(key)) args[key] = value;
    request = {
      command: commandOf(payload.command, 'msg.payload.command'),
      rigs: rigsOf(payload.rig ?? payload.rigs, 'msg.payload.rig'),
      args,
    };
  } else {
    // Button form: the topic is the command (`experiment/start`: command and action), the payload the rigs.
    const topic = typeof msg.topic === 'string' ? msg.topic.trim() : '';
    const [command, action, ...rest] = topic.split('/');
    if (rest.length > 0 || !topic)
      throw new InputError(
        'a command needs msg.payload = {command, rig} or msg.topic = the command (e.g. "start", "experiment/start")',
        'msg.topic',
      );
    const args: JsonObject = {};
    if (action !== undefined) args.action = commandOf(action, 'msg.topic');
    if (typeof msg.label === 'string') args.label = msg.label;
    request = {
      command: commandOf(command, 'msg.topic'),
      rigs: rigsOf(isPlainObject(payload) ? undefined : payload, 'msg.payload'),
      args,
    };
  }
  let json: string;
  try {
    json = JSON.stringify(request.args);
  } catch {
    throw new InputError('the command arguments are not JSON', 'msg.payload');
  }
  if (json.length > MAX_ARGS_JSON)
    throw new InputError(
      `the command arguments are longer than ${MAX_ARGS_JSON} characters as JSON`,
      'msg.payload',
    );
  return request;
}
