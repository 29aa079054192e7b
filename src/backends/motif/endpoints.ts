/**
 * The 44 operations of the motif REST API, in the order of the Python client's `API` table
 * (vendor documentation), plus the path builder that validates path segments before any traffic.
 */
import { InputError } from '../../common/errors';
import { segmentProblem } from '../../common/formats';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type MotifGroup =
  'system' | 'cameras' | 'recording' | 'recordings' | 'io' | 'schedule' | 'experiment' | 'multicam';

export interface MotifArgSpec {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'object' | 'any';
  required?: boolean;
  description: string;
}

export interface MotifEndpoint {
  /** Stable operation id = the path template, e.g. 'camera/<serial>/recording/start'. */
  id: string;
  method: HttpMethod;
  group: MotifGroup;
  /** Short editor label. */
  label: string;
  /** Path parameters in order of appearance. */
  pathParams: string[];
  /** Documented JSON body keys. */
  args: MotifArgSpec[];
  /** Accepts arbitrary keys (configure, io/log). */
  freeArgs: boolean;
  /** On per-camera endpoints: the id of the all-cameras form. */
  allCameras?: string;
  /** On all-cameras endpoints: the id of the per-camera form. */
  perCamera?: string;
  deprecated?: boolean;
  description: string;
}

const RECORDING_ARGS: MotifArgSpec[] = [
  { name: 'filename', type: 'string', description: 'recording filename (excluding timestamp)' },
  {
    name: 'record_to_store',
    type: 'boolean',
    description: 'record to an image store; omitted = configured default',
  },
  {
    name: 'codec',
    type: 'string',
    description: 'name of a configured compression preset; omitted = default',
  },
  { name: 'duration', type: 'number', description: 'seconds to record; omitted = until stopped' },
  { name: 'metadata', type: 'object', description: 'metadata saved in the resulting video' },
  { name: 'codec_identifier', type: 'any', description: 'advanced use only' },
];

const COPY_ARGS: MotifArgSpec[] = [
  { name: 'location', type: 'string', description: 'local user path; omitted = configured default' },
  {
    name: 'delete_after',
    type: 'boolean',
    description: 'delete the originals after a successful copy (move)',
  },
  { name: 'loopy_username', type: 'string', description: 'loopy instance to import into after the copy' },
  { name: 'loopy_url', type: 'string', description: 'loopy instance URL' },
  { name: 'loopy_api_key', type: 'string', description: 'loopy API key' },
  { name: 'loopy_import_base', type: 'string', description: 'loopy import base path' },
];

const EXPORT_ARGS: MotifArgSpec[] = [
  { name: 'to_store', type: 'boolean', description: 'export to image stores; omitted = configured default' },
  { name: 'codec', type: 'string', description: 'compression preset' },
  { name: 'delete_after', type: 'boolean', description: 'delete the originals after the export' },
  { name: 'path', type: 'string', description: 'export path' },
];

const VALUE_ARG: MotifArgSpec = {
  name: 'value',
  type: 'number',
  required: true,
  description: 'output value (backend dependent); +Infinity / -Infinity toggle',
};

const TASK_ARGS: MotifArgSpec[] = [
  { name: 'task_name', type: 'string', required: true, description: 'unique short identifier of the task' },
  {
    name: 'cron_expression',
    type: 'string',
    required: true,
    description: 'when to run (motif cron dialect)',
  },
];

const CAMERA_RELATIVE_ARG: MotifArgSpec = {
  name: 'camera_relative',
  type: 'boolean',
  description: 'times are relative to the start of the recording (motif 5+)',
};

const MESSAGE_ARG: MotifArgSpec = {
  name: 'message',
  type: 'string',
  required: true,
  description: 'status text shown in the web UI; "" clears it',
};

type EndpointSpec = Omit<MotifEndpoint, 'pathParams' | 'args' | 'freeArgs'> & {
  args?: MotifArgSpec[];
  freeArgs?: boolean;
};

function endpoint(spec: EndpointSpec): MotifEndpoint {
  const pathParams = [...spec.id.matchAll(/<([a-z_]+)>/g)].map((m) => m[1]);
  return { ...spec, pathParams, args: spec.args ?? [], freeArgs: spec.freeArgs ?? false };
}

