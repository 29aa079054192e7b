/**
 * A plain-HTTP front for the simulator, standing for an older server or a proxy that does not pass
 * every WebSocket protocol: HTTP requests are forwarded; upgrades are refused outright (`no-ws`),
 * or only the legacy `graphql-ws` subprotocol is accepted and relayed (`legacy-only`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Agent, request } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import type { AiveroSimulator } from '../../src/simulators/aivero';

export type FrontMode = 'no-ws' | 'legacy-only';

export interface FrontProxy {
  url: string;
  /** WebSocket upgrades seen, by the subprotocols offered. */
  upgrades: string[];
  close(): Promise<void>;
}

export async function startFrontProxy(sim: AiveroSimulator, mode: FrontMode): Promise<FrontProxy> {
  const agent = new Agent({ connect: { ca: sim.ca } });
  const origin = new URL(sim.url).origin;
  const upgrades: string[] = [];
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has('graphql-ws') ? 'graphql-ws' : false),
  });
  const relays = new Set<WebSocket>();
  wss.on('connection', (client: WebSocket) => {
    if (client.protocol !== 'graphql-ws') {
      client.close(1002, 'unsupported');
      return;
    }
    const upstream = new WebSocket(sim.wsUrl, 'graphql-ws', { ca: sim.ca });
    relays.add(upstream);
    relays.add(client);
    const queued: WebSocket.RawData[] = [];
    upstream.on('open', () => queued.splice(0).forEach((m) => upstream.send(m.toString())));
    client.on('message', (m) =>
      upstream.readyState === WebSocket.OPEN ? upstream.send(m.toString()) : queued.push(m),
    );
    upstream.on('message', (m) => client.readyState === WebSocket.OPEN && client.send(m.toString()));
    const end = (): void => {
      upstream.terminate();
      client.terminate();
    };
    upstream.on('close', end);
    upstream.on('error', end);
    client.on('close', end);
    client.on('error', end);
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      request(`${origin}${req.url}`, {
        method: req.method as 'POST',
        headers: headers as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
        dispatcher: agent,
      }).then(
        async (answer) => {
          const body = Buffer.from(await answer.body.arrayBuffer());
          res.writeHead(answer.statusCode, {
            'content-type': String(answer.headers['content-type'] ?? 'text/plain'),
          });
          res.end(body);
        },
        () => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end('bad gateway');
        },
      );
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrades.push(String(req.headers['sec-websocket-protocol'] ?? ''));
    if (mode === 'no-ws') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/graphql`,
    upgrades,
    async close() {
      for (const ws of relays) ws.terminate();
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await new Promise((resolve) => wss.close(resolve));
      await agent.close();
    },
  };
}
