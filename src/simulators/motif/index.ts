/** The loopbio motif simulator. */
export { MotifSimulator, type MotifSimulatorOptions, type SimRequestRecord } from './server';
export { generateCertificate, type SimCertificate } from './certificate';
export type { MotifSimState, SimCamera, SimStreams, SimOutput, SimRecording } from './state';
export { SimTaskStore, type SimTask } from './tasks';
export {
  SimCameraStreams,
  type SimStreamOptions,
  type SimStreamCounters,
  preciseNowSeconds,
} from './streams';
export type { SimTaskRun } from './task-runner';
