/**
 * What both WebSocket protocols share: socket options (TLS trust, proxy headers, handshake
 * timeout), the channel contract the watcher drives, and reading a failed handshake or an early
 * close as "this server does not speak that protocol" (→ try the next one) or as a real failure.
 */
import WebSocket from 'ws';
import { ConnectionError, RecorderError, TimeoutError } from '../../common/errors';
import type { ResolvedConfig } from './config';
import {
  AiveroApiError,
  AiveroAuthError,
  CREDENTIAL_TEXT,
  fromTransportError,
  type Redactor,
} from './errors';

/** A session row as a live query or a poll returns it. */
export interface WatchedRow {
  id: string;
  name: string;
  state: string;
}

export interface ChannelHandlers {
  /** A complete result of the live query (or poll). */
  onRows(rows: WatchedRow[]): void;
  /** The channel is lost; `unsupported` = the server does not speak this protocol at all. */
  onFailure(error: RecorderError, unsupported: boolean): void;
}

/** One attempt at one protocol. `stop()` tears everything down at once and is idempotent. */
export interface Channel {
  stop(): void;
  /** Resolves once every socket of the channel is closed. */
  closed(): Promise<void>;
}

export interface ChannelContext {
  config: ResolvedConfig;
  redactor: Redactor;
  connectTimeoutMs: number;
  document: string;
  variables: Record<string, unknown>;
}

export function socketOptions(config: ResolvedConfig, connectTimeoutMs: number): WebSocket.ClientOptions {
  return {
    // The proxy in front (basic auth) sees the upgrade request only; Hasura reads connection_init.
    headers: { ...config.headers },
    handshakeTimeout: connectTimeoutMs,
    ...(config.tls.ca ? { ca: config.tls.ca } : {}),
    rejectUnauthorized: !config.tls.insecure,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
  };
}

/** The rows of `recordingSessions` in a result; an error if the shape is wrong. */
export function rowsOf(data: unknown): WatchedRow[] {
  const list = (data as { recordingSessions?: unknown } | null | undefined)?.recordingSessions;
  if (!Array.isArray(list))
    throw new AiveroApiError(
      'the subscription result has no list "recordingSessions"',
      { code: 'unexpected-answer', httpStatus: 200 },
      false,
    );
  return list
    .filter(
      (r): r is Record<string, unknown> =>
        typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string',
    )
    .map((r) => ({
      id: r.id as string,
      name: typeof r.name === 'string' ? r.name : '',
      state: typeof r.state === 'string' ? r.state : String(r.state),
    }));
}

// A refused credential only: a refusal of one operation ("access-denied", "forbidden") is not one.
const AUTH_TEXT = CREDENTIAL_TEXT;

/** A failure seen during the handshake (ws 'error' before 'open'). */
export function handshakeFailure(
  err: unknown,
  protocol: string,
  ctx: ChannelContext,
): { error: RecorderError; unsupported: boolean } {
  const server = ctx.config.endpoint.server;
  const message = err instanceof Error ? err.message : String(err);
  if (/Server sent (no|an invalid) subprotocol/i.test(message))
    return {
      error: new ConnectionError(`Aivero at ${server} does not offer the ${protocol} WebSocket protocol`),
      unsupported: true,
    };
  const status = /Unexpected server response: (\d{3})/.exec(message);
  if (status) {
    const code = Number(status[1]);
    const hasura = { code: `http-${code}`, httpStatus: code };
    if (code === 401 || code === 403)
      return {
        error: new AiveroAuthError(`the WebSocket upgrade was refused (HTTP ${code})`, hasura),
        unsupported: false,
      };
    if ([400, 404, 405, 426, 501].includes(code))
      return {
        error: new AiveroApiError(
          `Aivero at ${server} refused a ${protocol} WebSocket (HTTP ${code})`,
          hasura,
          false,
        ),
        unsupported: true,
      };
    return {
      error: new AiveroApiError(`the WebSocket upgrade failed (HTTP ${code})`, hasura, code >= 500),
      unsupported: false,
    };
  }
  if (/Opening handshake has timed out/i.test(message))
    return {
      error: new TimeoutError(
        `Aivero at ${server} did not complete the WebSocket handshake in ${ctx.connectTimeoutMs} ms`,
      ),
      unsupported: false,
    };
  return { error: fromTransportError(err, server), unsupported: false };
}

/** A close before the server acknowledged us: protocol refusal, credentials, or a plain drop. */
export function earlyClose(
  code: number,
  reason: string,
  protocol: string,
  ctx: ChannelContext,
): { error: RecorderError; unsupported: boolean } {
  const server = ctx.config.endpoint.server;
  const text = ctx.redactor.text(reason || 'no reason', 200);
  // Checked first: Hasura refuses credentials with 4400 and the reason as text.
  if (code === 4401 || code === 4403 || AUTH_TEXT.test(reason))
    return {
      error: new AiveroAuthError(`Aivero refused the WebSocket credentials (${code}: ${text})`, {
        code: /jwt/i.test(reason) ? 'invalid-jwt' : 'access-denied',
        httpStatus: 200,
      }),
      unsupported: false,
    };
  if (code === 4406 || code === 1002)
    return {
      error: new ConnectionError(`Aivero at ${server} closed the ${protocol} WebSocket (${code}: ${text})`),
      unsupported: true,
    };
  if (code === 4400)
    return {
      error: new AiveroApiError(
        `Aivero refused the WebSocket connection (${code}: ${text})`,
        { code: 'bad-request', httpStatus: 200 },
        false,
      ),
      unsupported: false,
    };
  return {
    error: new ConnectionError(`Aivero at ${server} closed the WebSocket (${code}: ${text})`),
    unsupported: false,
  };
}

/** A close after the server acknowledged us: an expired token (Hasura closes then) or a drop. */
export function lateClose(code: number, reason: string, ctx: ChannelContext): RecorderError {
  const text = ctx.redactor.text(reason || 'no reason', 200);
  if (code === 4401 || code === 4403 || AUTH_TEXT.test(reason))
    return new AiveroAuthError(
      `Aivero closed the subscription: the credentials are no longer accepted (${code}: ${text})`,
      {
        code: /jwt/i.test(reason) ? 'invalid-jwt' : 'access-denied',
        httpStatus: 200,
      },
    );
  return new ConnectionError(
    `Aivero at ${ctx.config.endpoint.server} closed the subscription (${code}: ${text})`,
  );
}

/** Resolves when the socket is closed (at once if it is), bounded so a stuck socket cannot hang close(). */
export function socketClosed(socket: WebSocket, boundMs = 2000): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, boundMs);
    function done(): void {
      clearTimeout(timer);
      socket.off('close', done);
      resolve();
    }
    socket.once('close', done);
  });
}
