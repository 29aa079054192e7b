/**
 * One WebSocket to Aivero on undici's standard client. The standard API says only "it failed" and
 * "it closed with 1006"; to tell a refused credential (HTTP 401) from a server that does not speak a
 * protocol (404, no subprotocol), a TLS failure from a timeout, and a frame over the size cap from a
 * dropped line, an interceptor on the socket's own dispatcher watches the handshake: the answer's
 * status and subprotocol, the transport's error, and the raw socket (so a stuck peer can be cut at
 * once, and the client's own 1009 close frame shows when undici refused an oversized message).
 */
import type { Duplex } from 'node:stream';
import { Agent, WebSocket, type Dispatcher } from 'undici';
import type { ResolvedConfig } from './config';

/**
 * Largest WebSocket message accepted, bytes. A live-query result is every watched row (id, name,
 * state: about 100 bytes each, at most 10 000 rows are read), so 4 MiB leaves ample room; undici
 * refuses a larger frame from its header, before the payload is buffered.
 */
export const MAX_WS_MESSAGE_BYTES = 4 * 1024 * 1024;

/** What the handshake and the line showed, beyond what the standard events carry. */
export interface SocketTrace {
  /** HTTP status of the upgrade answer (101 when accepted). */
  status?: number;
  /** The subprotocol the server chose ('' when it named none). */
  protocol?: string;
  /** The transport's own error (refused, reset, TLS), when the handshake failed on the way. */
  error?: Error;
  /** The handshake took longer than allowed and was abandoned. */
  timedOut: boolean;
  /** The client closed with 1009: a message over MAX_WS_MESSAGE_BYTES. */
  tooLarge: boolean;
}

export interface WatchedSocket {
  socket: WebSocket;
  trace: SocketTrace;
  /** The handshake completed (an 'open' event was seen). */
  readonly opened: boolean;
  /** Ends the socket at once, without waiting for the peer's close frame. Idempotent. */
  terminate(): void;
  /** Resolves when the socket is closed, bounded so a stuck socket cannot hang a close. */
  closed(boundMs?: number): Promise<void>;
}

function watchHandshake(
  trace: SocketTrace,
  onSocket: (s: Duplex) => void,
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) =>
    dispatch(options, {
      ...bind(handler),
      onRequestUpgrade(controller, status, headers, socket) {
        trace.status = status;
        const chosen = headers['sec-websocket-protocol'];
        trace.protocol = typeof chosen === 'string' ? chosen : '';
        onSocket(socket);
        handler.onRequestUpgrade?.(controller, status, headers, socket);
      },
      onResponseStart(controller, status, headers, message) {
        trace.status = status;
        handler.onResponseStart?.(controller, status, headers, message);
      },
      onResponseError(controller, error) {
        trace.error ??= error;
        handler.onResponseError?.(controller, error);
      },
    });
}

/** The handler's own methods, bound, so the watch can pass on what it does not look at. */
function bind(handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler {
  const bound: Dispatcher.DispatchHandler = {};
  for (const key of ['onRequestStart', 'onResponseData', 'onResponseEnd'] as const) {
    const method = handler[key];
    if (typeof method === 'function') Object.assign(bound, { [key]: method.bind(handler) });
  }
  return bound;
}

/**
 * A client frame is masked: byte 0 = FIN|opcode, byte 1 = MASK|length, 4 mask bytes, then the
 * masked payload whose first two bytes are the close code.
 */
function closeCodeOf(chunk: unknown): number | undefined {
  if (!Buffer.isBuffer(chunk) || chunk.length < 8 || chunk[0] !== 0x88) return undefined;
  if ((chunk[1] & 0x7f) < 2) return undefined;
  return ((chunk[6] ^ chunk[2]) << 8) | (chunk[7] ^ chunk[3]);
}

/** The options a socket is constructed with, and the watch that goes with them. */
export interface PreparedLine {
  init: { dispatcher: Dispatcher; headers: Record<string, string> };
  /** Follows the socket constructed with `init`: the handshake timer, the close, the cut. */
  attach(socket: WebSocket): WatchedSocket;
}

/**
 * Prepares one socket: TLS trust and the message cap on its own dispatcher, the handshake watch,
 * the upgrade request's headers (a proxy in front sees only those). `connectTimeoutMs` bounds the
 * handshake. The caller constructs the socket (graphql-ws constructs its own) and attaches it.
 */
export function prepareLine(config: ResolvedConfig, connectTimeoutMs: number): PreparedLine {
  const trace: SocketTrace = { timedOut: false, tooLarge: false };
  let raw: Duplex | undefined;
  const agent = new Agent({
    connect: {
      ...(config.tls.ca ? { ca: config.tls.ca } : {}),
      rejectUnauthorized: !config.tls.insecure,
    },
    webSocket: { maxPayloadSize: MAX_WS_MESSAGE_BYTES },
  });
  const dispatcher = agent.compose(
    watchHandshake(trace, (socket) => {
      raw = socket;
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => {
        if (closeCodeOf(args[0]) === 1009) trace.tooLarge = true;
        return write(...args);
      }) as Duplex['write'];
    }),
  );
  return {
    init: { dispatcher, headers: { ...config.headers } },
    attach: (socket) => follow(socket, trace, agent, () => raw, connectTimeoutMs),
  };
}

function follow(
  socket: WebSocket,
  trace: SocketTrace,
  agent: Agent,
  raw: () => Duplex | undefined,
  connectTimeoutMs: number,
): WatchedSocket {
  const timer = setTimeout(() => {
    if (socket.readyState !== WebSocket.CONNECTING) return;
    trace.timedOut = true;
    socket.close();
  }, connectTimeoutMs);
  let isClosed = false;
  let opened = false;
  const closeWaiters: Array<() => void> = [];
  socket.addEventListener('open', () => {
    opened = true;
    clearTimeout(timer);
  });
  socket.addEventListener('close', () => {
    clearTimeout(timer);
    isClosed = true;
    raw()?.destroy();
    agent.close().catch(() => undefined);
    for (const wake of closeWaiters.splice(0)) wake();
  });

  return {
    socket,
    trace,
    get opened() {
      return opened;
    },
    terminate(): void {
      clearTimeout(timer);
      if (isClosed) return;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close();
      // The peer may never answer the close frame: the line is cut now, not after its timeout.
      raw()?.destroy();
      agent.destroy().catch(() => undefined);
    },
    closed(boundMs = 2000): Promise<void> {
      if (isClosed) return Promise.resolve();
      return new Promise((resolve) => {
        const bound = setTimeout(resolve, boundMs);
        closeWaiters.push(() => {
          clearTimeout(bound);
          resolve();
        });
      });
    },
  };
}
