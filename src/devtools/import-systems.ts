/**
 * Simulators on the ports the example files name (their config nodes as shipped), so an example
 * imported from the editor's menu into the running demo reaches a system: the RemotiveLabs
 * examples (a broker at 127.0.0.1:50051, no credential) work as they are; the motif (6083) and
 * Aivero (8443) examples reach a simulator too, and their config node names what is still to fill
 * in (the API key / admin secret and the TLS trust printed to simulators.txt). A port in use is
 * left alone (a real system, or a second demo): the example then talks to whatever is there.
 */
import net from 'node:net';
import { simulators } from '../simulators/registry';
import type { SimulatorHandle } from '../simulators/types';

/** The ports the shipped examples' config nodes point at, per simulator. */
export const EXAMPLE_PORTS: Readonly<Record<string, number>> = { remotive: 50051, motif: 6083, aivero: 8443 };

/** Whether nothing listens on the loopback port (a listen that fails with EADDRINUSE says it is taken). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export interface ImportSystems {
  handles: SimulatorHandle[];
  /** Ports that were taken, per simulator name (nothing was started there). */
  skipped: Record<string, number>;
}

/** Starts each simulator of `names` on its example port when that port is free. */
export async function startImportSystems(
  names: readonly string[] = Object.keys(EXAMPLE_PORTS),
  extra: Readonly<Record<string, Record<string, string>>> = {},
): Promise<ImportSystems> {
  const handles: SimulatorHandle[] = [];
  const skipped: Record<string, number> = {};
  try {
    for (const name of names) {
      const port = EXAMPLE_PORTS[name];
      if (port === undefined) throw new Error(`no example port for the ${name} simulator`);
      if (!(await portFree(port))) {
        skipped[name] = port;
        continue;
      }
      handles.push(await simulators[name]().start({ ...extra[name], port: String(port) }));
    }
  } catch (err) {
    await Promise.all(handles.map((h) => h.close()));
    throw err;
  }
  return { handles, skipped };
}
