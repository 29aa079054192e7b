/**
 * The simulator's behaviour: recording, copy/export and output state machines with their timers.
 * Route handlers call these; `dispose()` cancels every timer so closing the simulator leaves nothing.
 */
import { EventEmitter } from 'node:events';
import { badRequest, conflict, notFound } from './http-error';
import {
  frameNumber,
  idleRecording,
  nowSeconds,
  type MotifSimState,
  type SimCamera,
  type SimOutput,
  type SimRecording,
} from './state';

export interface SimTiming {
  /** How long a started recording reports status "pending" before its filename appears. */
  pendingMs: number;
  /** How long playback_info.status stays "copying". */
  copyMs: number;
  /** How long playback_info.status stays "exporting". */
  exportMs: number;
}

export interface RecordingArgs {
  filename?: string;
  codec?: string;
  record_to_store?: boolean;
  duration?: number;
  metadata?: Record<string, unknown>;
}

const OUTPUT_MIN = 0;
const OUTPUT_MAX = 1;

export interface SimEngineEvents {
  /** A camera left "pending": its recording (and its camera-relative tasks) starts now. */
  'recording-started': [SimCamera];
  /** A camera's recording ended (stop, duration, disconnect) or a pending start was cancelled. */
  'recording-stopped': [SimCamera];
}

/** Timers run on the state's clock, so a test that drives the clock drives every state machine. */
export class SimEngine extends EventEmitter<SimEngineEvents> {
  private readonly timers = new Set<unknown>();
  private readonly cameraTimers = new Map<string, Set<unknown>>();

  constructor(
    readonly state: MotifSimState,
    readonly timing: SimTiming,
  ) {
    super();
  }

  camera(serial: string): SimCamera {
    const camera = this.state.cameras.get(serial);
    if (!camera) throw notFound(`camera ${serial} not found`);
    return camera;
  }

  /** '__all' (multicam) or undefined (all-cameras routes) → every camera. */
  camerasFor(serial: string | undefined): SimCamera[] {
    if (serial === undefined || serial === '__all') return [...this.state.cameras.values()];
    return [this.camera(serial)];
  }

  startRecording(cameras: SimCamera[], args: RecordingArgs): string[] {
    for (const camera of cameras) {
      if (!camera.connected) throw conflict(`camera ${camera.serial} is not connected`);
      if (camera.recording.status !== 'idle') throw conflict(`camera ${camera.serial} is already recording`);
    }
    for (const camera of cameras) {
      camera.recording = {
        ...idleRecording(),
        status: 'pending',
        codec: args.codec ?? 'default',
        record_to_store: args.record_to_store ?? false,
        duration: args.duration ?? null,
        metadata: args.metadata ?? {},
      };
      this.after(camera.serial, this.timing.pendingMs, () => this.beginRecording(camera, args.filename));
    }
    return cameras.map((c) => c.serial);
  }

  private beginRecording(camera: SimCamera, base: string | undefined): void {
    const started = nowSeconds(this.state);
    const stamp = new Date(started * 1000).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
    camera.recording.status = 'recording';
    camera.recording.started = started;
    camera.recording.filename = `${base ?? 'recording'}_${camera.serial}.${stamp}`;
    const duration = camera.recording.duration;
    if (duration !== null) this.after(camera.serial, duration * 1000, () => this.stopRecording([camera]));
    this.emit('recording-started', camera);
  }

  /** Stops (or cancels a pending start); a finished recording is added to the camera's list. */
  stopRecording(cameras: SimCamera[]): string[] {
    const stopped: string[] = [];
    for (const camera of cameras) {
      const rec = camera.recording;
      if (rec.status === 'idle') continue;
      this.cancelCameraTimers(camera.serial);
      if (rec.status === 'recording' && rec.filename !== null && rec.started !== null) {
        const recording: SimRecording = {
          filename: rec.filename,
          serial: camera.serial,
          codec: rec.codec ?? 'default',
          record_to_store: rec.record_to_store,
          metadata: rec.metadata,
          started: rec.started,
          stopped: nowSeconds(this.state),
          frames: frameNumber(camera, nowSeconds(this.state)) ?? 0,
          extraData: rec.extraData,
          copied: false,
          exported: false,
          location: null,
        };
        camera.recordings.push(recording);
      }
      camera.recording = idleRecording();
      stopped.push(camera.serial);
      this.emit('recording-stopped', camera);
    }
    return stopped;
  }

