/** The simulators the CLI and `npm start` know, loaded lazily so one does not pay for the others. */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy: load a simulator only when started */
import type { SimulatorModule } from './types';

export const simulators: Record<string, () => SimulatorModule> = {
  motif: () => (require('./motif/cli') as typeof import('./motif/cli')).simulator,
  aivero: () => (require('./aivero/cli') as typeof import('./aivero/cli')).simulator,
  remotive: () => (require('./remotive/cli') as typeof import('./remotive/cli')).simulator,
};