export const MOTIF_ENDPOINTS: readonly MotifEndpoint[] = Object.freeze([
  endpoint({
    id: 'version',
    method: 'GET',
    group: 'system',
    label: 'Software version',
    description: 'the current software version',
  }),
  endpoint({
    id: 'cameras',
    method: 'GET',
    group: 'cameras',
    label: 'List cameras',
    description: 'connected cameras with their names and serial numbers',
  }),
  endpoint({
    id: 'cameras/configure',
    method: 'PATCH',
    group: 'cameras',
    label: 'Configure (all cameras)',
    freeArgs: true,
    perCamera: 'camera/<serial>/configure',
    description: 'set camera parameters (e.g. AcquisitionFrameRate, ExposureTime, Gain) on every camera',
  }),
  endpoint({
    id: 'cameras/read/<name>',
    method: 'GET',
    group: 'cameras',
    label: 'Read parameter (all cameras)',
    perCamera: 'camera/<serial>/read/<name>',
    description: 'read one camera parameter on every camera',
  }),
  endpoint({
    id: 'camera/<serial>',
    method: 'GET',
    group: 'cameras',
    label: 'Camera status',
    description: 'status of one camera (recording, copying, streams)',
  }),
  endpoint({
    id: 'camera/<serial>/configure',
    method: 'PATCH',
    group: 'cameras',
    label: 'Configure (one camera)',
    freeArgs: true,
    allCameras: 'cameras/configure',
    description: 'set camera parameters on one camera',
  }),
  endpoint({
    id: 'camera/<serial>/read/<name>',
    method: 'GET',
    group: 'cameras',
    label: 'Read parameter (one camera)',
    allCameras: 'cameras/read/<name>',
    description: 'read one camera parameter, e.g. AcquisitionFrameRate',
  }),
  endpoint({
    id: 'camera/<serial>/recording/start',
    method: 'POST',
    group: 'recording',
    label: 'Start recording (one camera)',
    args: RECORDING_ARGS,
    allCameras: 'recording/start',
    description: 'start recording on one camera',
  }),
  endpoint({
    id: 'camera/<serial>/recording/stop',
    method: 'POST',
    group: 'recording',
    label: 'Stop recording (one camera)',
    allCameras: 'recording/stop',
    description: 'stop recording on one camera',
  }),
  endpoint({
    id: 'camera/<serial>/recordings',
    method: 'GET',
    group: 'recordings',
    label: 'List recordings (one camera)',
    allCameras: 'recordings',
    description: 'recordings of one camera',
  }),
  endpoint({
    id: 'camera/<serial>/recordings/copy_all',
    method: 'POST',
    group: 'recordings',
    label: 'Copy recordings (one camera)',
    args: COPY_ARGS,
    allCameras: 'recordings/copy_all',
    description: 'copy (or move) all completed recordings of one camera',
  }),
  endpoint({
    id: 'camera/<serial>/recordings/export_all',
    method: 'POST',
    group: 'recordings',
    label: 'Export recordings (one camera)',
    args: EXPORT_ARGS,
    allCameras: 'recordings/export_all',
    description: 'export image stores of one camera to mp4 (or stores)',
  }),
  endpoint({
    id: 'camera/<serial>/io/<name>/set',
    method: 'POST',
    group: 'io',
    label: 'Set output (one camera)',
    args: [VALUE_ARG],
    allCameras: 'io/<name>/set',
    description: 'set a named output attached to this camera',
  }),
  endpoint({
    id: 'camera/<serial>/io/log',
    method: 'POST',
    group: 'io',
    label: 'Log values (one camera)',
    freeArgs: true,
    allCameras: 'io/log',
    description: "record values in this camera's imgstore extra_data with the current frame number and time",
  }),
  endpoint({
    id: 'camera/<serial>/io/read',
    method: 'GET',
    group: 'io',
    label: 'Read IO (one camera)',
    allCameras: 'io/read',
    description: 'read the IO values of this camera',
  }),
  endpoint({
    id: 'recording/start',
    method: 'POST',
    group: 'recording',
    label: 'Start recording (all cameras)',
    args: RECORDING_ARGS,
    perCamera: 'camera/<serial>/recording/start',
    description: 'start recording on every camera',
  }),
  endpoint({
    id: 'recording/stop',
    method: 'POST',
    group: 'recording',
    label: 'Stop recording (all cameras)',
    perCamera: 'camera/<serial>/recording/stop',
    description: 'stop recording on every camera',
  }),
  endpoint({
    id: 'recordings',
    method: 'GET',
    group: 'recordings',
    label: 'List recordings (all cameras)',
    perCamera: 'camera/<serial>/recordings',
    description: 'recordings of every camera',
  }),
  endpoint({
    id: 'recordings/copy_all',
    method: 'POST',
    group: 'recordings',
    label: 'Copy recordings (all cameras)',
    args: COPY_ARGS,
    perCamera: 'camera/<serial>/recordings/copy_all',
    description: 'copy (or move) completed recordings of every camera',
  }),
  endpoint({
    id: 'recordings/export_all',
    method: 'POST',
    group: 'recordings',
    label: 'Export recordings (all cameras)',
    args: EXPORT_ARGS,
    perCamera: 'camera/<serial>/recordings/export_all',
    description: 'export image stores of every camera',
  }),
  endpoint({
    id: 'schedule',
    method: 'GET',
    group: 'schedule',
    label: 'List scheduled tasks',
    description: "scheduled tasks and the motif machine's current time (now)",
  }),
  endpoint({
    id: 'schedule/clear',
    method: 'POST',
    group: 'schedule',
    label: 'Clear ALL scheduled tasks',
    description: "delete every scheduled task, including other users' tasks",
  }),
  endpoint({
    id: 'schedule/<task_name>/clear',
    method: 'DELETE',
    group: 'schedule',
    label: 'Delete one scheduled task',
    description: 'delete the named task',
  }),
  endpoint({
    id: 'schedule/recording/start',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule recording (all cameras)',
    args: [...TASK_ARGS, ...RECORDING_ARGS],
    perCamera: 'schedule/camera/<serial>/recording/start',
    description: 'schedule the start of recording on every camera',
  }),
  endpoint({
    id: 'schedule/camera/<serial>/recording/start',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule recording (one camera)',
    args: [...TASK_ARGS, ...RECORDING_ARGS],
    allCameras: 'schedule/recording/start',
    description: 'schedule the start of recording on one camera',
  }),
  endpoint({
    id: 'schedule/recordings/copy_all',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule copy (all cameras)',
    args: [...TASK_ARGS, ...COPY_ARGS],
    perCamera: 'schedule/camera/<serial>/recordings/copy_all',
    description: 'schedule a copy of recordings of every camera',
  }),
  endpoint({
    id: 'schedule/camera/<serial>/recordings/copy_all',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule copy (one camera)',
    args: [...TASK_ARGS, ...COPY_ARGS],
    allCameras: 'schedule/recordings/copy_all',
    description: 'schedule a copy of recordings of one camera',
  }),
  endpoint({
    id: 'schedule/recordings/export_all',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule export (all cameras)',
    args: [...TASK_ARGS, ...EXPORT_ARGS],
    perCamera: 'schedule/camera/<serial>/recordings/export_all',
    description: 'schedule an export of recordings of every camera',
  }),
  endpoint({
    id: 'schedule/camera/<serial>/recordings/export_all',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule export (one camera)',
    args: [...TASK_ARGS, ...EXPORT_ARGS],
    allCameras: 'schedule/recordings/export_all',
    description: 'schedule an export of recordings of one camera',
  }),
  endpoint({
    id: 'schedule/io/<name>/set',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule output (master)',
    args: [...TASK_ARGS, CAMERA_RELATIVE_ARG, VALUE_ARG],
    perCamera: 'schedule/camera/<serial>/io/<name>/set',
    description: 'schedule setting a named output',
  }),
  endpoint({
    id: 'schedule/camera/<serial>/io/<name>/set',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule output (one camera)',
    args: [...TASK_ARGS, CAMERA_RELATIVE_ARG, VALUE_ARG],
    allCameras: 'schedule/io/<name>/set',
    description: "schedule setting a named output on this camera's IO device",
  }),
  endpoint({
    id: 'schedule/cameras/configure/<name>',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule parameter (all cameras)',
    args: [
      ...TASK_ARGS,
      CAMERA_RELATIVE_ARG,
      { name: 'value', type: 'any', required: true, description: 'the new value of the parameter' },
    ],
    perCamera: 'schedule/camera/<serial>/configure/<name>',
    description: 'schedule a parameter change on every camera',
  }),
  endpoint({
    id: 'schedule/camera/<serial>/configure/<name>',
    method: 'POST',
    group: 'schedule',
    label: 'Schedule parameter (one camera)',
    args: [
      ...TASK_ARGS,
      CAMERA_RELATIVE_ARG,
      { name: 'value', type: 'any', required: true, description: 'the new value of the parameter' },
    ],
    allCameras: 'schedule/cameras/configure/<name>',
    description: 'schedule a parameter change on one camera',
  }),
  endpoint({
    id: 'io/<io_serial>/<io_port>/set',
    method: 'POST',
    group: 'io',
    label: 'Set IO port (deprecated)',
    deprecated: true,
    args: [
      { name: 'value', type: 'number', description: 'continuous value to set' },
      { name: 'state', type: 'number', description: '0 or 1 to turn off or on' },
    ],
    description: 'set a port of an IO device directly (io_serial -1 = first device)',
  }),
  endpoint({
    id: 'io/<name>/set',
    method: 'POST',
    group: 'io',
    label: 'Set output (master)',
    args: [VALUE_ARG],
    perCamera: 'camera/<serial>/io/<name>/set',
    description: 'set a named output (on the master node in a multi-camera setup)',
  }),
  endpoint({
    id: 'io/log',
    method: 'POST',
    group: 'io',
    label: 'Log values (all cameras)',
    freeArgs: true,
    perCamera: 'camera/<serial>/io/log',
    description: 'record values in the imgstore extra_data with the current frame number and time',
  }),
  endpoint({
    id: 'io/read',
    method: 'GET',
    group: 'io',
    label: 'Read IO (master)',
    perCamera: 'camera/<serial>/io/read',
    description: 'read the IO values',
  }),
  endpoint({
    id: 'camera/<serial>/experiment/message',
    method: 'POST',
    group: 'experiment',
    label: 'Experiment message (one camera)',
    args: [MESSAGE_ARG],
    allCameras: 'experiment/message',
    description: "show a status text in this camera's web UI",
  }),
  endpoint({
    id: 'experiment/message',
    method: 'POST',
    group: 'experiment',
    label: 'Experiment message',
    args: [MESSAGE_ARG],
    perCamera: 'camera/<serial>/experiment/message',
    description: 'show a status text in the (master) web UI',
  }),
  endpoint({
    id: 'multicam/synchronize',
    method: 'POST',
    group: 'multicam',
    label: 'Synchronize cameras',
    description: 'synchronize the cameras of a multi-camera setup',
  }),
  endpoint({
    id: 'multicam/connect_camera/<serial>',
    method: 'POST',
    group: 'multicam',
    label: 'Connect camera',
    allCameras: 'multicam/connect_all',
    description: 'start the camera process of one camera (__all = every camera)',
  }),
  endpoint({
    id: 'multicam/disconnect_camera/<serial>',
    method: 'POST',
    group: 'multicam',
    label: 'Disconnect camera',
    allCameras: 'multicam/disconnect_all',
    description: 'stop the camera process of one camera (__all = every camera)',
  }),
  endpoint({
    id: 'multicam/connect_all',
    method: 'POST',
    group: 'multicam',
    label: 'Connect all cameras',
    perCamera: 'multicam/connect_camera/<serial>',
    description: 'start every camera process',
  }),
  endpoint({
    id: 'multicam/disconnect_all',
    method: 'POST',
    group: 'multicam',
    label: 'Disconnect all cameras',
    perCamera: 'multicam/disconnect_camera/<serial>',
    description: 'stop every camera process',
  }),
]);

