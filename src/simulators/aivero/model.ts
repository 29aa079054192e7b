/**
 * The simulated Aivero database, described once: the GraphQL schema (schema.ts), the SQL compiler
 * (sql.ts) and the DDL (ddl.ts) are all derived from these tables, so they cannot drift apart.
 * Table, type and column names follow the Aivero documentation; where it is UNKNOWN the choice is
 * written down in docs/simulators/aivero.md.
 */

/** Hasura enum tables: `<name>_enum` GraphQL types whose values are the table's `value` column. */
export interface EnumTable {
  /** GraphQL name without the `_enum` suffix (table name or Hasura custom name). */
  name: string;
  sqlTable: string;
  values: Array<{ value: string; comment: string }>;
}

export const ENUMS: EnumTable[] = [
  {
    name: 'camera_model',
    sqlTable: 'camera_model',
    values: [
      { value: 'REALSENSE', comment: 'Intel RealSense D405' },
      { value: 'REALSENSE_D415', comment: 'Intel RealSense D415' },
      { value: 'REALSENSE_D435', comment: 'Intel RealSense D435' },
      { value: 'REALSENSE_D455', comment: 'Intel RealSense D455' },
      { value: 'V4L2CAMERA', comment: 'Raspberry Pi camera (V4L2, libcamerasrc)' },
    ],
  },
  {
    name: 'RecordingSessionMode',
    sqlTable: 'recording_session_mode',
    values: [{ value: 'Storage', comment: 'record to the device storage' }],
  },
  {
    name: 'RecordingSessionState',
    sqlTable: 'recording_session_state',
    values: [
      { value: 'Scheduled', comment: 'records between startDate and endDate' },
      { value: 'Standby', comment: 'pipeline armed, waiting for Started' },
      { value: 'Started', comment: 'recording' },
      { value: 'Stopped', comment: 'inactive (draft or finished)' },
    ],
  },
  {
    name: 'stream_type',
    sqlTable: 'stream_type',
    values: [
      { value: 'color', comment: 'colour image' },
      { value: 'depth', comment: 'depth image' },
      { value: 'infra1', comment: 'left infrared image' },
      { value: 'infra2', comment: 'right infrared image' },
    ],
  },
  {
    name: 'stream_encoder',
    sqlTable: 'stream_encoder',
    values: [
      { value: 'HEVC', comment: 'H.265' },
      { value: 'Classic', comment: 'depth encoding' },
    ],
  },
];

/** A column's GraphQL scalar, or the name of an enum table (then the type is `<name>_enum`). */
export type ColumnType = 'uuid' | 'String' | 'Int' | 'timestamp' | { enum: string };

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** Filled by Postgres when omitted on insert (default or generated). */
  hasDefault: boolean;
}

export interface Relationship {
  name: string;
  kind: 'object' | 'array';
  /** Target table key (see TABLES). */
  target: string;
  /** Column on this table and on the target that match. */
  from: string;
  to: string;
  /** An object relationship whose key lives on this table is inserted before the parent. */
  insertBefore: boolean;
}

export interface Table {
  key: string;
  sqlTable: string;
  /** GraphQL object type name (Hasura custom name). */
  typeName: string;
  /** nhost root-field names: select (plural) and select_by_pk (singular). */
  plural: string;
  singular: string;
  /** Capitalised plural / singular for insertX, updateX, deleteX, xAggregate. */
  pluralCap: string;
  singularCap: string;
  columns: Column[];
  relationships: Relationship[];
}

const id: Column = { name: 'id', type: 'uuid', nullable: false, hasDefault: true };
const createdAt: Column = { name: 'createdAt', type: 'timestamp', nullable: false, hasDefault: true };
const int = (name: string, hasDefault = false): Column => ({
  name,
  type: 'Int',
  nullable: false,
  hasDefault,
});

