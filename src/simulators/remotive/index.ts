/** RemotiveLabs broker simulator. No Node-RED imports. */
export { RemotiveSimulator, DEFAULT_ERROR_CODES } from './server';
export type { RemotiveSimulatorOptions, SimulatorState, ReceivedCall } from './server';
export type { SessionSnapshot, SimMode, SimErrorKind } from './sessions';
export * from './recordings';
