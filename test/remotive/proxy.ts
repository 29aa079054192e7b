/**
 * A tiny TCP proxy on loopback for fault tests. `blackhole()` turns it into a half-open link: every
 * open connection stays up but no byte passes in either direction (what a stuck NAT or proxy does),
 * and new connections fail at once (the network is gone; a real one would let them time out,
 * which only makes tests slower). Connections made after `restore()` forward normally again; the
 * black-holed ones stay dead.
 */
import net from 'node:net';

export class StallProxy {
  readonly port: number;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private holeUntilRestore = false;
  /** Connections accepted so far. */
  connections = 0;

  private constructor(server: net.Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(targetPort: number): Promise<StallProxy> {
    const ref: { proxy?: StallProxy } = {};
    const server = net.createServer((client) => ref.proxy?.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new StallProxy(server, (server.address() as net.AddressInfo).port);
    ref.proxy = proxy;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stop forwarding, silently, on every connection (open ones and new ones). */
  blackhole(): void {
    this.holeUntilRestore = true;
    for (const socket of this.sockets) socket.emit('blackhole');
  }

  /** New connections forward again. */
  restore(): void {
    this.holeUntilRestore = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, targetPort: number): void {
    if (this.holeUntilRestore) {
      client.destroy();
      return;
    }
    this.connections++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    let dead = false;
    const cut = (): void => {
      dead = true;
    };
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('blackhole', cut);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        // One side gave up (the client after a failed keepalive, or the broker): the other goes too.
        (socket === client ? upstream : client).destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (!dead) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!dead) client.write(chunk);
    });
  }
}
