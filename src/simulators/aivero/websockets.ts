/**
 * WebSocket upgrades on the GraphQL paths, routed by subprotocol as Hasura does: a client offering
 * `graphql-transport-ws` gets that protocol; `graphql-ws` or no subprotocol gets the legacy one.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Disposable } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { front, rawAnswer, type FrontConfig } from './front';
import { GRAPHQL_PATHS, pathOf } from './http';
import { serveLegacy } from './ws-legacy';
import type { WsEnvironment } from './ws-common';
import { serveTransportWs } from './ws-transport';

const TRANSPORT = 'graphql-transport-ws';
const LEGACY = 'graphql-ws';

/** Which protocols the server speaks (tests of a client's fallbacks use the narrower ones). */
export type WebSocketMode = 'both' | 'legacy' | 'transport' | 'off';

function refuse(socket: Duplex): void {
  socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

export class WebSockets {
  private readonly modern = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    handleProtocols: (offered) => (offered.has(TRANSPORT) ? TRANSPORT : false),
  });
  private readonly legacy = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    handleProtocols: (offered) => (offered.has(LEGACY) ? LEGACY : false),
  });
  private readonly disposable: Disposable;
  /** WebSocket connections accepted since the start (tests count a client's sockets with it). */
  opened = 0;

  constructor(
    server: Server,
    private readonly env: WsEnvironment,
    isUp: () => boolean,
    private readonly mode: () => WebSocketMode = () => 'both',
    private readonly frontConfig: FrontConfig = {},
  ) {
    this.disposable = serveTransportWs(this.modern, env);
    this.legacy.on('connection', (socket, request: IncomingMessage) => serveLegacy(socket, request, env));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!isUp() || !GRAPHQL_PATHS.has(pathOf(req))) {
        socket.destroy();
        return;
      }
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((s) => s.trim());
      const proxy = front(this.frontConfig, req);
      if (proxy) {
        socket.end(rawAnswer(proxy));
        return;
      }
      const mode = this.mode();
      if (mode === 'off') return refuse(socket);
      // A legacy-only server (Hasura before v2.1) speaks the old protocol whatever is offered.
      const target =
        mode === 'legacy' ? this.legacy : offered.includes(TRANSPORT) ? this.modern : this.legacy;
      if (mode === 'transport' && target !== this.modern) return refuse(socket);
      target.handleUpgrade(req, socket, head, (ws) => {
        this.opened++;
        target.emit('connection', ws, req);
      });
    });
  }

  /** The server goes down: every socket is cut (clients see an abnormal close), every live query ends. */
  terminateAll(): void {
    for (const c of this.modern.clients) c.terminate();
    for (const c of this.legacy.clients) c.terminate();
    for (const q of [...this.env.liveQueries]) q.stop();
  }

  async dispose(): Promise<void> {
    this.terminateAll();
    await this.disposable.dispose();
    await new Promise<void>((resolve) => this.legacy.close(() => resolve()));
  }
}
