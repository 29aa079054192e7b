/** The loopbio motif backend: REST client, endpoint table, JSON codec and TLS trust. */
export * from './client';
export * from './endpoints';
export * from './cameras';
export { parseMotifJson, stringifyMotifJson } from './json';
export { LOOPBIO_SERVER_FINGERPRINT, normaliseFingerprint, formatFingerprint } from './tls';
export * from './stream';
export * from './stream-endpoint';
export * from './stream-codec';
export { encodeFrame, type EncodeOptions, type FrameEncoding } from './frame-encode';
export * from './tasks';
export { motifClockSample } from './clock';
export * from './already';
