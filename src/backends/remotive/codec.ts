/**
 * Decoded protobuf objects (proto-loader output, typed `unknown` at the boundary) → the plain
 * values the client returns. Every read narrows; a field the broker left out gets the proto3 default.
 */
export type PlaybackMode = 'playing' | 'paused' | 'closed';

export interface PlaybackStatus {
  path: string;
  mode: PlaybackMode;
  offsetUs: number;
  /** Present only while repeat is active. */
  repeat?: { startUs: number; endUs: number };
}

export type RecordingFileType =
  | 'unknown'
  | 'folder'
  | 'video'
  | 'audio'
  | 'image'
  | 'recording'
  | 'recording-session'
  | 'recording-mapping'
  | 'platform'
  | 'instance'
  | 'signal-database';

export interface RecordingFile {
  path: string;
  type: RecordingFileType;
  createdTime: Date;
  modifiedTime: Date;
  size: number;
}

export type SignalValue = number | string | boolean | Buffer | null;

export interface SignalSample {
  namespace: string;
  name: string;
  value: SignalValue;
  timestampUs: number;
}

const FILE_TYPES: Record<string, RecordingFileType> = {
  FILE_TYPE_UNKNOWN: 'unknown',
  FILE_TYPE_FOLDER: 'folder',
  FILE_TYPE_VIDEO: 'video',
  FILE_TYPE_AUDIO: 'audio',
  FILE_TYPE_IMAGE: 'image',
  FILE_TYPE_RECORDING: 'recording',
  FILE_TYPE_RECORDING_SESSION: 'recording-session',
  FILE_TYPE_RECORDING_MAPPING: 'recording-mapping',
  FILE_TYPE_PLATFORM: 'platform',
  FILE_TYPE_INSTANCE: 'instance',
  FILE_TYPE_SIGNAL_DATABASE: 'signal-database',
};
const FILE_TYPE_BY_NUMBER = Object.values(FILE_TYPES);

const MODES: Record<string, PlaybackMode> = {
  PLAYBACK_PLAYING: 'playing',
  PLAYBACK_PAUSED: 'paused',
  PLAYBACK_CLOSED: 'closed',
};
const MODE_BY_NUMBER: PlaybackMode[] = ['playing', 'paused', 'closed'];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function field(obj: unknown, name: string): unknown {
  return isRecord(obj) ? obj[name] : undefined;
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A 64-bit value (decimal string with `longs: String`) as a number; NaN-free, 0 when absent. */
export function toSafeNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function decodeStatus(raw: unknown): PlaybackStatus {
  const modeField = field(raw, 'mode');
  const mode =
    typeof modeField === 'number'
      ? (MODE_BY_NUMBER[modeField] ?? 'playing')
      : (MODES[str(modeField)] ?? 'playing');
  const status: PlaybackStatus = {
    path: str(field(raw, 'path')),
    mode,
    offsetUs: toSafeNumber(field(raw, 'offset')),
  };
  const repeat = field(raw, 'repeat');
  if (isRecord(repeat))
    status.repeat = {
      startUs: toSafeNumber(repeat.startOffset),
      endUs: toSafeNumber(repeat.endOffset),
    };
  return status;
}

export function decodeStatuses(raw: unknown): PlaybackStatus[] {
  return list(field(raw, 'items')).map(decodeStatus);
}

export function decodeFile(raw: unknown): RecordingFile {
  const typeField = field(raw, 'type');
  const type =
    typeof typeField === 'number'
      ? (FILE_TYPE_BY_NUMBER[typeField] ?? 'unknown')
      : (FILE_TYPES[str(typeField)] ?? 'unknown');
  return {
    path: str(field(raw, 'path')),
    type,
    createdTime: new Date(toSafeNumber(field(raw, 'createdTime')) * 1000),
    modifiedTime: new Date(toSafeNumber(field(raw, 'modifiedTime')) * 1000),
    size: toSafeNumber(field(raw, 'size')),
  };
}

export function decodeFiles(raw: unknown): RecordingFile[] {
  return list(field(raw, 'files')).map(decodeFile);
}

/** A 64-bit integer payload: a number when exact, else its decimal string (never a rounded number). */
function integerValue(value: unknown): number | string {
  const text = typeof value === 'number' ? String(value) : str(value);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/**
 * One broker `Signal` → a sample, following the vendor SDK's order: non-empty `raw` wins, then the
 * payload oneof. LIN `arbitration` markers are not values and are dropped (undefined).
 */
export function decodeSignal(raw: unknown): SignalSample | undefined {
  const id = field(raw, 'id');
  const payload = str(field(raw, 'payload'));
  if (payload === 'arbitration') return undefined;
  let value: SignalValue;
  const bytes = field(raw, 'raw');
  if (Buffer.isBuffer(bytes) && bytes.length > 0) value = bytes;
  else if (payload === 'integer' || payload === 'uinteger64') value = integerValue(field(raw, payload));
  else if (payload === 'double') value = toSafeNumber(field(raw, 'double'));
  else if (payload === 'strValue') value = str(field(raw, 'strValue'));
  else value = null; // `empty`, or no payload at all
  return {
    namespace: str(field(field(id, 'namespace'), 'name')),
    name: str(field(id, 'name')),
    value,
    timestampUs: toSafeNumber(field(raw, 'timestamp')),
  };
}

export function decodeSignals(raw: unknown): SignalSample[] {
  const out: SignalSample[] = [];
  for (const item of list(field(raw, 'signal'))) {
    const sample = decodeSignal(item);
    if (sample) out.push(sample);
  }
  return out;
}
