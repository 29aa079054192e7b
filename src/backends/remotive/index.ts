/** RemotiveLabs broker backend: the client and its helpers. No Node-RED imports. */
export { RemotiveClient, DEFAULT_TIMEOUT_MS } from './client';
export type { RemotiveClientOptions, LicenceInfo, SubscribeRequest, StateListener } from './client';
export type {
  PlaybackStatus,
  PlaybackMode,
  RecordingFile,
  RecordingFileType,
  SignalSample,
  SignalValue,
} from './codec';
export type { StreamHandle, StreamState } from './stream';
export { parseBrokerUrl, DEFAULT_PLAIN_PORT, DEFAULT_TLS_PORT } from './url';
export type { BrokerAddress } from './url';
export { parseOffset } from './offset';
export { protoDir, PROTO_FILES, LOADER_OPTIONS } from './proto';
