/**
 * Checking what a caller asks for before anything is sent: session specs (name, window, limits,
 * records and their streams), ids, names and filters. Integers become JSON numbers within Hasura's
 * 32-bit `Int`; enum values must be in the server's sets; RealSense limits only warn.
 */
import { InputError } from '../../common/errors';
import { uuidProblem } from '../../common/formats';
import { describe, isPlainObject, optionalNumber } from '../../common/input';
import { checkEnum, type AiveroEnums } from './enums';
import { cameraWarnings, streamWarnings, type StreamParameters } from './limits';
import { ALWAYS_END, ALWAYS_START, parseTime, formatTimestamp, type TimeInput } from './time';

export type { StreamParameters } from './limits';

export interface StreamSpec {
  type: string;
  /** Default `color` (as both streams of the vendor scripts). */
  alignTo?: string;
  encoder: string;
  width: number;
  height: number;
  /** Default 0 (the colorizer's default). */
  nearCut?: number;
  /** Default 65535 (the colorizer's default). */
  farCut?: number;
  bitrate: number;
  frameRate: number;
}

export type CameraRef = { id: string } | { model: string; serial: string };

export interface RecordSpec {
  camera: CameraRef;
  streams: StreamSpec[];
}

export interface SessionSpec {
  name: string;
  startDate?: TimeInput;
  endDate?: TimeInput;
  /** The vendor's "always" window (Standby sessions); default when no dates are given and the state is not Scheduled. */
  always?: boolean;
  /** Default `Storage`. */
  mode?: string;
  /** The state after records and streams exist; default `Scheduled`. `Stopped` leaves a draft. */
  state?: string;
  /** 0 = no limit (default). */
  maxTimeSeconds?: number;
  /** 0 = no limit (default). */
  maxSizeMegabytes?: number;
  records: RecordSpec[];
}

export interface PreparedSession {
  name: string;
  startDate: string;
  endDate: string;
  mode: string;
  state: string;
  maxTimeSeconds: number;
  maxSizeMegabytes: number;
  records: { camera: CameraRef; streams: StreamParameters[] }[];
  warnings: string[];
}

export const MAX_RECORDS = 32;
export const MAX_STREAMS = 8;
export const MAX_NAME = 200;
const INT_MAX = 2_147_483_647;
/** A session or camera id; the format is the shared rule (common/formats.ts) the editor runs too. */
export function checkUuid(value: unknown, what: string): string {
  const problem = uuidProblem(value);
  if (problem === null && typeof value === 'string') return value.trim().toLowerCase();
  throw new InputError(`${what} ${problem ?? 'must be text'}, got ${describe(value)}`);
}

/** A plain one-line text (name, serial): no control characters, bounded. */
export function checkText(value: unknown, what: string, max = MAX_NAME): string {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string' || value.trim() === '')
    throw new InputError(`${what} must be a non-empty text, got ${describe(value)}`);
  if (value.length > max) throw new InputError(`${what} is longer than ${max} characters`);
  if (/[\x00-\x1f\x7f]/.test(value)) throw new InputError(`${what} contains control characters`);
  return value;
}

/** A Hasura `Int`: numeric strings from dashboards become numbers; the range is 32-bit. */
export function checkInt(value: unknown, what: string, min = -INT_MAX - 1, fallback?: number): number {
  const n = optionalNumber(value, what) ?? fallback;
  if (n === undefined) throw new InputError(`${what} is missing`);
  if (!Number.isInteger(n)) throw new InputError(`${what} must be a whole number, got ${n}`);
  if (n < min || n > INT_MAX) throw new InputError(`${what} must be between ${min} and ${INT_MAX}, got ${n}`);
  return n;
}

export function checkCameraRef(value: unknown, enums: AiveroEnums, what: string): CameraRef {
  if (typeof value === 'string') return { id: checkUuid(value, `${what} id`) };
  if (!isPlainObject(value))
    throw new InputError(`${what} must be {id} or {model, serial}, got ${describe(value)}`);
  if (value.id !== undefined && value.id !== '') return { id: checkUuid(value.id, `${what} id`) };
  return {
    model: checkEnum(enums, 'cameraModel', value.model, `${what} model`),
    serial: checkText(value.serial, `${what} serial`),
  };
}

