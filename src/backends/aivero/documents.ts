/**
 * The GraphQL documents the client sends. The five operations of the vendor document are used
 * as the vendor wrote them (same names, variables and types), so a server that runs the vendor's
 * scripts runs ours. The others follow the nhost root-field pattern the documented ones fit.
 */

export const CAMERA_WITH_MODEL_AND_SERIAL = `query CameraWithModelAndSerial($model: camera_model_enum!, $serial: String!) {
  cameras(where: {model: {_eq: $model}, serial: {_eq: $serial}}) {
    id
  }
}`;

export const INSERT_RECORDING_SESSION = `mutation InsertRecordingSession(
  $name: String!,
  $startDate: timestamp!,
  $endDate: timestamp!,
  $mode: RecordingSessionMode_enum!,
  $state: RecordingSessionState_enum!
  $maxSizeMegabytes: Int!,
  $maxTimeSeconds: Int!,
) {
  insertRecordingSession(object: {
    name: $name,
    startDate: $startDate,
    endDate: $endDate,
    mode: $mode,
    state: $state
    maxTimeSeconds: $maxTimeSeconds,
    maxSizeMegabytes: $maxSizeMegabytes,
    storage: { data: {
        totalSize: 0,
        estimatedSize: 0,
    }}
  }) {
    id
  }
}`;

export const INSERT_RECORD = `mutation InsertRecord($recordingId: uuid!, $cameraId: uuid!) {
  insertRecord(object: {cameraId: $cameraId, recordingId: $recordingId}) {
    id
  }
}`;

export const INSERT_STREAM = `mutation InsertStream(
  $recordId: uuid!,
  $type: stream_type_enum!,
  $alignTo: String!,
  $encoder: stream_encoder_enum!,
  $width: Int!
  $height: Int!,
  $nearCut: Int!,
  $farCut: Int!,
  $bitrate: Int!,
  $frameRate: Int!,
) {
  insertStream(object: {
    recordId: $recordId,
    type: $type,
    alignTo: $alignTo,
    encoder: $encoder,
    width: $width,
    height: $height,
    nearCut: $nearCut,
    farCut: $farCut,
    bitrate: $bitrate
    frameRate: $frameRate,
  }) {
    id
  }
}`;

export const UPDATE_RECORDING_SESSION_STATE = `mutation UpdateRecordingSessionState($id: uuid!, $state: RecordingSessionState_enum!) {
  updateRecordingSession(pk_columns: {id: $id}, _set: {state: $state}) {
    id
  }
}`;

export const DELETE_RECORDING_SESSION = `mutation DeleteRecordingSession($id: uuid!) {
  deleteRecordingSession(id: $id) {
    id
  }
}`;

/**
 * For a server whose foreign keys do not cascade: streams, records and the session in one
 * mutation, which Hasura runs as one transaction (all or nothing).
 */
export const DELETE_SESSION_TREE = `mutation DeleteRecordingSessionTree($id: uuid!, $recordIds: [uuid!]!) {
  deleteStreams(where: {recordId: {_in: $recordIds}}) {
    affected_rows
  }
  deleteRecords(where: {recordingId: {_eq: $id}}) {
    affected_rows
  }
  deleteRecordingSession(id: $id) {
    id
  }
}`;

export const RECORDS_OF_SESSION = `query RecordsOfSession($id: uuid!) {
  records(where: {recordingId: {_eq: $id}}) {
    id
  }
}`;

export const HEALTH = `query AiveroHealth {
  cameras(limit: 1) {
    id
  }
}`;

export const STREAM_FIELDS = [
  'id',
  'recordId',
  'type',
  'alignTo',
  'encoder',
  'width',
  'height',
  'nearCut',
  'farCut',
  'bitrate',
  'frameRate',
];

export function listCamerasDocument(fields: readonly string[]): string {
  return `query ListCameras {
  cameras {
    ${fields.join('\n    ')}
  }
}`;
}

