/** The loopbio motif simulator. */
export { MotifSimulator, type MotifSimulatorOptions, type SimRequestRecord } from './server';
export { generateCertificate, type SimCertificate } from './certificate';
export type {
  MotifSimState,
  SimCamera,
  SimStreams,
  SimOutput,
  SimRecording,
  SimExtraDataEntry,
} from './state';
export type { SimExtraData } from './extra-data';
export { SimClock, type SimClockOptions } from '../clock';
export { SimTaskStore, type SimTask } from './tasks';
export {
  SimCameraStreams,
  type SimStreamOptions,
  type SimStreamCounters,
  preciseNowSeconds,
} from './streams';
export type { SimTaskRun } from './task-runner';
