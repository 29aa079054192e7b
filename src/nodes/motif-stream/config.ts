/**
 * The motif-stream node's configuration, checked and turned into backend options. No Node-RED
 * imports: the editor fields arrive as strings or numbers and leave as typed options.
 */
import type { FrameEncoding } from '../../backends/motif/frame-encode';
import type { MotifStreamKind } from '../../backends/motif/stream-endpoint';
import { ConfigError } from '../../common/errors';
import { FLOW_MODES, type FlowControlOptions, type FlowMode } from '../../common/flow-control';

export interface MotifStreamConfig {
  camera?: string;
  stream?: string;
  host?: string;
  mode?: string;
  every?: string | number;
  perSecond?: string | number;
  queue?: string | number;
  encoding?: string;
  quality?: string | number;
  stallTimeout?: string | number;
  /** Largest accepted frame in MB (ZeroMQ maxMessageSize). */
  maxFrameMB?: string | number;
  autoStart?: boolean | string;
}

export interface StreamSettings {
  kind: MotifStreamKind;
  /** Empty = the first camera. */
  camera: string;
  hostOverride: string;
  flow: FlowControlOptions;
  encoding: FrameEncoding;
  quality: number;
  stallMs: number;
  maxMessageBytes: number;
  autoStart: boolean;
}

function numberField(value: string | number | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : NaN;
}

export function streamSettings(config: MotifStreamConfig): StreamSettings {
  const kind = config.stream || 'image';
  if (kind !== 'image' && kind !== 'state')
    throw new ConfigError(`unknown stream "${kind}" (image or state)`);
  const mode = (config.mode || 'latest') as FlowMode;
  if (!FLOW_MODES.includes(mode)) throw new ConfigError(`unknown backpressure mode "${mode}"`);
  const every = numberField(config.every, 2);
  if (mode === 'nth' && !(Number.isInteger(every) && every >= 1))
    throw new ConfigError('"every Nth frame" needs a whole number N ≥ 1');
  const perSecond = numberField(config.perSecond, 10);
  if (mode === 'rate' && !(perSecond > 0)) throw new ConfigError('"at most N per second" needs N > 0');
  const queue = numberField(config.queue, 8);
  if (!(Number.isInteger(queue) && queue >= 1 && queue <= 1000))
    throw new ConfigError('the queue size must be a whole number from 1 to 1000');
  const encoding = (kind === 'image' ? config.encoding || 'raw' : 'raw') as FrameEncoding;
  if (!['raw', 'jpeg', 'png'].includes(encoding)) throw new ConfigError(`unknown encoding "${encoding}"`);
  const quality = numberField(config.quality, 80);
  if (!(quality >= 1 && quality <= 100)) throw new ConfigError('the JPEG quality must be from 1 to 100');
  const stall = numberField(config.stallTimeout, 5);
  if (!(stall >= 0)) throw new ConfigError('the stall timeout must be a number of seconds ≥ 0');
  const maxFrameMB = numberField(config.maxFrameMB, 64);
  if (!(maxFrameMB >= 1 && maxFrameMB <= 1024))
    throw new ConfigError('the largest frame must be from 1 to 1024 MB');
  return {
    kind,
    camera: (config.camera ?? '').trim(),
    hostOverride: (config.host ?? '').trim(),
    flow: { mode, every, perSecond, maxQueue: queue },
    encoding,
    quality,
    stallMs: Math.round(stall * 1000),
    maxMessageBytes: Math.round(maxFrameMB * 1024 * 1024),
    autoStart: config.autoStart === undefined || config.autoStart === true || config.autoStart === 'true',
  };
}

/** Host part of a motif-server `address` ("host:port", IPv6 hosts included). */
export function hostOfAddress(address: string): string {
  const i = address.lastIndexOf(':');
  return (i > 0 ? address.slice(0, i) : address).replace(/^\[(.*)\]$/, '$1');
}
