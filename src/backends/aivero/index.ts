/** The Aivero backend: a Hasura GraphQL client for RGB-D recording sessions. No Node-RED imports. */
export {
  AiveroClient,
  AiveroCreateError,
  type AiveroCamera,
  type AiveroSession,
  type AiveroSessionRow,
  type AiveroStream,
  type CallOptions,
  type CreatedSession,
  type HealthReport,
  type ListSessionsOptions,
  type PartialSession,
} from './client';
export {
  DEFAULT_TIMEOUT_MS,
  parseEndpoint,
  resolveConfig,
  type AiveroClientOptions,
  type AiveroEndpoint,
  type AiveroTls,
} from './config';
export {
  checkEnum,
  DOC_ENUMS,
  ENUM_TYPES,
  SESSION_STATES,
  type AiveroEnums,
  type EnumKind,
  type SessionState,
} from './enums';
export {
  AiveroApiError,
  AiveroAuthError,
  AiveroInputError,
  AiveroNotFoundError,
  AiveroPermissionError,
  isRetryableError,
  MAX_ERROR_TEXT,
  type HasuraDetails,
} from './errors';
export {
  CUT_MAX,
  REALSENSE_ALIGN_TARGETS,
  REALSENSE_COLOR_RESOLUTIONS,
  REALSENSE_DEPTH_RESOLUTIONS,
  REALSENSE_FRAME_RATES,
  cameraWarnings,
  streamWarnings,
} from './limits';
export type { SchemaInfo } from './schema';
export {
  checkCameraRef,
  checkUuid,
  prepareSession,
  type CameraRef,
  type PreparedSession,
  type RecordSpec,
  type SessionSpec,
  type StreamParameters,
  type StreamSpec,
} from './spec';
export {
  ALWAYS_END,
  ALWAYS_START,
  formatTimestamp,
  parseServerTimestamp,
  parseTime,
  toTimestamp,
  type TimeInput,
} from './time';
export { MAX_WAITED_SESSIONS, type ReachedState, type WaitOptions } from './waiters';
export {
  DEFAULT_COALESCE_MS,
  DEFAULT_STALL_MS,
  SessionWatch,
  WATCH_PROTOCOLS,
  type SessionRemoved,
  type StateChange,
  type WatchOptions,
  type WatchProtocol,
} from './watch';
export {
  AIVERO_OPERATION_GROUPS,
  AIVERO_OPERATIONS,
  runAiveroOperation,
  canWaitAfter,
  type AiveroOperation,
  type AiveroCall,
  type AiveroOutcome,
  type AfterWrite,
} from './operations';
