/**
 * Turns a message and the node's configuration into one playback command. Pure (no network): every
 * check happens here or in the client, before anything reaches the broker.
 *
 * The rule of every node: a configured value wins; a field left empty is "from msg" and takes
 * `msg.<name>`, else the same field of an object `msg.payload` (so an MQTT JSON payload can carry
 * everything). The operation set to "from msg.topic" takes the last segment of `msg.topic`
 * (`lab/playback/play` → `play`). Force and recursive are the node's ticks only.
 */
import { checkPath, parseOffset, type PlaybackCommand } from '../../src/backends/remotive';
import { ConfigError, InputError } from '../../src/common/errors';
import type { FieldValues } from '../../src/kit/fields';
import { describe, isPlainObject } from '../../src/common/input';
import { FIELDS, FROM_TOPIC, OPERATIONS, type Operation } from './fields';

export type PlaybackValues = FieldValues<typeof FIELDS>;

export type PlannedCommand = PlaybackCommand;

type OffsetName = 'offset' | 'start' | 'end';
const OFFSETS: readonly OffsetName[] = ['offset', 'start', 'end'];
/** The properties a message may carry, directly or inside an object payload: the table's msg properties. */
const FROM_MSG: readonly string[] = Object.values(FIELDS).flatMap((spec) =>
  'msg' in spec && spec.msg ? [spec.msg] : [],
);

/** The node's configuration, checked once: configured offsets are parsed here (ConfigError naming the field). */
export interface PlaybackPlan {
  values: PlaybackValues;
  configuredUs: Partial<Record<OffsetName, number>>;
}

export function preparePlan(values: PlaybackValues, where: string): PlaybackPlan {
  if (values.path) {
    try {
      checkPath(values.path, 'the path');
    } catch (err) {
      throw new ConfigError(`${where}: ${(err as Error).message}`, 'path', `invalid ${FIELDS.path.label}`);
    }
  }
  const configuredUs: Partial<Record<OffsetName, number>> = {};
  for (const name of OFFSETS) {
    if (!values[name]) continue;
    try {
      configuredUs[name] = parseOffset(values[name]);
    } catch (err) {
      throw new ConfigError(
        `${where}: ${FIELDS[name].label}: ${(err as Error).message}`,
        name,
        `invalid ${FIELDS[name].label}`,
      );
    }
  }
  return { values, configuredUs };
}

function isOperation(value: string): value is Operation {
  return (OPERATIONS as readonly string[]).includes(value);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** `msg.x`, else `msg.payload.x`, for the properties a message may carry (what the fields resolve against). */
export function messageView(msg: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const payload = isPlainObject(msg.payload) ? msg.payload : undefined;
  const view: Record<string, unknown> = {};
  for (const name of FROM_MSG) {
    const value = present(msg[name]) ? msg[name] : payload?.[name];
    if (present(value)) view[name] = value;
  }
  return view;
}

function chooseOperation(
  configured: string,
  resolved: string,
  msg: Readonly<Record<string, unknown>>,
): Operation {
  if (configured === FROM_TOPIC) {
    if (typeof msg.topic !== 'string' || msg.topic.trim() === '')
      throw new InputError(
        'the node takes the operation from msg.topic, but the message has no topic',
        'msg.topic',
      );
    const last = msg.topic.trim().split('/').pop() ?? '';
    const operation = last.toLowerCase();
    if (!isOperation(operation))
      throw new InputError(
        `unknown playback operation ${describe(last)} in msg.topic (one of ${OPERATIONS.join(', ')})`,
        'msg.topic',
      );
    return operation;
  }
  if (!isOperation(resolved))
    throw new InputError(
      `unknown playback operation ${describe(resolved)} (one of ${OPERATIONS.join(', ')})`,
      'msg.operation',
    );
  return resolved;
}

/**
 * One message's command. `values` are the fields resolved against `messageView(msg)`; a configured
 * operation (also "from msg.topic") is not empty, so msg.operation is not read then.
 */
export function planCommand(
  plan: PlaybackPlan,
  values: PlaybackValues,
  msg: Readonly<Record<string, unknown>>,
): PlannedCommand {
  const configured = plan.values;
  const operation = chooseOperation(configured.operation, values.operation, msg);
  const offsetOf = (name: OffsetName): number | undefined => {
    if (plan.configuredUs[name] !== undefined) return plan.configuredUs[name];
    if (!values[name]) return undefined;
    try {
      return parseOffset(values[name]);
    } catch (err) {
      throw new InputError(`msg.${name}: ${(err as Error).message}`, `msg.${name}`);
    }
  };
  const path = (required: boolean): string => {
    if (required && !values.path)
      throw new InputError(
        'a recording session path is needed: set it in the node or msg.path (e.g. "drive/city-loop.recordingsession.yaml")',
        'msg.path',
      );
    if (values.path && !configured.path) {
      try {
        checkPath(values.path, 'msg.path', !required);
      } catch (err) {
        throw new InputError((err as Error).message, 'msg.path');
      }
    }
    return values.path;
  };
  switch (operation) {
    case 'list':
      return { operation, path: path(false), recursive: configured.recursive };
    case 'open':
      return configured.keepOpen
        ? { operation, path: path(true), force: configured.force, keepOpen: true }
        : { operation, path: path(true), force: configured.force };
    case 'play':
    case 'pause': {
      const offsetUs = offsetOf('offset');
      return offsetUs === undefined
        ? { operation, path: path(true) }
        : { operation, path: path(true), offsetUs };
    }
    case 'seek': {
      const offsetUs = offsetOf('offset');
      if (offsetUs === undefined)
        throw new InputError(
          'seek needs an offset: set it in the node or msg.offset (e.g. "1:02.5")',
          'msg.offset',
        );
      return { operation, path: path(true), offsetUs };
    }
    case 'close':
      return { operation, path: path(true) };
    case 'repeat': {
      const startUs = offsetOf('start');
      const endUs = offsetOf('end');
      if (startUs !== undefined && endUs !== undefined && startUs >= endUs)
        throw new InputError(
          `the repeat start (${startUs} µs) must be before its end (${endUs} µs)`,
          'msg.start',
        );
      const command: PlannedCommand = { operation, path: path(true) };
      if (startUs !== undefined) command.startUs = startUs;
      if (endUs !== undefined) command.endUs = endUs;
      return command;
    }
    case 'status': {
      const wanted = path(false);
      return wanted ? { operation, path: wanted } : { operation };
    }
  }
}
