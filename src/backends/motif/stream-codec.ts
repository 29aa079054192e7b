/**
 * Decoding of motif's realtime stream messages (vendor documentation). No I/O.
 *
 * Image: two frames, UTF-8 JSON metadata with `dtype` (numpy name) and `shape`, then the raw pixels
 * in C order. State: two frames, topic (`j…`) then a UTF-8 JSON object.
 */
import { InputError } from '../../common/errors';

/** Bytes per element of the numpy dtypes an image can plausibly carry. */
const ITEM_SIZE: Readonly<Record<string, number>> = {
  bool: 1,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  float16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  uint64: 8,
  int64: 8,
  float64: 8,
};

/** numpy type strings ('<u2', '|u1', 'f4') → dtype names. */
const TYPESTR_KIND: Readonly<Record<string, string>> = { u: 'uint', i: 'int', f: 'float', b: 'bool' };

export interface MotifImageFrame {
  /** The raw pixels, C order, exactly `prod(shape) × itemSize` bytes. */
  data: Buffer;
  /** numpy dtype name as sent (normalised: '<u2' → 'uint16'). */
  dtype: string;
  /** [height, width] or [height, width, channels]. */
  shape: number[];
  width: number;
  height: number;
  channels: number;
  /** Bytes per element. */
  itemSize: number;
  /** Unix seconds when motif took or sent the frame, when the server says. */
  timestamp?: number;
  /** The frame number, when the server sends one. */
  frameNumber?: number;
  /** Every other metadata key, as sent. */
  metadata: Record<string, unknown>;
}

export interface MotifStateMessage {
  topic: string;
  state: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(part: Buffer | undefined, what: string): Record<string, unknown> {
  if (!part) throw new InputError(`the ${what} is missing`);
  let value: unknown;
  try {
    value = JSON.parse(part.toString('utf8'));
  } catch {
    throw new InputError(`the ${what} is not valid JSON`);
  }
  if (!isRecord(value)) throw new InputError(`the ${what} is not a JSON object`);
  return value;
}

export function normaliseDtype(dtype: string): string | undefined {
  if (dtype in ITEM_SIZE) return dtype;
  const m = /^[<>|=]?([uifb])(\d)$/.exec(dtype);
  if (!m) return undefined;
  const name = m[1] === 'b' ? 'bool' : `${TYPESTR_KIND[m[1]]}${Number(m[2]) * 8}`;
  return name in ITEM_SIZE ? name : undefined;
}

export function itemSizeOf(dtype: string): number | undefined {
  return ITEM_SIZE[dtype];
}

function firstNumber(md: Record<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) {
    const v = md[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** One image message → pixels and metadata. Throws InputError for a malformed message. */
export function decodeImageMessage(parts: Buffer[]): MotifImageFrame {
  if (parts.length !== 2) throw new InputError(`an image message has 2 parts, this one has ${parts.length}`);
  const md = parseJsonObject(parts[0], 'image metadata');
  const { dtype: rawDtype, shape: rawShape, ...metadata } = md;
  if (typeof rawDtype !== 'string') throw new InputError('the image metadata has no dtype');
  const dtype = normaliseDtype(rawDtype);
  if (!dtype) throw new InputError(`unsupported image dtype "${rawDtype}"`);
  if (
    !Array.isArray(rawShape) ||
    (rawShape.length !== 2 && rawShape.length !== 3) ||
    !rawShape.every((n) => Number.isInteger(n) && (n as number) > 0)
  )
    throw new InputError('the image shape must be [height, width] or [height, width, channels]');
  const shape = rawShape as number[];
  const itemSize = ITEM_SIZE[dtype];
  const expected = shape.reduce((a, b) => a * b, 1) * itemSize;
  const data = parts[1];
  if (data.length !== expected)
    throw new InputError(`the image has ${data.length} bytes, its shape and dtype need ${expected}`);
  return {
    data,
    dtype,
    shape,
    height: shape[0],
    width: shape[1],
    channels: shape[2] ?? 1,
    itemSize,
    timestamp: firstNumber(metadata, ['timestamp']),
    frameNumber: firstNumber(metadata, ['frame_number', 'frame_count', 'frame']),
    metadata,
  };
}

/** One state message → topic and the JSON object. Throws InputError for a malformed message. */
export function decodeStateMessage(parts: Buffer[]): MotifStateMessage {
  if (parts.length < 2) throw new InputError(`a state message has 2 parts, this one has ${parts.length}`);
  return {
    topic: parts[0].toString('utf8'),
    state: parseJsonObject(parts[parts.length - 1], 'state message'),
  };
}
