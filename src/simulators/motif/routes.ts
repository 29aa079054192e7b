/**
 * The simulator's route table: the 44 motif routes (vendor documentation) with their methods, matched
 * segment by segment on the path after '/api/1/' ('version' is unprefixed).
 */
import {
  optionalBoolean,
  optionalDuration,
  optionalObject,
  optionalString,
  requiredValue,
  type Body,
} from './args';
import type { SimEngine } from './engine';
import { extraDataOf } from './extra-data';
import { badRequest, notFound } from './http-error';
import { clearTasks, createTask, deleteTask, listTasks, type ScheduleOptions } from './schedule-routes';
import {
  cameraStatus,
  cameraSummary,
  frameNumber,
  MAX_EXTRA_DATA_ENTRIES,
  nowSeconds,
  outputValues,
  recordingJson,
  type SimCamera,
} from './state';

export interface RouteContext {
  params: Record<string, string>;
  body: Body;
  engine: SimEngine;
  schedule: ScheduleOptions;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  template: string;
  handle(ctx: RouteContext): unknown;
}

const all = (ctx: RouteContext): SimCamera[] => ctx.engine.camerasFor(undefined);
const one = (ctx: RouteContext): SimCamera[] => [ctx.engine.camera(ctx.params.serial)];
const serials = (cameras: SimCamera[]): string[] => cameras.map((c) => c.serial);

function configure(cameras: SimCamera[], body: Body): Record<string, unknown> {
  for (const [key, value] of Object.entries(body)) {
    if (!['number', 'string', 'boolean'].includes(typeof value))
      throw badRequest(`parameter ${key} must be a number, string or boolean`);
  }
  for (const camera of cameras) Object.assign(camera.parameters, body);
  return { ok: true, serials: serials(cameras), parameters: body };
}

function readParameter(camera: SimCamera, name: string): unknown {
  if (!(name in camera.parameters)) throw notFound(`camera ${camera.serial} has no parameter ${name}`);
  return camera.parameters[name];
}

function startRecording(ctx: RouteContext, cameras: SimCamera[]): Record<string, unknown> {
  const started = ctx.engine.startRecording(cameras, {
    filename: optionalString(ctx.body, 'filename'),
    codec: optionalString(ctx.body, 'codec'),
    record_to_store: optionalBoolean(ctx.body, 'record_to_store'),
    duration: optionalDuration(ctx.body),
    metadata: optionalObject(ctx.body, 'metadata'),
  });
  return { ok: true, serials: started };
}

function recordings(cameras: SimCamera[]): Record<string, unknown> {
  return { recordings: cameras.flatMap((c) => c.recordings.map(recordingJson)) };
}

function copyAll(ctx: RouteContext, cameras: SimCamera[]): Record<string, unknown> {
  const location = optionalString(ctx.body, 'location');
  const count = ctx.engine.copyAll(cameras, location, optionalBoolean(ctx.body, 'delete_after') ?? false);
  return { ok: true, serials: serials(cameras), recordings: count };
}

function exportAll(ctx: RouteContext, cameras: SimCamera[]): Record<string, unknown> {
  optionalBoolean(ctx.body, 'to_store');
  optionalString(ctx.body, 'codec');
  optionalString(ctx.body, 'path');
  const count = ctx.engine.exportAll(cameras, optionalBoolean(ctx.body, 'delete_after') ?? false);
  return { ok: true, serials: serials(cameras), recordings: count };
}

/**
 * io/log: kept in the simulator's log, and in the extra_data of the recording each camera is making
 * (the named camera's, or every recording camera's for the plain route) with that recording's frame
 * number. A camera that is idle or still pending records nothing.
 */
function ioLog(ctx: RouteContext, camera: SimCamera | undefined): Record<string, unknown> {
  const now = nowSeconds(ctx.engine.state);
  const recording = (camera ? [camera] : all(ctx)).filter((c) => c.recording.started !== null);
  const values = { ...ctx.body };
  for (const c of recording) {
    const extraData = c.recording.extraData;
    if (extraData.length < MAX_EXTRA_DATA_ENTRIES)
      extraData.push({ frame_number: frameNumber(c, now) ?? 0, time: now, values });
  }
  const entry = {
    time: now,
    serial: camera?.serial ?? null,
    frame_number: recording.length > 0 ? frameNumber(recording[0], now) : null,
    values,
  };
  ctx.engine.state.ioLog.push(entry);
  return { ok: true, time: entry.time, frame_number: entry.frame_number };
}

function message(ctx: RouteContext, camera: SimCamera | undefined): Record<string, unknown> {
  const text = ctx.body.message;
  if (typeof text !== 'string') throw badRequest('message must be a string');
  if (camera) camera.experimentMessage = text;
  else ctx.engine.state.experimentMessage = text;
  return { ok: true, message: text };
}

