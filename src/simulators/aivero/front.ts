/**
 * What sits in front of Hasura on an Aivero server (vendor documentation): the Traefik ingress with an
 * optional basic-auth middleware, and a proxy that answers by itself (502/503, not JSON) while the
 * engine is away. Both let a client test its handling of non-GraphQL answers.
 */
import { timingSafeEqual } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';

export interface FrontConfig {
  basicAuth?: { username: string; password: string };
  /** When set, every request gets this HTTP status with a plain-text body, as from the proxy. */
  proxyError?: number;
}

export interface FrontAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function plain(status: number, extra: Record<string, string> = {}): FrontAnswer {
  const body = `${status} ${STATUS_CODES[status] ?? 'Error'}\n`;
  return {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      ...extra,
    },
    body,
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The proxy's own answer, or undefined to pass the request on. A valid basic-auth header is removed
 * before Hasura sees it (Traefik's `removeHeader: true`), so it cannot be mistaken for a JWT.
 */
export function front(cfg: FrontConfig, req: IncomingMessage): FrontAnswer | undefined {
  if (cfg.proxyError !== undefined) return plain(cfg.proxyError);
  if (!cfg.basicAuth) return undefined;
  const h = req.headers.authorization ?? '';
  const m = h.match(/^Basic\s+([A-Za-z0-9+/=]{1,2048})$/i);
  const expected = Buffer.from(`${cfg.basicAuth.username}:${cfg.basicAuth.password}`).toString('base64');
  if (!m || !same(m[1], expected)) return plain(401, { 'www-authenticate': 'Basic realm="traefik"' });
  delete req.headers.authorization;
  return undefined;
}

/** The same answer written on a raw socket (a refused WebSocket upgrade). */
export function rawAnswer(a: FrontAnswer): string {
  const lines = [`HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? 'Error'}`, 'connection: close'];
  for (const [k, v] of Object.entries(a.headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${a.body}`;
}
