/**
 * A purpose-built Aivero stand-in that misbehaves on its WebSocket side, over plain HTTP on
 * 127.0.0.1: each new WebSocket connection follows a script chosen by its number. HTTP answers just
 * enough for the server node's probe (cameras, introspection refused) and for polling.
 *
 * Scripts (after the acknowledgement):
 *   normal  — the first result at once, a new result whenever `setState` is called, pongs, `ka`,
 *             answers to one-off queries;
 *   silent  — the first result, then nothing at all: no results, no pong, no `ka`, no answers;
 *   flood   — results as fast as the socket takes them for `floodMs`, the state alternating, then
 *             the current state once more and normal behaviour;
 *   oversize — one data frame of `oversizeBytes` bytes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

export type Script = 'normal' | 'silent' | 'flood' | 'oversize';
export type HostileProtocol = 'graphql-transport-ws' | 'graphql-ws';

export interface HostileOptions {
  protocol: HostileProtocol;
  /** The script of the n-th WebSocket connection (0-based). */
  script(n: number): Script;
  sessionId: string;
  name?: string;
  state?: string;
  /** Legacy `ka` period on normal connections, ms (default 200). */
  keepAliveMs?: number;
  floodMs?: number;
  oversizeBytes?: number;
}

export interface HostileServer {
  url: string;
  /** WebSocket connections accepted so far. */
  readonly connections: number;
  /** Subscriptions started (live queries). */
  readonly subscriptions: number;
  /** Result frames sent by flooding connections. */
  readonly flooded: number;
  /** Floods that ended (the current state was sent after them). */
  readonly floodsDone: number;
  /** Pings or one-off queries received on silent connections (the client probing). */
  readonly probesIgnored: number;
  /** The session's state now; setting it pushes a result to every normal subscription. */
  state: string;
  close(): Promise<void>;
}

const FLOOD_STATES = ['Standby', 'Started'];

export async function startHostileServer(options: HostileOptions): Promise<HostileServer> {
  const name = options.name ?? 'hostile';
  let state = options.state ?? 'Standby';
  let connections = 0;
  let subscriptions = 0;
  let flooded = 0;
  let floodsDone = 0;
  let probesIgnored = 0;
  const pushers = new Set<() => void>();
  const rows = (s = state): unknown => ({ recordingSessions: [{ id: options.sessionId, name, state: s }] });

  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const json = (value: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'GET') return json({ ok: true });
      if (/__type|__schema/.test(body))
        return json({
          errors: [
            { message: 'introspection is disabled', extensions: { code: 'validation-failed', path: '$' } },
          ],
        });
      if (body.includes('recordingSessions')) return json({ data: rows() });
      json({ data: { cameras: [] } });
    });
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(options.protocol) ? options.protocol : false),
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
  );

  wss.on('connection', (ws: WebSocket) => {
    const script = options.script(connections++);
    const legacy = options.protocol === 'graphql-ws';
    let mute = false;
    let keepAlive: NodeJS.Timeout | undefined;
    const send = (message: Record<string, unknown>): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    };
    const result = (id: string, data: unknown): void =>
      send(legacy ? { type: 'data', id, payload: { data } } : { type: 'next', id, payload: { data } });
    ws.on('close', () => clearInterval(keepAlive));
    ws.on('error', () => ws.terminate());

    const subscribe = (id: string): void => {
      subscriptions++;
      if (script === 'oversize') {
        const filler = 'x'.repeat(options.oversizeBytes ?? 5 * 1024 * 1024);
        result(id, { recordingSessions: [{ id: options.sessionId, name: filler, state }] });
        return;
      }
      result(id, rows());
      if (script === 'silent') {
        mute = true;
        clearInterval(keepAlive);
        return;
      }
      const push = (): void => result(id, rows());
      if (script === 'flood') {
        const until = Date.now() + (options.floodMs ?? 2000);
        // Serialised once: the flood costs this (shared) event loop as little as possible.
        const frames = FLOOD_STATES.map((s) =>
          JSON.stringify(
            legacy
              ? { type: 'data', id, payload: { data: rows(s) } }
              : { type: 'next', id, payload: { data: rows(s) } },
          ),
        );
        let i = 0;
        const burst = (): void => {
          if (ws.readyState !== WebSocket.OPEN) return;
          if (Date.now() >= until) {
            result(id, rows());
            floodsDone++;
            pushers.add(push);
            return;
          }
          // A bounded burst per turn, so the server itself does not block the loop for long; an odd
          // count, so the last frame of a burst (what a latest-wins reader keeps) alternates too.
          for (let n = 0; n < 333 && ws.bufferedAmount < 4 * 1024 * 1024; n++) {
            ws.send(frames[i++ % 2]);
            flooded++;
          }
          setImmediate(burst);
        };
        setImmediate(burst);
        ws.once('close', () => pushers.delete(push));
        return;
      }
      pushers.add(push);
      ws.once('close', () => pushers.delete(push));
    };

    ws.on('message', (raw: WebSocket.RawData) => {
      let message: { type?: string; id?: string; payload?: { query?: string } };
      try {
        message = JSON.parse(raw.toString()) as typeof message;
      } catch {
        return;
      }
      const id = String(message.id ?? '');
      const query = message.payload?.query ?? '';
      if (mute) {
        if (message.type === 'ping' || message.type === 'start') probesIgnored++;
        return;
      }
      switch (message.type) {
        case 'connection_init':
          send({ type: 'connection_ack' });
          if (legacy) {
            send({ type: 'ka' });
            keepAlive = setInterval(() => send({ type: 'ka' }), options.keepAliveMs ?? 200);
          }
          return;
        case 'ping':
          send({ type: 'pong' });
          return;
        case 'subscribe':
        case 'start':
          if (/^\s*subscription/.test(query)) return subscribe(id);
          // A one-off query (the client's probe): answer it and complete.
          result(id, { __typename: 'query_root' });
          send({ type: 'complete', id });
          return;
        default:
          return;
      }
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/graphql`,
    get connections() {
      return connections;
    },
    get subscriptions() {
      return subscriptions;
    },
    get flooded() {
      return flooded;
    },
    get floodsDone() {
      return floodsDone;
    },
    get probesIgnored() {
      return probesIgnored;
    },
    get state() {
      return state;
    },
    set state(next: string) {
      state = next;
      for (const push of pushers) push();
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