export const TABLES: Table[] = [
  {
    key: 'cameras',
    sqlTable: 'cameras',
    typeName: 'Camera',
    plural: 'cameras',
    singular: 'camera',
    pluralCap: 'Cameras',
    singularCap: 'Camera',
    columns: [
      id,
      { name: 'model', type: { enum: 'camera_model' }, nullable: false, hasDefault: false },
      { name: 'serial', type: 'String', nullable: false, hasDefault: false },
      { name: 'name', type: 'String', nullable: true, hasDefault: false },
      createdAt,
    ],
    relationships: [
      { name: 'records', kind: 'array', target: 'records', from: 'id', to: 'cameraId', insertBefore: false },
    ],
  },
  {
    key: 'storage',
    sqlTable: 'storage',
    typeName: 'Storage',
    plural: 'storages',
    singular: 'storage',
    pluralCap: 'Storages',
    singularCap: 'Storage',
    columns: [id, int('totalSize', true), int('estimatedSize', true), createdAt],
    relationships: [],
  },
  {
    key: 'recordingSessions',
    sqlTable: 'recording_sessions',
    typeName: 'RecordingSession',
    plural: 'recordingSessions',
    singular: 'recordingSession',
    pluralCap: 'RecordingSessions',
    singularCap: 'RecordingSession',
    columns: [
      id,
      { name: 'name', type: 'String', nullable: false, hasDefault: false },
      { name: 'startDate', type: 'timestamp', nullable: false, hasDefault: false },
      { name: 'endDate', type: 'timestamp', nullable: false, hasDefault: false },
      { name: 'mode', type: { enum: 'RecordingSessionMode' }, nullable: false, hasDefault: true },
      { name: 'state', type: { enum: 'RecordingSessionState' }, nullable: false, hasDefault: true },
      int('maxTimeSeconds', true),
      int('maxSizeMegabytes', true),
      { name: 'storageId', type: 'uuid', nullable: true, hasDefault: false },
      createdAt,
      { name: 'updatedAt', type: 'timestamp', nullable: false, hasDefault: true },
    ],
    relationships: [
      {
        name: 'storage',
        kind: 'object',
        target: 'storage',
        from: 'storageId',
        to: 'id',
        insertBefore: true,
      },
      {
        name: 'records',
        kind: 'array',
        target: 'records',
        from: 'id',
        to: 'recordingId',
        insertBefore: false,
      },
    ],
  },
  {
    key: 'records',
    sqlTable: 'records',
    typeName: 'Record',
    plural: 'records',
    singular: 'record',
    pluralCap: 'Records',
    singularCap: 'Record',
    columns: [
      id,
      { name: 'recordingId', type: 'uuid', nullable: false, hasDefault: false },
      { name: 'cameraId', type: 'uuid', nullable: false, hasDefault: false },
      createdAt,
    ],
    relationships: [
      {
        name: 'recordingSession',
        kind: 'object',
        target: 'recordingSessions',
        from: 'recordingId',
        to: 'id',
        insertBefore: true,
      },
      { name: 'camera', kind: 'object', target: 'cameras', from: 'cameraId', to: 'id', insertBefore: true },
      { name: 'streams', kind: 'array', target: 'streams', from: 'id', to: 'recordId', insertBefore: false },
    ],
  },
  {
    key: 'streams',
    sqlTable: 'streams',
    typeName: 'Stream',
    plural: 'streams',
    singular: 'stream',
    pluralCap: 'Streams',
    singularCap: 'Stream',
    columns: [
      id,
      { name: 'recordId', type: 'uuid', nullable: false, hasDefault: false },
      { name: 'type', type: { enum: 'stream_type' }, nullable: false, hasDefault: false },
      { name: 'alignTo', type: 'String', nullable: false, hasDefault: false },
      { name: 'encoder', type: { enum: 'stream_encoder' }, nullable: false, hasDefault: false },
      int('width'),
      int('height'),
      int('nearCut'),
      int('farCut'),
      int('bitrate'),
      int('frameRate'),
      createdAt,
    ],
    relationships: [
      { name: 'record', kind: 'object', target: 'records', from: 'recordId', to: 'id', insertBefore: true },
    ],
  },
];

export function tableByKey(key: string): Table {
  const t = TABLES.find((x) => x.key === key);
  if (!t) throw new Error(`unknown table ${key}`);
  return t;
}

export function enumTypeName(e: string): string {
  return `${e}_enum`;
}

/** Seeded cameras: one per documented model, serials that look like real ones. */
export const SEED_CAMERAS: Array<{ model: string; serial: string; name: string }> = [
  { model: 'REALSENSE', serial: '218622270101', name: 'D405 bench' },
  { model: 'REALSENSE_D415', serial: '816612061111', name: 'D415 left' },
  { model: 'REALSENSE_D435', serial: '935322071234', name: 'D435 top' },
  { model: 'REALSENSE_D435', serial: '935322075678', name: 'D435 side' },
  { model: 'REALSENSE_D455', serial: '213622301455', name: 'D455 wide' },
  { model: 'V4L2CAMERA', serial: 'rpi-cam-0001', name: 'Raspberry Pi camera' },
];
