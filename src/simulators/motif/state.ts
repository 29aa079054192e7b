/**
 * The simulator's inspectable state and the JSON shapes it reports. Everything the vendor leaves undocumented
 * UNKNOWN is chosen here and written down in docs/simulators/motif.md.
 */
import { realClock, type Clock } from '../../schedule';
import { SimTaskStore } from './tasks';

/** Camera parameter defaults from the motif documentation (vendor documentation). */
export const DEFAULT_PARAMETERS: Readonly<Record<string, string | number | boolean>> = {
  ExposureAuto: 'Off',
  ExposureTime: 20000.0,
  GainAuto: 'Off',
  Gain: 0.0,
  AcquisitionFrameRateEnable: true,
  AcquisitionFrameRate: 150.0,
};

export interface SimOutput {
  value: number;
  /** True after a ±Infinity set: the next ±Infinity flips between minimum and maximum. */
  toggling: boolean;
}

export interface SimRecordingState {
  status: 'idle' | 'pending' | 'recording';
  filename: string | null;
  codec: string | null;
  record_to_store: boolean;
  /** Seconds, or null = until stopped. */
  duration: number | null;
  metadata: Record<string, unknown>;
  /** Unix seconds when recording really began (after "pending"). */
  started: number | null;
  /** What io/log wrote while this recording ran (the imgstore's extra_data). */
  extraData: SimExtraDataEntry[];
}

/**
 * One io/log call as recorded into a recording's imgstore extra_data: the recording's frame
 * number and the machine's time (Unix seconds, simulated clock) when it arrived, and what was logged.
 */
export interface SimExtraDataEntry {
  frame_number: number;
  time: number;
  values: Record<string, unknown>;
}

/** io/log entries kept per recording; later ones are not kept (a client cannot exhaust memory). */
export const MAX_EXTRA_DATA_ENTRIES = 10_000;

export interface SimRecording {
  filename: string;
  serial: string;
  codec: string;
  record_to_store: boolean;
  metadata: Record<string, unknown>;
  started: number;
  stopped: number;
  frames: number;
  extraData: SimExtraDataEntry[];
  copied: boolean;
  exported: boolean;
  location: string | null;
}

export interface SimPlayback {
  /** 'idle' | 'copying' | 'copy finished' | 'exporting' | 'export finished' */
  status: string;
  started: number | null;
  durationMs: number;
}

export interface SimStreamEndpoint {
  host: string;
  port: number | string;
}

/** Realtime streams: reported in camera_info.stream only when set (a stream module fills this in). */
export interface SimStreams {
  image?: SimStreamEndpoint;
  state?: SimStreamEndpoint;
  preview?: { url: string };
}

export interface SimCamera {
  serial: string;
  name: string;
  connected: boolean;
  parameters: Record<string, unknown>;
  recording: SimRecordingState;
  recordings: SimRecording[];
  playback: SimPlayback;
  outputs: Record<string, SimOutput>;
  experimentMessage: string;
  streams?: SimStreams;
}

export interface SimIoLogEntry {
  time: number;
  serial: string | null;
  frame_number: number | null;
  values: Record<string, unknown>;
}

export interface MotifSimState {
  software: string;
  timezone: string;
  cameras: Map<string, SimCamera>;
  /** Named outputs of the master / single node (io/<name>/set), and deprecated device ports ('<io_serial>/<io_port>'). */
  outputs: Record<string, SimOutput>;
  ioLog: SimIoLogEntry[];
  experimentMessage: string;
  synchronizedAt: number | null;
  tasks: SimTaskStore;
  /** The simulator's time (tests may drive it): timestamps, `schedule.now`, state timers, task firings. */
  clock: Clock;
}

export function idleRecording(): SimRecordingState {
  return {
    status: 'idle',
    filename: null,
    codec: null,
    record_to_store: false,
    duration: null,
    metadata: {},
    started: null,
    extraData: [],
  };
}

export function createState(
  serials: string[],
  outputNames: string[],
  clock: Clock = realClock,
): MotifSimState {
  const outputs = (): Record<string, SimOutput> =>
    Object.fromEntries(outputNames.map((name) => [name, { value: 0, toggling: false }]));
  const cameras = new Map<string, SimCamera>();
  for (const serial of serials) {
    cameras.set(serial, {
      serial,
      name: `Camera ${serial}`,
      connected: true,
      parameters: { ...DEFAULT_PARAMETERS },
      recording: idleRecording(),
      recordings: [],
      playback: { status: 'idle', started: null, durationMs: 0 },
      outputs: outputs(),
      experimentMessage: '',
    });
  }
  return {
    software: '5.4.0-sim',
    timezone: 'UTC',
    cameras,
    outputs: outputs(),
    ioLog: [],
    experimentMessage: '',
    synchronizedAt: null,
    tasks: new SimTaskStore(),
    clock,
  };
}

export function nowSeconds(state: MotifSimState): number {
  return state.clock.now() / 1000;
}

/** Frames recorded so far, from the configured frame rate. */
export function frameNumber(camera: SimCamera, now: number): number | null {
  if (camera.recording.started === null) return null;
  const fps = Number(camera.parameters.AcquisitionFrameRate);
  return Math.floor((now - camera.recording.started) * (Number.isFinite(fps) ? fps : 0));
}

export function outputValues(outputs: Record<string, SimOutput>): Record<string, number> {
  return Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.value]));
}

export function cameraSummary(camera: SimCamera): Record<string, unknown> {
  return {
    serial: camera.serial,
    name: camera.name,
    connected: camera.connected,
    recording: camera.recording.status !== 'idle',
  };
}

/** GET camera/<serial>: the fields the Python client reads plus documented extras. */
export function cameraStatus(camera: SimCamera, state: MotifSimState): Record<string, unknown> {
  const nowMs = state.clock.now();
  const rec = camera.recording;
  const cameraInfo: Record<string, unknown> = {
    serial: camera.serial,
    name: camera.name,
    connected: camera.connected,
    status: rec.status,
    filename: rec.filename,
    codec: rec.codec,
    record_to_store: rec.record_to_store,
    duration: rec.duration,
    started: rec.started,
    frame_number: frameNumber(camera, nowMs / 1000),
    metadata: rec.metadata,
    timezone: state.timezone,
    parameters: camera.parameters,
    experiment_message: camera.experimentMessage,
  };
  if (camera.streams && Object.keys(camera.streams).length > 0) cameraInfo.stream = camera.streams;
  const playback = camera.playback;
  const progress =
    playback.started === null
      ? null
      : playback.status.endsWith('finished')
        ? 1
        : Math.min(1, (nowMs - playback.started) / Math.max(1, playback.durationMs));
  return {
    serial: camera.serial,
    camera_info: cameraInfo,
    playback_info: { status: playback.status, progress },
  };
}

export function recordingJson(rec: SimRecording): Record<string, unknown> {
  return {
    filename: rec.filename,
    serial: rec.serial,
    codec: rec.codec,
    record_to_store: rec.record_to_store,
    metadata: rec.metadata,
    started: rec.started,
    stopped: rec.stopped,
    duration: rec.stopped - rec.started,
    frames: rec.frames,
    copied: rec.copied,
    exported: rec.exported,
    location: rec.location,
  };
}
