/**
 * motif-stream's fields, and the backend settings they become. Same override rule as every node:
 * a configured camera wins; an empty camera ("first camera / from msg") takes `msg.camera` of a
 * start or restart message. `msg.action` is a command, not a field.
 */
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  type FrameEncoding,
  type MotifStreamKind,
} from '../../src/backends/motif';
import { ConfigError } from '../../src/common/errors';
import { field, readConfig } from '../../src/kit/fields';
import { FLOW_MODES, type FlowControlOptions } from '../../src/common/flow-control';
import { hostProblem } from '../../src/common/formats';

const WHERE = 'motif-stream';

export const FIELDS = {
  name: field.name(),
  server: field.node({ label: 'server', nodeType: 'motif-server' }),
  /** Empty: the first camera the server lists, or msg.camera. */
  camera: field.text({ label: 'camera', msg: 'camera', maxLength: 128 }),
  stream: field.text({ label: 'stream', default: 'image', choices: ['image', 'state'] }),
  /** Connect here whatever the camera reports (the Python client's force_host). */
  host: field.text({ label: 'stream host', maxLength: 253 }),
  mode: field.text({ label: 'backpressure', default: 'latest', choices: FLOW_MODES }),
  every: field.number({ label: 'N', default: 2, min: 1, max: 1_000_000, integer: true }),
  perSecond: field.number({ label: 'N per second', default: 10, min: 0.001, max: 100_000 }),
  queue: field.number({ label: 'queue', default: 8, min: 1, max: 1000, integer: true }),
  encoding: field.text({ label: 'output', default: 'raw', choices: ['raw', 'jpeg', 'png'] }),
  quality: field.number({ label: 'JPEG quality', default: 80, min: 1, max: 100 }),
  /** A JPEG/PNG frame as `data:` URL text, which an <img> (a Dashboard template) shows as it comes. */
  dataUrl: field.flag({ label: 'payload as data URL', default: false }),
  /** Seconds without a message before the socket is recreated; 0 = never. */
  stallTimeout: field.number({ label: 'stalled after', default: 5, min: 0, max: 3600 }),
  /** Largest accepted frame, MB (ZeroMQ maxMessageSize). */
  maxFrameMB: field.number({
    label: 'largest frame',
    default: DEFAULT_MAX_MESSAGE_BYTES / (1024 * 1024),
    min: 1,
    max: 1024,
  }),
  autoStart: field.flag({ label: 'start on deploy', default: true }),
};

export interface StreamSettings {
  server: string;
  kind: MotifStreamKind;
  /** Empty = the first camera (or msg.camera on start). */
  camera: string;
  hostOverride: string;
  flow: FlowControlOptions;
  encoding: FrameEncoding;
  quality: number;
  /** Encoded frames as `data:<mimetype>;base64,…` text instead of a Buffer. */
  dataUrl: boolean;
  stallMs: number;
  maxMessageBytes: number;
  autoStart: boolean;
}

export function readStreamSettings(config: Readonly<Record<string, unknown>>): StreamSettings {
  const v = readConfig(FIELDS, config, WHERE);
  const hostProblemText = v.host ? hostProblem(v.host) : null;
  if (hostProblemText !== null)
    throw new ConfigError(
      `${WHERE}: stream host must be a host name or IP address (${hostProblemText})`,
      'host',
      'invalid stream host',
    );
  const kind = v.stream as MotifStreamKind;
  return {
    server: v.server,
    kind,
    camera: v.camera,
    hostOverride: v.host,
    flow: {
      mode: v.mode as FlowControlOptions['mode'],
      every: v.every ?? 2,
      perSecond: v.perSecond ?? 10,
      maxQueue: v.queue ?? 8,
    },
    // State messages are JSON: only images are encoded.
    encoding: kind === 'image' ? (v.encoding as FrameEncoding) : 'raw',
    quality: v.quality ?? 80,
    // Raw pixels have no image type a browser could show: only an encoded frame becomes a URL.
    dataUrl: v.dataUrl && kind === 'image' && v.encoding !== 'raw',
    stallMs: Math.round((v.stallTimeout ?? 5) * 1000),
    maxMessageBytes: Math.round((v.maxFrameMB ?? 64) * 1024 * 1024),
    autoStart: v.autoStart,
  };
}

/** Host part of a motif-server `address` ("host:port", IPv6 hosts in brackets). */
export function hostOfAddress(address: string): string {
  const i = address.lastIndexOf(':');
  return (i > 0 ? address.slice(0, i) : address).replace(/^\[(.*)\]$/, '$1');
}