function schedule(operation: string, relativeAllowed: boolean, valueRequired: boolean) {
  return (ctx: RouteContext): unknown => {
    if (ctx.params.serial !== undefined) ctx.engine.camera(ctx.params.serial);
    return createTask(ctx.engine.state, ctx.schedule, operation, ctx.params, ctx.body, {
      relativeAllowed,
      valueRequired,
    });
  };
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', template: 'version', handle: (ctx) => ({ software: ctx.engine.state.software }) },
  { method: 'GET', template: 'cameras', handle: (ctx) => ({ cameras: all(ctx).map(cameraSummary) }) },
  { method: 'PATCH', template: 'cameras/configure', handle: (ctx) => configure(all(ctx), ctx.body) },
  {
    method: 'GET',
    template: 'cameras/read/<name>',
    handle: (ctx) => ({
      name: ctx.params.name,
      values: Object.fromEntries(all(ctx).map((c) => [c.serial, readParameter(c, ctx.params.name)])),
    }),
  },
  {
    method: 'GET',
    template: 'camera/<serial>',
    handle: (ctx) => cameraStatus(ctx.engine.camera(ctx.params.serial), ctx.engine.state),
  },
  { method: 'PATCH', template: 'camera/<serial>/configure', handle: (ctx) => configure(one(ctx), ctx.body) },
  {
    method: 'GET',
    template: 'camera/<serial>/read/<name>',
    handle: (ctx) => ({
      serial: ctx.params.serial,
      name: ctx.params.name,
      value: readParameter(ctx.engine.camera(ctx.params.serial), ctx.params.name),
    }),
  },
  {
    method: 'POST',
    template: 'camera/<serial>/recording/start',
    handle: (ctx) => startRecording(ctx, one(ctx)),
  },
  {
    method: 'POST',
    template: 'camera/<serial>/recording/stop',
    handle: (ctx) => ({ ok: true, serials: ctx.engine.stopRecording(one(ctx)) }),
  },
  { method: 'GET', template: 'camera/<serial>/recordings', handle: (ctx) => recordings(one(ctx)) },
  {
    method: 'POST',
    template: 'camera/<serial>/recordings/copy_all',
    handle: (ctx) => copyAll(ctx, one(ctx)),
  },
  {
    method: 'POST',
    template: 'camera/<serial>/recordings/export_all',
    handle: (ctx) => exportAll(ctx, one(ctx)),
  },
  {
    method: 'POST',
    template: 'camera/<serial>/io/<name>/set',
    handle: (ctx) => {
      const camera = ctx.engine.camera(ctx.params.serial);
      const value = ctx.engine.setOutput(camera.outputs, ctx.params.name, requiredValue(ctx.body));
      return { ok: true, serial: camera.serial, name: ctx.params.name, value };
    },
  },
  {
    method: 'POST',
    template: 'camera/<serial>/io/log',
    handle: (ctx) => ioLog(ctx, ctx.engine.camera(ctx.params.serial)),
  },
  {
    method: 'GET',
    template: 'camera/<serial>/io/read',
    handle: (ctx) => {
      const camera = ctx.engine.camera(ctx.params.serial);
      return { serial: camera.serial, outputs: outputValues(camera.outputs) };
    },
  },
  {
    method: 'POST',
    template: 'recording/start',
    handle: (ctx) =>
      startRecording(
        ctx,
        all(ctx).filter((c) => c.connected),
      ),
  },
  {
    method: 'POST',
    template: 'recording/stop',
    handle: (ctx) => ({ ok: true, serials: ctx.engine.stopRecording(all(ctx)) }),
  },
  { method: 'GET', template: 'recordings', handle: (ctx) => recordings(all(ctx)) },
  { method: 'POST', template: 'recordings/copy_all', handle: (ctx) => copyAll(ctx, all(ctx)) },
  { method: 'POST', template: 'recordings/export_all', handle: (ctx) => exportAll(ctx, all(ctx)) },
  { method: 'GET', template: 'schedule', handle: (ctx) => listTasks(ctx.engine.state, ctx.schedule) },
  { method: 'POST', template: 'schedule/clear', handle: (ctx) => clearTasks(ctx.engine.state) },
  {
    method: 'DELETE',
    template: 'schedule/<task_name>/clear',
    handle: (ctx) => deleteTask(ctx.engine.state, ctx.params.task_name),
  },
  { method: 'POST', template: 'schedule/recording/start', handle: schedule('recording/start', false, false) },
  {
    method: 'POST',
    template: 'schedule/camera/<serial>/recording/start',
    handle: schedule('camera/<serial>/recording/start', false, false),
  },
  {
    method: 'POST',
    template: 'schedule/recordings/copy_all',
    handle: schedule('recordings/copy_all', false, false),
  },
  {
    method: 'POST',
    template: 'schedule/camera/<serial>/recordings/copy_all',
    handle: schedule('camera/<serial>/recordings/copy_all', false, false),
  },
  {
    method: 'POST',
    template: 'schedule/recordings/export_all',
    handle: schedule('recordings/export_all', false, false),
  },
  {
    method: 'POST',
    template: 'schedule/camera/<serial>/recordings/export_all',
    handle: schedule('camera/<serial>/recordings/export_all', false, false),
  },
  { method: 'POST', template: 'schedule/io/<name>/set', handle: schedule('io/<name>/set', true, true) },
  {
    method: 'POST',
    template: 'schedule/camera/<serial>/io/<name>/set',
    handle: schedule('camera/<serial>/io/<name>/set', true, true),
  },
  {
    method: 'POST',
    template: 'schedule/cameras/configure/<name>',
    handle: schedule('cameras/configure/<name>', true, true),
  },
  {
    method: 'POST',
    template: 'schedule/camera/<serial>/configure/<name>',
    handle: schedule('camera/<serial>/configure/<name>', true, true),
  },
  {
    method: 'POST',
    template: 'io/<io_serial>/<io_port>/set',
    handle: (ctx) => {
      const state = ctx.body.state;
      let value: number;
      if (ctx.body.value !== undefined) value = requiredValue(ctx.body);
      else if (state === 0 || state === 1) value = state;
      else throw badRequest('value or state (0 or 1) is required');
      const port = `${ctx.params.io_serial}/${ctx.params.io_port}`;
      return { ok: true, port, value: ctx.engine.setOutput(ctx.engine.state.outputs, port, value) };
    },
  },
  {
    method: 'POST',
    template: 'io/<name>/set',
    handle: (ctx) => {
      const value = ctx.engine.setOutput(ctx.engine.state.outputs, ctx.params.name, requiredValue(ctx.body));
      return { ok: true, name: ctx.params.name, value };
    },
  },
  { method: 'POST', template: 'io/log', handle: (ctx) => ioLog(ctx, undefined) },
  {
    method: 'GET',
    template: 'io/read',
    handle: (ctx) => ({ outputs: outputValues(ctx.engine.state.outputs) }),
  },
  {
    method: 'POST',
    template: 'camera/<serial>/experiment/message',
    handle: (ctx) => message(ctx, ctx.engine.camera(ctx.params.serial)),
  },
  { method: 'POST', template: 'experiment/message', handle: (ctx) => message(ctx, undefined) },
  {
    method: 'POST',
    template: 'multicam/synchronize',
    handle: (ctx) => {
      ctx.engine.state.synchronizedAt = nowSeconds(ctx.engine.state);
      return { ok: true, synchronized: ctx.engine.state.synchronizedAt };
    },
  },
  {
    method: 'POST',
    template: 'multicam/connect_camera/<serial>',
    handle: (ctx) => ({
      ok: true,
      serials: ctx.engine.setConnected(ctx.engine.camerasFor(ctx.params.serial), true),
    }),
  },
  {
    method: 'POST',
    template: 'multicam/disconnect_camera/<serial>',
    handle: (ctx) => ({
      ok: true,
      serials: ctx.engine.setConnected(ctx.engine.camerasFor(ctx.params.serial), false),
    }),
  },
  {
    method: 'POST',
    template: 'multicam/connect_all',
    handle: (ctx) => ({ ok: true, serials: ctx.engine.setConnected(all(ctx), true) }),
  },
  {
    method: 'POST',
    template: 'multicam/disconnect_all',
    handle: (ctx) => ({ ok: true, serials: ctx.engine.setConnected(all(ctx), false) }),
  },
];

/** The simulator's own inspection routes (not motif's): after the motif table, under `_sim/`. */
export const SIMULATOR_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '_sim/recordings/<filename>/extra_data',
    handle: (ctx) => extraDataOf(ctx.engine.state, ctx.params.filename),
  },
];

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'not-found' };

function matchTemplate(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const m = /^<([a-z_]+)>$/.exec(parts[i]);
    if (m) params[m[1]] = segments[i];
    else if (parts[i] !== segments[i]) return undefined;
  }
  return params;
}

/** `segments`: decoded path segments after '/api/1/' (or ['version']). First match in table order wins. */
export function matchRoute(method: string, segments: string[]): RouteMatch {
  const allowed: string[] = [];
  for (const route of [...ROUTES, ...SIMULATOR_ROUTES]) {
    const params = matchTemplate(route.template, segments);
    if (!params) continue;
    if (route.method === method) return { kind: 'found', route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0
    ? { kind: 'wrong-method', allowed: [...new Set(allowed)] }
    : { kind: 'not-found' };
}
