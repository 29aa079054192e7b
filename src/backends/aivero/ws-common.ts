/**
 * What both WebSocket protocols share: socket options (TLS trust, proxy headers, handshake
 * timeout, the message size cap), the channel contract the watcher drives, the silence watchdog,
 * and reading a failed handshake or an early close as "this server does not speak that protocol"
 * (→ try the next one) or as a real failure.
 */
import { ConnectionError, RecorderError, TimeoutError } from '../../common/errors';
import type { ResolvedConfig } from './config';
import {
  AiveroApiError,
  AiveroAuthError,
  CREDENTIAL_TEXT,
  fromTransportError,
  type Redactor,
} from './errors';
import { MAX_WS_MESSAGE_BYTES, type SocketTrace } from './ws-socket';

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
  /** Longest silence of an acknowledged subscription before it counts as stalled, ms (0 = never). */
  stallMs: number;
  document: string;
  variables: Record<string, unknown>;
}

/**
 * Retryable: a proxy's garbage may pass, and an all-sessions answer may shrink when sessions are
 * deleted; the watch's backoff keeps the cost of asking again bounded.
 */
export function tooLargeError(ctx: ChannelContext): RecorderError {
  return new AiveroApiError(
    `the answer from Aivero at ${ctx.config.endpoint.server} was too large: a WebSocket message over ${MAX_WS_MESSAGE_BYTES / 1024 / 1024} MiB`,
    { code: 'too-large', httpStatus: 200 },
    true,
  );
}

/** A subscription that went quiet although it should have answered: shown as "stalled". */
export class AiveroStallError extends RecorderError {
  constructor(message: string) {
    super('TIMEOUT', message, 'stalled');
    this.name = 'AiveroStallError';
  }
}

/**
 * Watches one acknowledged subscription for silence. Every frame from the server counts as a sign
 * of life (results, pongs, the legacy `ka`, answers to probes). After a quarter of the limit without
 * one, `probe` asks the server for something (a ping, a cheap query), so a quiet but healthy server
 * answers in time; after the whole limit without one — or without the first result — the
 * subscription is stalled: a half-open TCP path, a NAT that dropped the mapping, a hung server.
 */
export class SilenceWatch {
  private lastHeardAt = performance.now();
  private startedAt = performance.now();
  private gotResult = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stallMs: number,
    private readonly probe: () => void,
    private readonly onStall: (error: AiveroStallError) => void,
  ) {}

  /** The interval of probes while silent (and of graphql-transport-ws pings). */
  static probeInterval(stallMs: number): number {
    return Math.max(10, Math.floor(stallMs / 4));
  }

  /** The subscription was acknowledged: from now on silence counts. */
  start(): void {
    if (this.stallMs <= 0 || this.timer) return;
    this.startedAt = this.lastHeardAt = performance.now();
    this.timer = setInterval(() => this.check(), SilenceWatch.probeInterval(this.stallMs));
  }

  heard(): void {
    this.lastHeardAt = performance.now();
  }

  result(): void {
    this.gotResult = true;
    this.lastHeardAt = performance.now();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = performance.now();
    const silent = now - this.lastHeardAt;
    if (!this.gotResult && now - this.startedAt >= this.stallMs) {
      this.stop();
      this.onStall(
        new AiveroStallError(`the subscription sent no result for ${this.stallMs} ms after it was accepted`),
      );
    } else if (silent >= this.stallMs) {
      this.stop();
      this.onStall(
        new AiveroStallError(
          `nothing arrived on the subscription for ${this.stallMs} ms, not even an answer to a ping`,
        ),
      );
    } else if (silent >= SilenceWatch.probeInterval(this.stallMs)) this.probe();
  }
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

/** A socket that closed before it opened: what the handshake showed. */
export function handshakeFailure(
  trace: SocketTrace,
  protocol: string,
  ctx: ChannelContext,
): { error: RecorderError; unsupported: boolean } {
  const server = ctx.config.endpoint.server;
  if (trace.timedOut)
    return {
      error: new TimeoutError(
        `Aivero at ${server} did not complete the WebSocket handshake in ${ctx.connectTimeoutMs} ms`,
      ),
      unsupported: false,
    };
  const code = trace.status;
  if (code === 101 && !trace.protocol)
    return {
      error: new ConnectionError(`Aivero at ${server} does not offer the ${protocol} WebSocket protocol`),
      unsupported: true,
    };
  if (code !== undefined && code !== 101) {
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
  if (trace.error) return { error: fromTransportError(trace.error, server), unsupported: false };
  return {
    error: new ConnectionError(`Aivero at ${server} did not accept the ${protocol} WebSocket`),
    unsupported: false,
  };
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