export function getSessionDocument(fields: readonly string[]): string {
  return `query GetRecordingSession($id: uuid!) {
  recordingSession(id: $id) {
    ${fields.join('\n    ')}
  }
  records(where: {recordingId: {_eq: $id}}) {
    id
    cameraId
  }
}`;
}

export const STREAMS_OF_RECORDS = `query StreamsOfRecords($recordIds: [uuid!]!) {
  streams(where: {recordId: {_in: $recordIds}}) {
    ${STREAM_FIELDS.join('\n    ')}
  }
}`;

export interface SessionFilter {
  states?: readonly string[];
  name?: string;
}

/** Filters appear in the document only when given: Hasura's treatment of `_eq: null` varies. */
export function listSessionsDocument(
  fields: readonly string[],
  orderField: string,
  filter: SessionFilter,
  subscription = false,
): string {
  const conditions: string[] = [];
  const params: string[] = [];
  if (filter.states) {
    conditions.push('state: {_in: $states}');
    params.push('$states: [RecordingSessionState_enum!]!');
  }
  if (filter.name !== undefined) {
    conditions.push('name: {_eq: $name}');
    params.push('$name: String!');
  }
  if (!subscription) params.push('$limit: Int!');
  const args = [
    ...(conditions.length ? [`where: {${conditions.join(', ')}}`] : []),
    `order_by: {${orderField}: desc}`,
    ...(subscription ? [] : ['limit: $limit']),
  ];
  const head = subscription ? 'subscription WatchRecordingSessions' : 'query ListRecordingSessions';
  return `${head}${params.length ? `(${params.join(', ')})` : ''} {
  recordingSessions(${args.join(', ')}) {
    ${fields.join('\n    ')}
  }
}`;
}

/** A live query on one session's state (Hasura re-sends the result whenever it changes). */
export const WATCH_SESSION = `subscription WatchRecordingSession($id: uuid!) {
  recordingSessions(where: {id: {_eq: $id}}) {
    id
    name
    state
  }
}`;

export const WATCH_ALL_SESSIONS = `subscription WatchRecordingSessions {
  recordingSessions {
    id
    name
    state
  }
}`;

/** A live query on several sessions (shared by everything waiting for a state on one client). */
export const WATCH_SESSIONS_IN = `subscription WatchRecordingSessionsIn($ids: [uuid!]!) {
  recordingSessions(where: {id: {_in: $ids}}) {
    id
    name
    state
  }
}`;

/** The same selections as queries, for the polling fallback. */
export const POLL_SESSION = WATCH_SESSION.replace(
  'subscription WatchRecordingSession',
  'query PollRecordingSession',
);
export const POLL_ALL_SESSIONS = WATCH_ALL_SESSIONS.replace(
  'subscription WatchRecordingSessions',
  'query PollRecordingSessions',
);

export const POLL_SESSIONS_IN = WATCH_SESSIONS_IN.replace(
  'subscription WatchRecordingSessionsIn',
  'query PollRecordingSessionsIn',
);

const ENUM_SELECTION = '{ enumValues { name } }';
export function introspectionDocument(enumTypes: Readonly<Record<string, string>>): string {
  const enums = Object.entries(enumTypes)
    .map(([alias, type]) => `  ${alias}: __type(name: "${type}") ${ENUM_SELECTION}`)
    .join('\n');
  return `query AiveroIntrospection {
${enums}
  schema: __schema {
    queryType {
      fields {
        name
        type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
      }
    }
  }
}`;
}

const FIELD_SELECTION = '{ fields { name type { kind name ofType { kind name ofType { kind name } } } } }';
/** The columns of the named object types, one alias per type. */
export function typeFieldsDocument(types: Readonly<Record<string, string>>): string {
  const params = Object.keys(types).map((alias) => `$${alias}: String!`);
  const fields = Object.keys(types).map((alias) => `  ${alias}: __type(name: $${alias}) ${FIELD_SELECTION}`);
  return `query AiveroTypeFields(${params.join(', ')}) {\n${fields.join('\n')}\n}`;
}
