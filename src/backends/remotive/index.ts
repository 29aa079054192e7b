/** RemotiveLabs broker backend: the client and its helpers. No Node-RED imports. */
export {
  RemotiveClient,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_STATUS_STALL_MS,
} from './client';
export type { RemotiveClientOptions, LicenceInfo, SubscribeRequest, StateListener } from './client';
export type {
  PlaybackStatus,
  PlaybackMode,
  RecordingFile,
  RecordingFileType,
  SignalSample,
  SignalValue,
} from './codec';
export { StallError } from './stream';
export type { StreamHandle, StreamState } from './stream';
export { checkPath, checkName, shown, MAX_PATH_LENGTH, MAX_NAME_LENGTH } from './names';
export { apiStatusText, reasonOf } from './errors';
export { parseBrokerUrl, DEFAULT_PLAIN_PORT, DEFAULT_TLS_PORT } from './url';
export type { BrokerAddress } from './url';
export { parseOffset, formatOffset } from './offset';
export { protoDir, PROTO_FILES, LOADER_OPTIONS } from './proto';
export { checkCa, checkCredential } from './settings';
export {
  PLAYBACK_OPERATIONS,
  runPlayback,
  describePlayback,
  summarisePlayback,
  type PlaybackOperation,
  type PlaybackCommand,
  type PlaybackResult,
  type KeptOpen,
} from './playback';
export { playbackPosition, type PlaybackPosition } from './position';
