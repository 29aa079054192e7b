/**
 * Operations on "one camera or every camera". motif has all-cameras forms for most per-camera
 * operations (`recording/start` next to `camera/<serial>/recording/start`); for the others the
 * operation runs on each camera the server lists, results keyed by serial. Waiting after a call
 * ("until stopped / copied / exported") follows the same rule.
 */
import { InputError } from '../../common/errors';
import type { MotifCallOptions, MotifClient, MotifWaitKind } from './client';
import { endpointPath, findEndpoint, type MotifEndpoint } from './endpoints';

/** Camera value meaning "every camera" (also motif's own serial for "all" in multicam paths). */
export const ALL_CAMERAS = '__all';

/** What "wait until done" waits for after a successful call of this operation, if anything. */
export function waitKindFor(endpoint: MotifEndpoint): MotifWaitKind | undefined {
  if (endpoint.group === 'schedule') return undefined;
  if (endpoint.id.endsWith('recording/start') || endpoint.id.endsWith('recording/stop')) return 'stopped';
  if (endpoint.id.endsWith('recordings/copy_all')) return 'copied';
  if (endpoint.id.endsWith('recordings/export_all')) return 'exported';
  return undefined;
}

/**
 * The endpoint to call for `camera`: an operation with a `<serial>` asked for every camera becomes
 * its all-cameras form when motif has one. `camera` is then undefined (no serial in the path),
 * a serial, or ALL_CAMERAS (fan out over the cameras).
 */
export function endpointForCamera(
  endpoint: MotifEndpoint,
  camera: string | undefined,
): { endpoint: MotifEndpoint; camera: string | undefined } {
  if (!endpoint.pathParams.includes('serial')) return { endpoint, camera: undefined };
  if (camera === ALL_CAMERAS && endpoint.allCameras) {
    const all = findEndpoint(endpoint.allCameras);
    if (all && !all.pathParams.includes('serial')) return { endpoint: all, camera: undefined };
  }
  return { endpoint, camera };
}

/** The serials an operation on `camera` concerns: that one, or every camera the server lists. */
export async function cameraSerials(
  client: MotifClient,
  camera: string | undefined,
  options: MotifCallOptions = {},
): Promise<string[]> {
  if (camera === undefined || camera === '') return [];
  if (camera !== ALL_CAMERAS) return [camera];
  return (await client.cameras(options)).map((c) => c.serial);
}

/**
 * Calls `endpoint` for `camera` (see endpointForCamera): once, or — ALL_CAMERAS on an operation
 * without an all-cameras form — once per camera, results keyed by serial.
 */
export function callForCameras(
  client: MotifClient,
  endpoint: MotifEndpoint,
  camera: string | undefined,
  params: Record<string, string>,
  body: Record<string, unknown> | undefined,
  options: MotifCallOptions = {},
): Promise<unknown> {
  // The one-camera call is the hot path: handed through, without another async frame.
  if (camera !== ALL_CAMERAS) {
    const withSerial = camera ? { ...params, serial: camera } : params;
    return client.call(endpoint.id, withSerial, body, options);
  }
  return callEachCamera(client, endpoint, params, body, options);
}

async function callEachCamera(
  client: MotifClient,
  endpoint: MotifEndpoint,
  params: Record<string, string>,
  body: Record<string, unknown> | undefined,
  options: MotifCallOptions,
): Promise<unknown> {
  const results: Record<string, unknown> = {};
  for (const { serial } of await client.cameras(options)) {
    results[serial] = await client.call(endpoint.id, { ...params, serial }, body, options);
  }
  return results;
}

/**
 * Waits until the cameras an operation concerned are done: the one camera, or — for an
 * all-cameras operation or ALL_CAMERAS — every camera, one after the other within `timeoutMs` each.
 */
export async function waitForCameras(
  client: MotifClient,
  kind: MotifWaitKind,
  camera: string | undefined,
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<void> {
  const serials = await cameraSerials(client, camera || ALL_CAMERAS, { signal: options.signal });
  for (const serial of serials) await client.waitUntil(kind, serial, options);
}

/** The wire path for messages and logs; `*` stands for every camera. Never throws. */
export function describePath(
  endpoint: MotifEndpoint,
  camera: string | undefined,
  params: Record<string, string>,
): string {
  try {
    const serial = camera === ALL_CAMERAS ? '*' : camera;
    return endpointPath(endpoint, serial ? { ...params, serial } : params);
  } catch (err) {
    if (err instanceof InputError) return endpoint.id;
    throw err;
  }
}
