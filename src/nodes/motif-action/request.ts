/**
 * Turns a message and the node's configuration into one motif call: which endpoint, which path
 * parameters, which JSON body, which cameras. Pure (no network): every check here happens before
 * anything reaches the server.
 */
import {
  ALL_CAMERAS,
  endpointForCamera,
  findEndpoint,
  type MotifArgSpec,
  type MotifEndpoint,
} from '../../backends/motif';
import { InputError } from '../../common/errors';
import { describe, isPlainObject, optionalObject, type JsonObject } from '../../common/input';

export { ALL_CAMERAS, waitKindFor } from '../../backends/motif';

export interface MotifActionConfig {
  operation: string;
  camera: string;
  output: string;
  parameter: string;
  task: string;
  ioSerial: string;
  ioPort: string;
  args: string;
  /** Merge msg.payload into the arguments. Off for nodes chained after another call, whose payload is a result. */
  payloadArgs?: boolean;
}

export interface MotifActionMsg {
  operation?: unknown;
  camera?: unknown;
  output?: unknown;
  parameter?: unknown;
  task?: unknown;
  ioSerial?: unknown;
  ioPort?: unknown;
  payload?: unknown;
}

export interface PlannedCall {
  endpoint: MotifEndpoint;
  /** Path parameters other than the camera serial. */
  params: Record<string, string>;
  body: JsonObject | undefined;
  /** undefined: endpoint takes no camera; a serial; or ALL_CAMERAS when no all-cameras form exists. */
  camera: string | undefined;
}

/** Which msg property and which node field feed a path parameter, per endpoint. */
/** The node fields that name a path part. */
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

function pick(msgValue: unknown, configValue: string, label: string): string | undefined {
  const value = msgValue === undefined || msgValue === null || msgValue === '' ? configValue : msgValue;
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw new InputError(`${label} must be a string, got ${describe(value)}`);
  return value.trim();
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
  configArgs: string,
  payload: unknown,
  hint = '',
): JsonObject | undefined {
  let base: JsonObject = {};
  if (configArgs && configArgs.trim()) {
    try {
      base = optionalObject(JSON.parse(configArgs), 'the arguments set in the node') ?? {};
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`the arguments set in the node are not valid JSON: ${(err as Error).message}`);
    }
  }
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

export function planCall(config: MotifActionConfig, msg: MotifActionMsg): PlannedCall {
  const operation = pick(msg.operation, config.operation, 'operation');
  if (!operation) throw new InputError('no operation: choose one in the node or set msg.operation');
  const configured = findEndpoint(operation);
  if (!configured) throw new InputError(`unknown motif operation "${operation}"`);

  let chosen: string | undefined;
  if (configured.pathParams.includes('serial')) {
    chosen = pick(msg.camera, config.camera, 'camera');
    if (chosen === 'all' || chosen === '*') chosen = ALL_CAMERAS;
    if (!chosen)
      throw new InputError(`"${configured.label}" needs a camera: set one in the node or msg.camera`);
  }
  const { endpoint, camera } = endpointForCamera(configured, chosen);

  const params: Record<string, string> = {};
  for (const param of endpoint.pathParams) {
    if (param === 'serial') continue;
    const source = pathParamSource(endpoint, param);
    const value = pick(msg[source.prop as keyof MotifActionMsg], config[source.prop], source.label);
    if (!value)
      throw new InputError(
        `"${endpoint.label}" needs the ${source.label}: set it in the node or msg.${source.prop}`,
      );
    params[param] = value;
  }
  const usePayload = config.payloadArgs !== false;
  const hint = usePayload
    ? '; msg.payload is merged into the arguments: untick "arguments from msg.payload" to ignore it'
    : '';
  return {
    endpoint,
    params,
    body: resolveBody(endpoint, config.args, usePayload ? msg.payload : undefined, hint),
    camera,
  };
}
