/** Shared set-up for the motif tests: a simulator with short timings and a client trusting it. */
import { MotifClient, type MotifClientOptions } from '../../src/backends/motif/client';
import { MotifSimulator, type MotifSimulatorOptions } from '../../src/simulators/motif';

export const FAST_TIMING = { pendingMs: 30, copyMs: 80, exportMs: 80 };

export async function startSimulator(options: MotifSimulatorOptions = {}): Promise<MotifSimulator> {
  return MotifSimulator.start({ timing: FAST_TIMING, ...options });
}

export function clientFor(sim: MotifSimulator, options: Partial<MotifClientOptions> = {}): MotifClient {
  return new MotifClient({
    host: sim.host,
    port: sim.port,
    apiKey: sim.apiKey,
    tls: { mode: 'fingerprint', fingerprint: sim.fingerprint256 },
    timeoutMs: 2000,
    ...options,
  });
}

/** Runs `fn`, expecting it to reject; returns the error. */
export async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected a rejection, but the call succeeded');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