function checkStream(value: unknown, enums: AiveroEnums, where: string): StreamParameters {
  if (!isPlainObject(value)) throw new InputError(`${where} must be an object, got ${describe(value)}`);
  return {
    type: checkEnum(enums, 'streamType', value.type, `${where} type`),
    alignTo:
      value.alignTo === undefined || value.alignTo === ''
        ? 'color'
        : checkText(value.alignTo, `${where} alignTo`, 40),
    encoder: checkEnum(enums, 'encoder', value.encoder, `${where} encoder`),
    width: checkInt(value.width, `${where} width`, 1),
    height: checkInt(value.height, `${where} height`, 1),
    nearCut: checkInt(value.nearCut, `${where} nearCut`, undefined, 0),
    farCut: checkInt(value.farCut, `${where} farCut`, undefined, 65535),
    bitrate: checkInt(value.bitrate, `${where} bitrate`),
    frameRate: checkInt(value.frameRate, `${where} frameRate`, 1),
  };
}

/** Everything createSession will send, checked; throws InputError naming the first bad field. */
export function prepareSession(spec: unknown, enums: AiveroEnums, now = Date.now()): PreparedSession {
  if (!isPlainObject(spec)) throw new InputError(`the session must be an object, got ${describe(spec)}`);
  const name = checkText(spec.name, 'session name');
  const mode = checkEnum(enums, 'mode', spec.mode ?? 'Storage');
  const state = checkEnum(enums, 'state', spec.state ?? 'Scheduled', 'target state');
  const maxTimeSeconds = checkInt(spec.maxTimeSeconds, 'maxTimeSeconds', 0, 0);
  const maxSizeMegabytes = checkInt(spec.maxSizeMegabytes, 'maxSizeMegabytes', 0, 0);
  const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
  let startDate: string;
  let endDate: string;
  if (spec.always === true || (!given(spec.startDate) && !given(spec.endDate) && state !== 'Scheduled')) {
    if (given(spec.startDate) || given(spec.endDate))
      throw new InputError('an "always" session takes no startDate or endDate');
    startDate = ALWAYS_START;
    endDate = ALWAYS_END;
  } else {
    if (!given(spec.endDate)) throw new InputError('endDate is missing (or ask for an "always" session)');
    const start = parseTime(given(spec.startDate) ? spec.startDate : 'now', 'startDate', now);
    const end = parseTime(spec.endDate, 'endDate', now);
    if (end.getTime() <= start.getTime())
      throw new InputError(
        `endDate ${formatTimestamp(end)} is not after startDate ${formatTimestamp(start)}`,
      );
    startDate = formatTimestamp(start);
    endDate = formatTimestamp(end);
  }
  if (!Array.isArray(spec.records) || spec.records.length === 0)
    throw new InputError('the session needs at least one record (a camera with its streams)');
  if (spec.records.length > MAX_RECORDS)
    throw new InputError(`a session takes at most ${MAX_RECORDS} records`);
  const warnings: string[] = [];
  const records = spec.records.map((raw: unknown, i: number) => {
    const where = `record ${i + 1}`;
    if (!isPlainObject(raw)) throw new InputError(`${where} must be an object, got ${describe(raw)}`);
    const camera = checkCameraRef(
      raw.camera ?? (raw.cameraId !== undefined ? { id: raw.cameraId } : undefined),
      enums,
      `${where} camera`,
    );
    if (!Array.isArray(raw.streams) || raw.streams.length === 0)
      throw new InputError(`${where} needs at least one stream`);
    if (raw.streams.length > MAX_STREAMS)
      throw new InputError(`${where} takes at most ${MAX_STREAMS} streams`);
    const streams = raw.streams.map((s: unknown, j: number) =>
      checkStream(s, enums, `${where} stream ${j + 1}`),
    );
    // The limits are RealSense ones; a Raspberry Pi (V4L2) camera has its own.
    const model = 'model' in camera ? camera.model : undefined;
    if (model === undefined || model.startsWith('REALSENSE')) {
      streams.forEach((s, j) => warnings.push(...streamWarnings(s, `${where} stream ${j + 1}`)));
      warnings.push(...cameraWarnings(streams, where));
    }
    return { camera, streams };
  });
  return { name, startDate, endDate, mode, state, maxTimeSeconds, maxSizeMegabytes, records, warnings };
}
