/**
 * A local MQTT broker for `npm start` (aedes, a devDependency), so the MQTT examples run without
 * anything installed: 127.0.0.1, port 1883 or the next free one. Shaped like a simulator handle so
 * `targets.ts` can point the examples' mqtt-broker config node at it.
 */
import net from 'node:net';
import type { SimulatorHandle } from '../simulators/types';

interface AedesInstance {
  handle: (socket: net.Socket) => unknown;
  close(callback?: () => void): void;
}
interface AedesModule {
  Aedes: { createBroker(): Promise<AedesInstance> };
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export async function startMqttBroker(firstPort = 1883, attempts = 20): Promise<SimulatorHandle> {
  // aedes 1.x is ESM only: a real dynamic import (kept as import() by the node16 module setting).
  const { Aedes } = (await import('aedes')) as unknown as AedesModule;
  const aedes = await Aedes.createBroker();
  const server = net.createServer((socket) => aedes.handle(socket));
  let port = 0;
  for (let i = 0; i < attempts && port === 0; i++) {
    try {
      port = await listen(server, firstPort + i);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  if (port === 0) port = await listen(server, 0);
  return {
    name: 'mqtt',
    endpoints: { mqtt: `mqtt://127.0.0.1:${port}` },
    info: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => aedes.close(() => resolve()));
      }),
  };
}
