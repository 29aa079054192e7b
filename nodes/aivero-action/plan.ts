/**
 * What one message asks aivero-action to do, from the node's fields and the message, by the one
 * override rule (a configured value wins; an empty field takes the msg property). Checks the shape
 * here; the backend checks every value (uuid, enum, stream limits) before anything is sent.
 */
import type { AiveroCall } from '../../src/backends/aivero';
import { InputError } from '../../src/common/errors';
import type { FieldValues } from '../../src/kit/fields';
import { describe, isPlainObject, type JsonObject } from '../../src/common/input';
import type { Msg } from '../../src/kit/node-red';
import { FIELDS, type Operation } from './fields';

export type ActionValues = FieldValues<typeof FIELDS>;

export interface CameraRefInput {
  model: string;
  serial: string;
}

/** One message's call: the backend's operation, as the table of its door describes it. */
export type Plan = AiveroCall;

/** Keys a session spec may have; anything else in msg.payload is a mistake worth naming. */
const SPEC_KEYS = new Set([
  'name',
  'startDate',
  'endDate',
  'always',
  'mode',
  'state',
  'maxTimeSeconds',
  'maxSizeMegabytes',
  'records',
]);

function text(value: unknown, what: string, max: number): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw new InputError(`${what} must be text, got ${describe(value)}`, what);
  if (value.length > max) throw new InputError(`${what} is longer than ${max} characters`, what);
  return value.trim();
}

/** The camera: the configured model and serial, each left empty taken from msg.camera. */
export function cameraFrom(values: ActionValues, msg: Msg): CameraRefInput {
  let model = values.cameraModel;
  let serial = values.cameraSerial;
  if (!model || !serial) {
    const given = msg.camera;
    if (given === undefined || given === null || given === '')
      throw new InputError(
        'the camera is needed: set model and serial in the node or send msg.camera {model, serial}',
        'msg.camera',
      );
    if (!isPlainObject(given))
      throw new InputError(`msg.camera must be {model, serial}, got ${describe(given)}`, 'msg.camera');
    if (!model) model = text(given.model ?? '', 'msg.camera.model', 40);
    if (!serial) serial = text(given.serial ?? '', 'msg.camera.serial', 200);
  }
  if (!model) throw new InputError('msg.camera.model is missing', 'msg.camera');
  if (!serial) throw new InputError('msg.camera.serial is missing', 'msg.camera');
  return { model, serial };
}

/** The builder's session with msg.payload's keys over it; records without a camera get the node's/msg's. */
function specFrom(values: ActionValues, msg: Msg): JsonObject {
  const configured = values.sessionSpec ?? {};
  const payload = msg.payload;
  let spec: JsonObject = { ...configured };
  if (isPlainObject(payload)) {
    for (const key of Object.keys(payload)) {
      if (!SPEC_KEYS.has(key))
        throw new InputError(
          `msg.payload has "${key.slice(0, 40)}", which a session does not take (${[...SPEC_KEYS].join(', ')})`,
          'msg.payload',
        );
    }
    spec = { ...spec, ...payload };
  } else if (payload !== undefined && payload !== null && payload !== '' && typeof payload !== 'number') {
    // A timestamp or a button's payload is not a session; anything else structured is a mistake.
    if (typeof payload !== 'string' && typeof payload !== 'boolean')
      throw new InputError(
        `msg.payload must be an object (session fields), got ${describe(payload)}`,
        'msg.payload',
      );
  }
  if (Array.isArray(spec.records)) {
    let fallback: CameraRefInput | undefined;
    spec.records = spec.records.map((record: unknown) => {
      if (!isPlainObject(record) || record.cameraId !== undefined) return record;
      const camera = record.camera;
      if (typeof camera === 'string') return record;
      const ref = isPlainObject(camera) ? camera : {};
      if (ref.id !== undefined && ref.id !== '') return record;
      if (ref.model && ref.serial) return record;
      fallback ??= cameraFrom(values, msg);
      return {
        ...record,
        camera: { model: ref.model || fallback.model, serial: ref.serial || fallback.serial },
      };
    });
  }
  return spec;
}

/** The call one message asks for; `values` are the node's fields with the message's where set to "from msg". */
export function planCall(values: ActionValues, msg: Msg): Plan {
  const operation = values.operation as Operation | '';
  const sessionId = (): string => {
    if (!values.session)
      throw new InputError('the session id is needed: set it in the node or in msg.session', 'msg.session');
    return values.session;
  };
  switch (operation) {
    case '':
      throw new InputError(
        'the operation is needed: set it in the node or in msg.operation',
        'msg.operation',
      );
    case 'findCamera':
      return { operation, camera: cameraFrom(values, msg) };
    case 'listCameras':
      return { operation };
    case 'createSession':
      return { operation, spec: specFrom(values, msg) };
    case 'getSession':
    case 'deleteSession':
      return { operation, session: sessionId() };
    case 'setState':
      if (!values.state)
        throw new InputError('the state is needed: set it in the node or in msg.state', 'msg.state');
      return { operation, session: sessionId(), state: values.state, acceptAlready: values.alreadyOk };
    case 'listSessions': {
      const payload = isPlainObject(msg.payload) ? msg.payload : {};
      const state =
        values.listState ||
        (payload.state === undefined ? undefined : text(payload.state, 'msg.payload.state', 40));
      const name =
        values.listName ||
        (payload.name === undefined ? undefined : text(payload.name, 'msg.payload.name', 200));
      let limit = values.limit;
      if (limit === undefined && payload.limit !== undefined) {
        const n = Number(payload.limit);
        if (!Number.isInteger(n) || n < 1 || n > 1000)
          throw new InputError(
            `msg.payload.limit must be a whole number from 1 to 1000, got ${describe(payload.limit)}`,
            'msg.payload',
          );
        limit = n;
      }
      return { operation, state: state || undefined, name: name || undefined, limit };
    }
  }
}
