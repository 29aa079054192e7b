/** The simulators the CLI and `npm start` know, loaded lazily so one does not pay for the others. */
import type { SimulatorModule } from './types';

export const simulators: Record<string, () => SimulatorModule> = {
  // Each backend adds one line here: name → () => require('./<backend>/cli').simulator
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  remotive: () => (require('./remotive/cli') as typeof import('./remotive/cli')).simulator,
};
