/** The simulators the CLI and `npm start` know, loaded lazily so one does not pay for the others. */
import type { SimulatorModule } from './types';

export const simulators: Record<string, () => SimulatorModule> = {
  // Each backend adds one line here: name → () => require('./<backend>/cli').simulator
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: load a simulator only when started
  motif: () => (require('./motif/cli') as typeof import('./motif/cli')).simulator,
};