const BY_ID = new Map(MOTIF_ENDPOINTS.map((e) => [e.id, e]));

export function findEndpoint(id: string): MotifEndpoint | undefined {
  return BY_ID.get(id);
}

/**
 * Longer than any serial, output, parameter or task name motif uses; keeps errors and URLs short.
 * The same limit is written inside the shared rule (common/formats.ts segmentProblem).
 */
export const MAX_SEGMENT_LENGTH = 128;

/**
 * Validates one path segment and URI-encodes it; throws InputError naming the parameter. `.` and
 * `..` are refused: behind any normalising proxy `camera/../recording/start` would reach every
 * camera. The hostile value itself is never echoed.
 */
export function pathSegment(name: string, value: string | undefined): string {
  // motif's segment rule `[^\s /]+` and ours beside it: the shared rule the editor runs too.
  const problem = typeof value === 'string' ? segmentProblem(value) : 'is missing';
  if (problem !== null || typeof value !== 'string')
    throw new InputError(`the motif path parameter "${name}" ${problem ?? 'is missing'}`);
  return encodeURIComponent(value);
}

/**
 * An endpoint's path split once into its fixed text and its parameters:
 * 'camera/<serial>/recording/start' → texts ['/api/1/camera/', '/recording/start'], names ['serial'].
 */
interface PathTemplate {
  texts: string[];
  names: string[];
}

const TEMPLATES = new Map<string, PathTemplate>();

function templateOf(id: string): PathTemplate {
  let template = TEMPLATES.get(id);
  if (!template) {
    const pieces = id.split(/<([a-z_]+)>/);
    const texts = pieces.filter((_, i) => i % 2 === 0);
    const names = pieces.filter((_, i) => i % 2 === 1);
    texts[0] = id === 'version' ? '/version' : `/api/1/${texts[0]}`;
    template = { texts, names };
    TEMPLATES.set(id, template);
  }
  return template;
}

/** The wire path of an endpoint: '/version' or '/api/1/...'. */
export function endpointPath(endpoint: MotifEndpoint, params: Record<string, string | undefined>): string {
  const { texts, names } = templateOf(endpoint.id);
  let path = texts[0];
  for (let i = 0; i < names.length; i++) path += pathSegment(names[i], params[names[i]]) + texts[i + 1];
  return path;
}
