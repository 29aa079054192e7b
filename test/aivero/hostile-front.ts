/**
 * A hostile HTTPS server on loopback for the Aivero client, alone or in front of the simulator. Each
 * GraphQL request is named by its operation and logged; a rule may answer it instead (a Hasura
 * error, a body without end, a body over the cap, no answer at all); what no rule answers goes to
 * the simulator, WebSocket upgrades included (relayed byte for byte), or, without one, gets an
 * empty GraphQL result.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { Agent, request } from 'undici';
import { sharedCertificate } from '../../src/simulators/aivero/certificate';

export interface SeenRequest {
  /** The GraphQL operation name (`UpdateRecordingSessionState`), or the path for a GET. */
  operation: string;
  path: string;
  headers: IncomingMessage['headers'];
  variables: Record<string, unknown>;
}

/** What a rule does with a request: answer it (JSON or raw), or leave it unanswered. */
export type Answer =
  | { json: unknown; status?: number }
  | { status: number; contentType?: string; body: string }
  | { endless: true }
  | { jsonBytes: number }
  | { hang: true };

export type Rule = (req: SeenRequest) => Answer | undefined;

export interface HostileFront {
  url: string;
  ca: string;
  /** Every request seen, oldest first. */
  seen: SeenRequest[];
  /** Rules tried in order for each request; the first answer wins. */
  rules: Rule[];
  /** Bytes written by `endless` and `jsonBytes` answers so far. */
  bytesSent(): number;
  close(): Promise<void>;
}

/** Hasura's answer for an error: HTTP 200 with `errors[].extensions.code`. */
export function hasuraError(code: string, message: string, path = '$'): Answer {
  return { json: { errors: [{ message, extensions: { code, path } }] } };
}

function operationOf(body: string): { operation: string; variables: Record<string, unknown> } {
  try {
    const parsed = JSON.parse(body) as { operationName?: string; query?: string; variables?: unknown };
    const named =
      parsed.operationName ?? /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(parsed.query ?? '')?.[1];
    const variables =
      parsed.variables && typeof parsed.variables === 'object'
        ? (parsed.variables as Record<string, unknown>)
        : {};
    return { operation: named ?? 'anonymous', variables };
  } catch {
    return { operation: 'not-json', variables: {} };
  }
}

/** Where requests no rule answers go: a simulator (in this process or a child). */
export interface Upstream {
  url: string;
  ca?: string;
}

export async function startHostileFront(sim?: Upstream): Promise<HostileFront> {
  const certificate = await sharedCertificate();
  const agent = sim ? new Agent({ connect: { ca: sim.ca } }) : undefined;
  const upstream = sim ? new URL(sim.url) : undefined;
  const seen: SeenRequest[] = [];
  const rules: Rule[] = [];
  const sockets = new Set<Socket | Duplex>();
  let bytes = 0;

  const answer = (res: ServerResponse, what: Answer): void => {
    if ('hang' in what) return;
    if ('json' in what) {
      res.writeHead(what.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(what.json));
      return;
    }
    if ('body' in what) {
      res.writeHead(what.status, { 'content-type': what.contentType ?? 'application/json' });
      res.end(what.body);
      return;
    }
    // A body without end, or a valid JSON document of `jsonBytes`: written as fast as the client reads.
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.from(
      `{"id":"${'0'.repeat(36)}","model":"REALSENSE_D435","serial":"x"},`.repeat(1000),
    );
    const total = 'jsonBytes' in what ? what.jsonBytes : Infinity;
    let written = 0;
    const head = Buffer.from('{"data":{"cameras":[');
    const tail = Buffer.from('{"id":"last"}]}}');
    res.write(head);
    written += head.length;
    const pump = (): void => {
      while (!res.destroyed) {
        if (written + chunk.length + tail.length > total) {
          res.end(tail);
          bytes += tail.length;
          return;
        }
        written += chunk.length;
        bytes += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    if (!upstream || !agent) {
      answer(res, { json: { data: {} } });
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    request(`${upstream.origin}${req.url}`, {
      method: req.method as 'POST',
      headers: headers as Record<string, string>,
      body: body.length ? body : undefined,
      dispatcher: agent,
    }).then(
      async (reply) => {
        const data = Buffer.from(await reply.body.arrayBuffer());
        res.writeHead(reply.statusCode, {
          'content-type': String(reply.headers['content-type'] ?? 'text/plain'),
        });
        res.end(data);
      },
      () => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('bad gateway');
      },
    );
  };

  const server: Server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0];
      const { operation, variables } =
        req.method === 'POST' ? operationOf(body.toString('utf8')) : { operation: path, variables: {} };
      const entry: SeenRequest = { operation, path, headers: req.headers, variables };
      seen.push(entry);
      for (const rule of rules) {
        const decided = rule(entry);
        if (decided) return answer(res, decided);
      }
      forward(req, res, body);
    });
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    if (!upstream) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const relay = tlsConnect({ host: upstream.hostname, port: Number(upstream.port), ca: sim?.ca });
    sockets.add(relay);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    relay.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) relay.write(head);
    relay.pipe(socket);
    socket.pipe(relay);
    const end = (): void => {
      relay.destroy();
      socket.destroy();
    };
    relay.on('error', end);
    socket.on('error', end);
    relay.on('close', end);
    socket.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/v1/graphql`,
    ca: certificate.cert,
    seen,
    rules,
    bytesSent: () => bytes,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await agent?.close();
    },
  };
}
