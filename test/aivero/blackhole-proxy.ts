/**
 * A TCP relay on 127.0.0.1 that can turn into a black hole: `swallow()` makes every connection open
 * at that moment silently stop carrying bytes in both directions, without closing it (a NAT that
 * forgot the mapping, a half-open path). Connections made afterwards are relayed normally.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface BlackholeProxy {
  port: number;
  /** Connections relayed so far. */
  readonly connections: number;
  swallow(): void;
  close(): Promise<void>;
}

export async function startBlackholeProxy(target: { host: string; port: number }): Promise<BlackholeProxy> {
  const open = new Set<{ client: Socket; upstream: Socket }>();
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const upstream = createConnection(target);
    const pair = { client, upstream };
    sockets.add(client);
    sockets.add(upstream);
    open.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      open.delete(pair);
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    swallow() {
      for (const { client, upstream } of open) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        // Read and drop whatever comes: the peers see an open connection that never answers.
        client.on('data', () => undefined);
        upstream.on('data', () => undefined);
      }
      open.clear();
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
