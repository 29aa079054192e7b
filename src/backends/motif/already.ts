/**
 * "Already done" as success, for a flow that repeats commands (MQTT, a coordinator retrying): a
 * recording start on a camera that already records, a stop where nothing records. motif answers
 * the first with 409 "camera … is already recording" (and an all-cameras start with that 409 starts
 * no camera at all), the second with success and an empty `serials` list. Only these two
 * operations have an "already" case; every other call is performed as it is.
 */
import { ApiError } from '../../common/errors';
import { isPlainObject } from '../../common/input';
import { ALL_CAMERAS, callForCameras } from './cameras';
import type { MotifCallOptions, MotifClient } from './client';
import { findEndpoint, type MotifEndpoint } from './endpoints';

export interface MotifAnswer {
  answer: unknown;
  /** The camera(s) were already in the state the call asked for; nothing changed. */
  already: boolean;
}

type AlreadyCase = 'start' | 'stop';

/** Whether an operation has an "already" case: recording start or stop (not the scheduled ones). */
export function alreadyCaseOf(endpoint: MotifEndpoint): AlreadyCase | undefined {
  if (endpoint.group === 'schedule') return undefined;
  if (endpoint.id === 'recording/start' || endpoint.id === 'camera/<serial>/recording/start') return 'start';
  if (endpoint.id === 'recording/stop' || endpoint.id === 'camera/<serial>/recording/stop') return 'stop';
  return undefined;
}

const ALREADY_RECORDING = /already recording/i;
const NOT_RECORDING = /not recording|no recording/i;

function isConflict(err: unknown, words: RegExp): err is ApiError {
  return err instanceof ApiError && err.status === 409 && words.test(err.serverMessage);
}

/**
 * Calls like callForCameras; with an "already" case, that case is an answer marked `already`
 * instead of an error. An all-cameras start refused because one camera records is then made per
 * camera, so the cameras not yet recording start and the others count as already recording.
 */
export async function callAcceptingAlready(
  client: MotifClient,
  endpoint: MotifEndpoint,
  camera: string | undefined,
  params: Record<string, string>,
  body: Record<string, unknown> | undefined,
  options: MotifCallOptions = {},
): Promise<MotifAnswer> {
  const kind = alreadyCaseOf(endpoint);
  if (!kind)
    return { answer: await callForCameras(client, endpoint, camera, params, body, options), already: false };
  const words = kind === 'start' ? ALREADY_RECORDING : NOT_RECORDING;
  try {
    const answer = await callForCameras(client, endpoint, camera, params, body, options);
    const nothingStopped =
      kind === 'stop' &&
      isPlainObject(answer) &&
      Array.isArray(answer.serials) &&
      answer.serials.length === 0;
    return { answer, already: nothingStopped };
  } catch (err) {
    if (!isConflict(err, words)) throw err;
    if (kind === 'start' && (camera === undefined || camera === ALL_CAMERAS))
      return startEachCamera(client, params, body, options);
    return { answer: { ok: true, already: true, message: err.serverMessage }, already: true };
  }
}

async function startEachCamera(
  client: MotifClient,
  params: Record<string, string>,
  body: Record<string, unknown> | undefined,
  options: MotifCallOptions,
): Promise<MotifAnswer> {
  const one = findEndpoint('camera/<serial>/recording/start');
  if (!one) throw new Error('the motif endpoint table has no camera/<serial>/recording/start');
  const results: Record<string, unknown> = {};
  let started = 0;
  for (const { serial } of await client.cameras(options)) {
    try {
      results[serial] = await client.call(one.id, { ...params, serial }, body, options);
      started += 1;
    } catch (err) {
      if (!isConflict(err, ALREADY_RECORDING)) throw err;
      results[serial] = { ok: true, already: true, message: err.serverMessage };
    }
  }
  return { answer: results, already: started === 0 };
}
