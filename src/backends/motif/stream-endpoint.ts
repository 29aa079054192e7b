/**
 * Where a camera's realtime stream is (vendor documentation): the camera from the caller or the first
 * one, its status read for `camera_info.stream.<kind>`, a reported `0.0.0.0` replaced by the API
 * host, an explicit host override winning over both. Read again at every (re)connect, because the
 * port can change when motif restarts.
 */
import { ApiError, RecorderError } from '../../common/errors';
import type { MotifClient } from './client';

export type MotifStreamKind = 'image' | 'state';

export interface MotifStreamEndpoint {
  serial: string;
  kind: MotifStreamKind;
  /** Host as the camera status reported it. */
  reportedHost: string;
  /** Host we connect to (after the 0.0.0.0 rule and the override). */
  host: string;
  port: number;
  /** `tcp://host:port` */
  url: string;
}

export interface ResolveStreamOptions {
  kind: MotifStreamKind;
  /** Camera serial; empty = the first camera the server lists. */
  serial?: string;
  /** Connect here whatever the camera reports (the Python client's `force_host`). */
  hostOverride?: string;
  /** Host of the motif API, used when the camera reports `0.0.0.0`. */
  apiHost: string;
  signal?: AbortSignal;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]', '*']);

/** The documented host rule: 0.0.0.0 means the API host. */
export function streamHost(reported: string, apiHost: string, override?: string): string {
  if (override?.trim()) return override.trim();
  if (ANY_ADDRESS.has(reported) && !ANY_ADDRESS.has(apiHost)) return apiHost;
  return reported;
}

export function tcpUrl(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return `tcp://${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

export async function resolveStreamEndpoint(
  client: MotifClient,
  options: ResolveStreamOptions,
): Promise<MotifStreamEndpoint> {
  const call = { signal: options.signal };
  let serial = options.serial?.trim() ?? '';
  if (!serial) {
    const cameras = await client.cameras(call);
    if (cameras.length === 0)
      // Server state, not our configuration: a camera may come up later, so this is retried.
      throw new RecorderError('API', 'motif reports no cameras connected or running', 'no cameras');
    serial = cameras[0].serial;
  }
  let status: Record<string, unknown>;
  try {
    status = await client.cameraStatus(serial, call);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new RecorderError('API', `motif camera "${serial}" was not found`, 'unknown camera', {
        cause: err,
      });
    throw err;
  }
  const info = isRecord(status.camera_info) ? status.camera_info : {};
  const streams = isRecord(info.stream) ? info.stream : {};
  const entry = streams[options.kind];
  if (!isRecord(entry))
    throw new RecorderError(
      'API',
      `the realtime ${options.kind} stream is not enabled on motif camera "${serial}"`,
      'no stream',
    );
  const reportedHost = typeof entry.host === 'string' ? entry.host.trim() : '';
  const port = typeof entry.port === 'string' ? Number(entry.port.trim()) : entry.port;
  if (!reportedHost || typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new RecorderError(
      'API',
      `motif camera "${serial}" reports an unusable ${options.kind} stream address`,
      'bad stream address',
    );
  const host = streamHost(reportedHost, options.apiHost, options.hostOverride);
  return { serial, kind: options.kind, reportedHost, host, port, url: tcpUrl(host, port) };
}
