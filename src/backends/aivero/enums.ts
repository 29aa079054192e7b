/**
 * The five enums of the Aivero schema. The documented values are the fallback; the client reads the
 * real sets by introspection when the role allows it (see schema.ts). A value outside the set is
 * refused before any request, with the valid ones listed.
 */
import { InputError } from '../../common/errors';
import { describe } from '../../common/input';

export type EnumKind = 'cameraModel' | 'mode' | 'state' | 'streamType' | 'encoder';

/** GraphQL enum type names, as the vendor's documents declare their variables. */
export const ENUM_TYPES: Readonly<Record<EnumKind, string>> = {
  cameraModel: 'camera_model_enum',
  mode: 'RecordingSessionMode_enum',
  state: 'RecordingSessionState_enum',
  streamType: 'stream_type_enum',
  encoder: 'stream_encoder_enum',
};

export type AiveroEnums = Readonly<Record<EnumKind, readonly string[]>>;

export const SESSION_STATES = ['Scheduled', 'Standby', 'Started', 'Stopped'] as const;
/** The documented states; a server may know more (then they are strings). */
export type SessionState = (typeof SESSION_STATES)[number] | (string & {});

/**
 * Values from the vendor document. The stream types add `infra1`/`infra2`: the document says an
 * infrared stream exists and the Aivero RealSense source names its streams so (an inference).
 */
export const DOC_ENUMS: AiveroEnums = {
  cameraModel: ['REALSENSE', 'REALSENSE_D415', 'REALSENSE_D435', 'REALSENSE_D455', 'V4L2CAMERA'],
  mode: ['Storage'],
  state: SESSION_STATES,
  streamType: ['color', 'depth', 'infra1', 'infra2'],
  encoder: ['HEVC', 'Classic'],
};

const WHAT: Record<EnumKind, string> = {
  cameraModel: 'camera model',
  mode: 'session mode',
  state: 'session state',
  streamType: 'stream type',
  encoder: 'stream encoder',
};

/** The value if it is one of the set; an InputError listing the set otherwise. */
export function checkEnum(enums: AiveroEnums, kind: EnumKind, value: unknown, what = WHAT[kind]): string {
  const valid = enums[kind];
  if (typeof value === 'string' && valid.includes(value)) return value;
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : describe(value);
  throw new InputError(`${what} ${shown} is not valid; valid values: ${valid.join(', ')}`);
}
