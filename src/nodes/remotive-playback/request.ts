/**
 * Turns a message and the node's configuration into one playback command. Pure (no network): every
 * check happens here, before anything reaches the broker.
 *
 * Precedence for each argument: `msg.<name>`, then `msg.payload.<name>` (so an MQTT JSON payload
 * can carry everything), then the node's field.
 *
 * The operation comes from `msg.operation` when set; a node set to "from topic" takes the last
 * segment of `msg.topic` (`lab/playback/play` → `play`); otherwise the node's operation.
 */
import { parseOffset } from '../../backends/remotive';
import { InputError } from '../../common/errors';
import { describe, isPlainObject, optionalBoolean } from '../../common/input';

export const OPERATIONS = ['list', 'open', 'play', 'pause', 'seek', 'close', 'repeat', 'status'] as const;
export type Operation = (typeof OPERATIONS)[number];
/** The node setting that reads the operation from `msg.topic`. */
export const FROM_TOPIC = 'topic';

export interface PlaybackConfig {
  operation: string;
  path: string;
  recursive: boolean;
  force: boolean;
  offset: string;
  start: string;
  end: string;
}

export type PlannedCommand =
  | { operation: 'list'; path: string; recursive: boolean }
  | { operation: 'open'; path: string; force: boolean }
  | { operation: 'play' | 'pause'; path: string; offsetUs?: number }
  | { operation: 'seek'; path: string; offsetUs: number }
  | { operation: 'close'; path: string }
  | { operation: 'repeat'; path: string; startUs?: number; endUs?: number }
  | { operation: 'status'; path?: string };

function isOperation(value: string): value is Operation {
  return (OPERATIONS as readonly string[]).includes(value);
}

function given(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** `msg[name]`, else `msg.payload[name]`, else undefined. */
function fromMsg(msg: Record<string, unknown>, name: string): unknown {
  if (given(msg[name])) return msg[name];
  const payload = msg.payload;
  if (isPlainObject(payload) && given(payload[name])) return payload[name];
  return undefined;
}

function chooseOperation(config: PlaybackConfig, msg: Record<string, unknown>): Operation {
  let chosen: unknown = fromMsg(msg, 'operation');
  if (!given(chosen) && config.operation === FROM_TOPIC) {
    if (typeof msg.topic !== 'string' || msg.topic.trim() === '')
      throw new InputError('the node takes the operation from msg.topic, but the message has no topic');
    chosen = msg.topic.trim().split('/').pop();
  }
  if (!given(chosen)) chosen = config.operation;
  if (typeof chosen !== 'string' || chosen.trim() === '')
    throw new InputError('no operation: choose one in the node or set msg.operation');
  const operation = chosen.trim().toLowerCase();
  if (!isOperation(operation))
    throw new InputError(`unknown playback operation ${describe(chosen)} (one of ${OPERATIONS.join(', ')})`);
  return operation;
}

function pathOf(config: PlaybackConfig, msg: Record<string, unknown>, required: boolean): string {
  const value = fromMsg(msg, 'path') ?? config.path;
  if (value === undefined || value === null || value === '') {
    if (required)
      throw new InputError(
        'a recording session path is needed: set it in the node or msg.path (e.g. "drive/city-loop.recordingsession.yaml")',
      );
    return '';
  }
  if (typeof value !== 'string') throw new InputError(`msg.path must be a string, got ${describe(value)}`);
  return value.trim();
}

/** An offset from the message or the node, in µs; undefined when neither gives one. */
function offsetOf(config: PlaybackConfig, msg: Record<string, unknown>, name: 'offset' | 'start' | 'end') {
  const value = fromMsg(msg, name);
  const raw = given(value) ? value : config[name]?.trim() ? config[name] : undefined;
  if (raw === undefined) return undefined;
  try {
    return parseOffset(raw);
  } catch (err) {
    const where = given(value) ? `msg.${name}` : `the node's ${name}`;
    throw new InputError(`${where}: ${(err as Error).message}`);
  }
}

export function planCommand(config: PlaybackConfig, msg: Record<string, unknown>): PlannedCommand {
  const operation = chooseOperation(config, msg);
  switch (operation) {
    case 'list': {
      const recursive =
        optionalBoolean(fromMsg(msg, 'recursive'), 'msg.recursive') ?? config.recursive === true;
      return { operation, path: pathOf(config, msg, false), recursive };
    }
    case 'open': {
      const force = optionalBoolean(fromMsg(msg, 'force'), 'msg.force') ?? config.force === true;
      return { operation, path: pathOf(config, msg, true), force };
    }
    case 'play':
    case 'pause': {
      const offsetUs = offsetOf(config, msg, 'offset');
      const path = pathOf(config, msg, true);
      return offsetUs === undefined ? { operation, path } : { operation, path, offsetUs };
    }
    case 'seek': {
      const offsetUs = offsetOf(config, msg, 'offset');
      if (offsetUs === undefined)
        throw new InputError('seek needs an offset: set it in the node or msg.offset (e.g. "1:02.5")');
      return { operation, path: pathOf(config, msg, true), offsetUs };
    }
    case 'close':
      return { operation, path: pathOf(config, msg, true) };
    case 'repeat': {
      const startUs = offsetOf(config, msg, 'start');
      const endUs = offsetOf(config, msg, 'end');
      if (startUs !== undefined && endUs !== undefined && startUs >= endUs)
        throw new InputError(`the repeat start (${startUs} µs) must be before its end (${endUs} µs)`);
      const command: PlannedCommand = { operation, path: pathOf(config, msg, true) };
      if (startUs !== undefined) command.startUs = startUs;
      if (endUs !== undefined) command.endUs = endUs;
      return command;
    }
    case 'status': {
      const path = pathOf(config, msg, false);
      return path ? { operation, path } : { operation };
    }
  }
}
