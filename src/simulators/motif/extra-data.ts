/**
 * Reading back what io/log wrote into a recording (the imgstore's extra_data), which a real motif
 * keeps inside the recording files. The simulator has no files, so tests and tools read it here:
 * `sim.extraData(filename)` in code, `GET /api/1/_sim/recordings/<filename>/extra_data` over HTTPS
 * (same API key). `_sim` is no motif path, so no motif client can reach it by accident.
 */
import { notFound } from './http-error';
import type { MotifSimState, SimCamera, SimExtraDataEntry } from './state';

export interface SimExtraData {
  filename: string;
  serial: string;
  /** True while the camera is still making this recording (more entries may follow). */
  recording: boolean;
  extra_data: SimExtraDataEntry[];
}

/**
 * The recording named `filename`: the one a camera is making, else the latest finished one of that
 * name (two recordings started in the same second with the same base name share a name).
 */
export function extraDataOf(state: MotifSimState, filename: string): SimExtraData {
  const cameras: SimCamera[] = [...state.cameras.values()];
  for (const camera of cameras) {
    const rec = camera.recording;
    if (rec.filename === filename) return answer(filename, camera.serial, true, rec.extraData);
  }
  let found: SimExtraData | undefined;
  let foundStopped = -Infinity;
  for (const camera of cameras)
    for (const rec of camera.recordings)
      if (rec.filename === filename && rec.stopped >= foundStopped) {
        found = answer(filename, camera.serial, false, rec.extraData);
        foundStopped = rec.stopped;
      }
  if (!found) throw notFound(`recording ${clip(filename)} not found`);
  return found;
}

function answer(
  filename: string,
  serial: string,
  recording: boolean,
  entries: SimExtraDataEntry[],
): SimExtraData {
  // Copies: a reader must not change what the simulator keeps.
  return {
    filename,
    serial,
    recording,
    extra_data: entries.map((e) => ({ ...e, values: { ...e.values } })),
  };
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
