/**
 * The command-line side of the simulated clocks: the two options every simulator's CLI takes and
 * their parsing into `SimClockOptions`. A bad value fails as `invalid --<option> …`, which the CLI
 * reports as a usage error.
 */
import { checkClockOptions, type SimClock, type SimClockOptions } from './clock';
import type { SimulatorOption } from './types';

export const CLOCK_CLI_OPTIONS: readonly SimulatorOption[] = [
  {
    name: 'clock-offset-ms',
    description: "how far this system's clock is ahead of real time, ms (negative: behind)",
    default: '0',
  },
  {
    name: 'clock-drift-ppm',
    description: "how much faster this system's clock runs, parts per million (negative: slower)",
    default: '0',
  },
];

function numberOf(options: Record<string, string | undefined>, name: string): number | undefined {
  const text = options[name];
  if (text === undefined) return undefined;
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw new Error(`invalid --${name} "${clip(text)}" (a number)`);
  return n;
}

function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 39)}…` : printable;
}

/** `--clock-offset-ms` and `--clock-drift-ppm` as start options (absent = 0). */
export function clockCliOptions(options: Record<string, string | undefined>): SimClockOptions {
  const clock: SimClockOptions = {
    clockOffsetMs: numberOf(options, 'clock-offset-ms'),
    clockDriftPpm: numberOf(options, 'clock-drift-ppm'),
  };
  try {
    checkClockOptions(clock);
  } catch (err) {
    const name = /clockDriftPpm/.test((err as Error).message) ? 'clock-drift-ppm' : 'clock-offset-ms';
    throw new Error(`invalid --${name} "${clip(options[name] ?? '')}" (${(err as Error).message})`);
  }
  return clock;
}

/** A line for the CLI's printout when the clock differs from the host's (nothing otherwise). */
export function clockInfo(clock: SimClock): Record<string, string> {
  if (clock.offsetMs === 0 && clock.driftPpm === 0) return {};
  return { clock: `offset ${clock.offsetMs} ms, drift ${clock.driftPpm} ppm (from real time at start)` };
}