  copyAll(cameras: SimCamera[], location: string | undefined, deleteAfter: boolean): number {
    return this.playback(cameras, 'copy', this.timing.copyMs, (camera, done) => {
      for (const rec of done) {
        rec.copied = true;
        rec.location = location ?? '/home/motif/copies';
      }
      if (deleteAfter) camera.recordings = camera.recordings.filter((r) => !done.includes(r));
    });
  }

  exportAll(cameras: SimCamera[], deleteAfter: boolean): number {
    return this.playback(cameras, 'export', this.timing.exportMs, (camera, done) => {
      for (const rec of done) rec.exported = true;
      if (deleteAfter) camera.recordings = camera.recordings.filter((r) => !done.includes(r));
    });
  }

  /** Shows "copying"/"exporting" for `ms`, then "<verb> finished", then applies the result. */
  private playback(
    cameras: SimCamera[],
    verb: 'copy' | 'export',
    ms: number,
    finish: (camera: SimCamera, recordings: SimRecording[]) => void,
  ): number {
    for (const camera of cameras) {
      const s = camera.playback.status;
      if (s === 'copying' || s === 'exporting') throw conflict(`camera ${camera.serial} is busy ${s}`);
    }
    let count = 0;
    for (const camera of cameras) {
      const recordings = camera.recordings.filter((r) => (verb === 'copy' ? !r.copied : !r.exported));
      count += recordings.length;
      camera.playback = {
        status: verb === 'copy' ? 'copying' : 'exporting',
        started: this.state.clock.now(),
        durationMs: ms,
      };
      this.after(null, ms, () => {
        camera.playback = { ...camera.playback, status: `${verb} finished` };
        finish(camera, recordings);
      });
    }
    return count;
  }

  /** Sets an output; ±Infinity switch to max/min first and then toggle (vendor documentation). */
  setOutput(outputs: Record<string, SimOutput>, name: string, value: number): number {
    if (typeof value !== 'number' || Number.isNaN(value)) throw badRequest('value must be a number');
    const output = (outputs[name] ??= { value: OUTPUT_MIN, toggling: false });
    if (Number.isFinite(value)) {
      output.value = value;
      output.toggling = false;
    } else if (output.toggling) {
      output.value = output.value === OUTPUT_MAX ? OUTPUT_MIN : OUTPUT_MAX;
    } else {
      output.value = value > 0 ? OUTPUT_MAX : OUTPUT_MIN;
      output.toggling = true;
    }
    return output.value;
  }

  setConnected(cameras: SimCamera[], connected: boolean): string[] {
    for (const camera of cameras) {
      if (!connected) this.stopRecording([camera]);
      camera.connected = connected;
    }
    return cameras.map((c) => c.serial);
  }

  /** Runs `fn` after `ms`; camera-bound timers are cancelled when that camera stops. */
  private after(serial: string | null, ms: number, fn: () => void): void {
    const timer = this.state.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (serial !== null) this.cameraTimers.get(serial)?.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    if (serial !== null) {
      let set = this.cameraTimers.get(serial);
      if (!set) this.cameraTimers.set(serial, (set = new Set()));
      set.add(timer);
    }
  }

  private cancelCameraTimers(serial: string): void {
    for (const timer of this.cameraTimers.get(serial) ?? []) {
      this.state.clock.clearTimeout(timer);
      this.timers.delete(timer);
    }
    this.cameraTimers.delete(serial);
  }

  dispose(): void {
    for (const timer of this.timers) this.state.clock.clearTimeout(timer);
    this.timers.clear();
    this.cameraTimers.clear();
    this.removeAllListeners();
  }
}
