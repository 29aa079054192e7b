/**
 * Simulators on the ports the example files name (their config nodes as shipped), so an example
 * imported from the editor's menu into the running demo reaches a system: the RemotiveLabs
 * examples (a broker at 127.0.0.1:50051, no credential) work as they are; the motif (6083) and
 * Aivero (8443) examples reach a simulator too, and their config node names what is still to fill
 * in (the API key / admin secret and the TLS trust printed to simulators.txt). A port in use is
 * left alone (a real system, or a second demo): the example then talks to whatever is there.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { simulators } from '../simulators/registry';
import type { SimulatorHandle } from '../simulators/types';
import { readExample } from './flows';

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

/** The cameras the example files name (a motif node's camera, a schedule task's), besides the simulator's own. */
export function namedCameras(files: readonly string[]): string[] {
  const cameras = new Set(['FAKE0', 'FAKE1']);
  for (const file of files)
    for (const n of readExample(file)) {
      if (!n.type.startsWith('motif-') || n.type === 'motif-server') continue;
      const tasks = Array.isArray(n.tasks) ? (n.tasks as Array<Record<string, unknown>>) : [];
      for (const camera of [n.camera, ...tasks.map((t) => t.camera)])
        if (typeof camera === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(camera)) cameras.add(camera);
    }
  return [...cameras];
}

/**
 * The certificates Node-RED should trust besides the public ones (`NODE_EXTRA_CA_CERTS` takes one
 * file): the user's own file, if set, and the imported examples' Aivero simulator's, so an Aivero
 * example's "verify" TLS trust holds against it unchanged. With nothing to add, `current` as it is.
 */
export function extraCaFile(
  userDir: string,
  caFiles: readonly string[],
  current: string | undefined,
): string | undefined {
  const parts = [current, ...caFiles].filter((f): f is string => Boolean(f) && fs.existsSync(f as string));
  if (parts.length === 0 || (parts.length === 1 && parts[0] === current)) return current;
  const file = path.join(userDir, 'extra-ca.pem');
  fs.writeFileSync(file, parts.map((f) => fs.readFileSync(f, 'utf8').trim()).join('\n') + '\n');
  return file;
}
