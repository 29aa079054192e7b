/**
 * Turns the resolved fields of a message (see fields.ts for the override rule) and its payload into
 * one motif call: which endpoint, which path parameters, which JSON body, which cameras. Pure (no
 * network): every check here happens before anything reaches the server.
 */
import {
  ALL_CAMERAS,
  endpointForCamera,
  findEndpoint,
  type MotifArgSpec,
  type MotifEndpoint,
} from '../../src/backends/motif';
import { InputError } from '../../src/common/errors';
import type { FieldValues } from '../../src/kit/fields';
import { describe, isPlainObject, type JsonObject } from '../../src/common/input';
import type { FIELDS } from './fields';

export { ALL_CAMERAS, waitKindFor } from '../../src/backends/motif';

/** The resolved fields of one message (configured values, or msg values where set to "from msg"). */
export type MotifActionValues = FieldValues<typeof FIELDS>;

export interface PlannedCall {
  endpoint: MotifEndpoint;
  /** Path parameters other than the camera serial. */
  params: Record<string, string>;
  body: JsonObject | undefined;
  /** undefined: endpoint takes no camera; a serial; or ALL_CAMERAS when no all-cameras form exists. */
  camera: string | undefined;
}

/** The node field (and msg property of the same name) that feeds a path parameter, per endpoint. */
type PathField = 'camera' | 'task' | 'ioSerial' | 'ioPort' | 'output' | 'parameter';

export function pathParamSource(endpoint: MotifEndpoint, param: string): { prop: PathField; label: string } {
  if (param === 'serial') return { prop: 'camera', label: 'camera' };
  if (param === 'task_name') return { prop: 'task', label: 'task name' };
  if (param === 'io_serial') return { prop: 'ioSerial', label: 'IO device serial' };
  if (param === 'io_port') return { prop: 'ioPort', label: 'IO port' };
  if (endpoint.group === 'io' || endpoint.id.includes('/io/'))
    return { prop: 'output', label: 'output name' };
  return { prop: 'parameter', label: 'parameter name' };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** Strings an MQTT or dashboard flow can send for the toggle values motif understands. */
const NON_FINITE: Record<string, number> = {
  inf: Infinity,
  '+inf': Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-inf': -Infinity,
  '-infinity': -Infinity,
  nan: NaN,
};

function coerceArg(spec: MotifArgSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'number': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string') {
        const special = NON_FINITE[value.trim().toLowerCase()];
        if (special !== undefined) return special;
        if (value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      }
      if (typeof value === 'boolean') return value ? 1 : 0;
      break;
    }
    case 'string':
      if (typeof value === 'string') return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      break;
    case 'object':
      if (isPlainObject(value)) return value;
      break;
    default:
      return value;
  }
  throw new InputError(`argument "${spec.name}" must be a ${spec.type}, got ${describe(value)}`);
}

/** Editor arguments (a JSON object) merged with `msg.payload` (an object, or a scalar `value`). */
export function resolveBody(
  endpoint: MotifEndpoint,
  configArgs: JsonObject | undefined,
  payload: unknown,
  hint = '',
): JsonObject | undefined {
  const base: JsonObject = configArgs ?? {};
  let fromMsg: JsonObject = {};
  const valueArg = endpoint.args.find((a) => a.name === 'value');
  if (isPlainObject(payload)) fromMsg = payload;
  else if (
    valueArg &&
    (typeof payload === 'number' || typeof payload === 'string' || typeof payload === 'boolean')
  ) {
    // A slider, a switch or an MQTT number drives an output or a parameter directly.
    fromMsg = { value: payload };
  }
  const merged: JsonObject = { ...base, ...fromMsg };
  const body: JsonObject = {};
  for (const [key, value] of Object.entries(merged)) {
    if (value === undefined) continue;
    const spec = endpoint.args.find((a) => a.name === key);
    if (!spec && !endpoint.freeArgs) {
      const known = endpoint.args.map((a) => a.name).join(', ') || 'none';
      throw new InputError(`"${endpoint.label}" takes no argument "${key}" (arguments: ${known})${hint}`);
    }
    body[key] = spec ? coerceArg(spec, value) : value;
  }
  for (const spec of endpoint.args) {
    if (spec.required && body[spec.name] === undefined) {
      throw new InputError(`"${endpoint.label}" needs the argument "${spec.name}" (${spec.description})`);
    }
  }
  return Object.keys(body).length > 0 ? body : undefined;
}

export function planCall(values: MotifActionValues, payload: unknown): PlannedCall {
  const operation = values.operation;
  if (!operation)
    throw new InputError('no operation: choose one in the node or set msg.operation', 'msg.operation');
  const configured = findEndpoint(operation);
  if (!configured) throw new InputError(`unknown motif operation "${clip(operation)}"`, 'msg.operation');

  let chosen: string | undefined;
  if (configured.pathParams.includes('serial')) {
    chosen = values.camera;
    if (chosen === 'all' || chosen === '*') chosen = ALL_CAMERAS;
    if (!chosen)
      throw new InputError(
        `"${configured.label}" needs a camera: set one in the node or msg.camera`,
        'msg.camera',
      );
  }
  const { endpoint, camera } = endpointForCamera(configured, chosen);

  const params: Record<string, string> = {};
  for (const param of endpoint.pathParams) {
    if (param === 'serial') continue;
    const source = pathParamSource(endpoint, param);
    const value = values[source.prop];
    if (!value)
      throw new InputError(
        `"${endpoint.label}" needs the ${source.label}: set it in the node or msg.${source.prop}`,
        `msg.${source.prop}`,
      );
    params[param] = value;
  }
  const usePayload = values.payloadArgs;
  const hint = usePayload
    ? '; msg.payload is merged into the arguments: untick "arguments from msg.payload" to ignore it'
    : '';
  return {
    endpoint,
    params,
    body: resolveBody(endpoint, values.args, usePayload ? payload : undefined, hint),
    camera,
  };
}
