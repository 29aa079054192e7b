/** Small helpers for the broker tests: polling waits with a deadline, and a started simulator + client pair. */
import { RemotiveClient, type RemotiveClientOptions } from '../../src/backends/remotive';
import { RemotiveSimulator, type RemotiveSimulatorOptions } from '../../src/simulators/remotive';

export const CITY = 'drive/city-loop.recordingsession.yaml';
export const FAST_BACKOFF = { initialMs: 40, maxMs: 200 };

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Rig {
  sim: RemotiveSimulator;
  client: RemotiveClient;
  close(): Promise<void>;
}

export async function startRig(
  simOptions: RemotiveSimulatorOptions = {},
  clientOptions: Partial<RemotiveClientOptions> = {},
): Promise<Rig> {
  const sim = await RemotiveSimulator.start({ statusIntervalMs: 100, tickMs: 20, ...simOptions });
  const client = new RemotiveClient({ url: sim.url, backoff: FAST_BACKOFF, ...clientOptions });
  const rig: Rig = {
    sim,
    client,
    // Closes whatever the rig holds now: a test may swap in a new simulator (broker restart).
    async close() {
      await rig.client.close();
      await rig.sim.close();
    },
  };
  return rig;
}

/** Resolves with the error a promise rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
