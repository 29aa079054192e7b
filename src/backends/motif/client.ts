/**
 * HTTPS + JSON client for the loopbio motif API. One keep-alive undici Pool per client; every call
 * is bounded by a timeout and can be cancelled; failures become the typed errors of
 * `common/errors.ts` with messages that never contain the API key.
 */
import { Pool } from 'undici';
import { AnswerTooLargeError } from '../../common/answer-cap';
import {
  ApiError,
  AuthError,
  ClosedError,
  ConfigError,
  InputError,
  RecorderError,
  TimeoutError,
} from '../../common/errors';
import { Deadlines } from './deadlines';
import { Exchange } from './exchange';
import { endpointPath, findEndpoint, pathSegment } from './endpoints';
import { parseMotifJson, stringifyMotifJson } from './json';
import { motifConnector, type MotifTls } from './tls';
import { mapTransportError } from './transport-errors';

export type { MotifTls } from './tls';

export interface MotifClientOptions {
  host: string;
  /** Default 6083. */
  port?: number;
  apiKey: string;
  /** Default: pin loopbio's server certificate. */
  tls?: MotifTls;
  /** Default 10000 ms per call. */
  timeoutMs?: number;
  /** Maximum parallel connections of the pool (default 4). */
  connections?: number;
}

export interface MotifCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface MotifCamera {
  serial: string;
  [key: string]: unknown;
}

export type MotifWaitKind = 'stopped' | 'copied' | 'exported';

export const MOTIF_DEFAULT_PORT = 6083;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_POLL_MS = 500;
/** Parallel keep-alive connections per server: enough for 16 flows calling at once. */
const DEFAULT_CONNECTIONS = 16;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class MotifClient {
  readonly origin: string;
  private readonly server: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly pool: Pool;
  /** The pool's size: the most calls under way at once. */
  private readonly connections: number;
  /** Header list reused by every call (undici copies it; a fresh object per call is garbage). */
  private readonly headers: string[];
  private readonly deadlines = new Deadlines(() => TIMED_OUT);
  private closed = false;

  constructor(options: MotifClientOptions) {
    const host = typeof options.host === 'string' ? options.host.trim() : '';
    if (!host || /[\s/]/.test(host))
      throw new ConfigError('the motif host must be a host name or IP address');
    const port = options.port ?? MOTIF_DEFAULT_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new ConfigError('the motif port must be an integer between 1 and 65535');
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0)
      throw new ConfigError('the motif API key is missing');
    // Header values cannot carry control characters; checked here so undici never reports the key.
    if (!/^[\x21-\x7e]+$/.test(options.apiKey))
      throw new ConfigError('the motif API key contains characters that cannot be sent in a header');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0))
      throw new ConfigError('the motif timeout must be a positive number of milliseconds');
    const hostForUrl = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    this.server = `${hostForUrl}:${port}`;
    this.origin = `https://${this.server}`;
    this.apiKey = options.apiKey;
    this.headers = ['x-api-key', this.apiKey, 'content-type', 'application/json'];
    this.connections = options.connections ?? DEFAULT_CONNECTIONS;
    this.pool = new Pool(this.origin, {
      connect: motifConnector(options.tls ?? { mode: 'fingerprint' }, this.timeoutMs),
      connections: this.connections,
      pipelining: 1,
    });
  }

  /**
   * Calls one endpoint by id (the path template, e.g. 'camera/<serial>/recording/start'). A JSON body
   * is sent only when `body` has keys, as the Python client does.
   */
  call(
    endpointId: string,
    params: Record<string, string | undefined> = {},
    body?: Record<string, unknown>,
    options: MotifCallOptions = {},
  ): Promise<unknown> {
    // Not an async function (one promise fewer per call), so a refused input is turned into a
    // rejection by hand: callers always get a promise.
    try {
      const endpoint = findEndpoint(endpointId);
      if (!endpoint) throw new InputError(`unknown motif operation "${endpointId}"`);
      const path = endpointPath(endpoint, params);
      if (body !== undefined && !isRecord(body))
        throw new InputError('the motif arguments must be an object');
      const payload = body && Object.keys(body).length > 0 ? stringifyMotifJson(body) : undefined;
      return this.request(endpoint.method, path, payload, options);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new InputError(String(err)));
    }
  }

  async version(options?: MotifCallOptions): Promise<Record<string, unknown>> {
    return this.expectObject(await this.call('version', {}, undefined, options), 'version');
  }

  async cameras(options?: MotifCallOptions): Promise<MotifCamera[]> {
    const answer = this.expectObject(await this.call('cameras', {}, undefined, options), 'cameras');
    const list = answer.cameras;
    if (!Array.isArray(list) || !list.every((c) => isRecord(c) && typeof c.serial === 'string'))
      throw new ApiError(200, 'unexpected answer', 'motif answered "cameras" without a list of cameras');
    return list as MotifCamera[];
  }

  async cameraStatus(serial: string, options?: MotifCallOptions): Promise<Record<string, unknown>> {
    return this.expectObject(
      await this.call('camera/<serial>', { serial }, undefined, options),
      'camera status',
    );
  }

  /** Recording, or about to (status "pending"), as the Python client decides (vendor documentation). */
  async isRecording(serial: string, options?: MotifCallOptions): Promise<boolean> {
    return statusIsRecording(await this.cameraStatus(serial, options));
  }

  async isCopying(serial: string, options?: MotifCallOptions): Promise<boolean> {
    return statusIsCopying(await this.cameraStatus(serial, options));
  }

  async isExporting(serial: string, options?: MotifCallOptions): Promise<boolean> {
    return statusIsExporting(await this.cameraStatus(serial, options));
  }

  /** Polls the camera status until it stopped recording / copying / exporting. */
  async waitUntil(
    kind: MotifWaitKind,
    serial: string,
    options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
  ): Promise<void> {
    pathSegment('serial', serial);
    const busy = { stopped: statusIsRecording, copied: statusIsCopying, exported: statusIsExporting }[kind];
    if (!busy) throw new InputError(`unknown motif wait "${String(kind)}"`);
    const deadline = Date.now() + options.timeoutMs;
    const interval = options.intervalMs ?? DEFAULT_POLL_MS;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      let status: Record<string, unknown>;
      try {
        status = await this.cameraStatus(serial, {
          signal: options.signal,
          timeoutMs: Math.min(remaining, this.timeoutMs),
        });
      } catch (err) {
        // A status read cut short by the wait's own deadline: the wait timed out, say so.
        if (err instanceof TimeoutError && remaining < this.timeoutMs) break;
        throw err;
      }
      if (!busy(status)) return;
      const pause = Math.min(interval, deadline - Date.now());
      if (pause <= 0) break;
      await sleep(pause, options.signal);
    }
    throw new TimeoutError(`motif camera ${serial} was not ${kind} within ${options.timeoutMs} ms`);
  }

  /**
   * Opens up to `count` pool connections now (one `GET /version` each, at once: without pipelining
   * every call under way needs its own connection), so that a fan-out over that many cameras right
   * after the server node starts pays no TLS handshake. Capped at the pool size. The connections stay
   * as long as the server keeps idle connections open.
   */
  async warm(count: number, options?: MotifCallOptions): Promise<void> {
    const n = Math.min(Math.max(0, Math.floor(count)), this.connections);
    // A connection whose answer was just read is handed back to the pool a turn later: wait for it,
    // or the warm-up would open one connection more than asked.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(Array.from({ length: n }, () => this.call('version', {}, undefined, options)));
  }

  /** Destroys the pool; calls under way reject with ClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deadlines.close();
    // Destroying fails the calls under way; if it fails itself, the pool is unusable all the same.
    await this.pool.destroy().catch(() => undefined);
  }

  private async request(
    method: string,
    path: string,
    payload: string | undefined,
    options: MotifCallOptions,
  ): Promise<unknown> {
    if (this.closed) throw new ClosedError('the motif client is closed');
    if (options.signal?.aborted) throw cancelled();
    // A precise deadline per call (undici's own header/body timeouts tick once a second, too coarse
    // for the short timeouts of status polling), kept in the client's deadline list: no timer, no
    // AbortController and no listener per call. close() destroys the pool, which fails every call.
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const signal = options.signal;
    const exchange = new Exchange();
    this.deadlines.add(exchange, timeoutMs, signal);
    try {
      this.pool.dispatch(
        {
          method,
          path,
          headers: this.headers,
          body: payload ?? (method === 'POST' || method === 'PATCH' ? '' : undefined),
        },
        exchange,
      );
      const answer = await exchange.answer;
      return this.interpret(answer.statusCode, answer.text, path);
    } catch (err) {
      if (exchange.timedOut)
        throw new TimeoutError(`motif at ${this.server} did not answer ${path} within ${timeoutMs} ms`);
      if (this.closed) throw new ClosedError('the motif client was closed while the call was under way');
      if (signal?.aborted) throw cancelled();
      if (err instanceof AnswerTooLargeError)
        throw new ApiError(200, 'answer too large', `motif answered ${path} with ${err.message}`);
      throw mapTransportError(err, this.server);
    } finally {
      this.deadlines.remove(exchange);
    }
  }

  private interpret(status: number, text: string, path: string): unknown {
    let parsed: unknown;
    let parseFailed = false;
    try {
      parsed = parseMotifJson(text);
    } catch {
      parseFailed = true;
    }
    if (status >= 200 && status < 300) {
      if (parseFailed)
        throw new ApiError(status, 'not JSON', `motif answered ${path} with a body that is not JSON`);
      return parsed;
    }
    if (status === 401 || status === 403) throw new AuthError(`motif rejected the API key (${status})`);
    const serverMessage =
      !parseFailed && isRecord(parsed) && typeof parsed.error === 'string'
        ? this.redact(parsed.error)
        : undefined;
    if (serverMessage !== undefined)
      throw new ApiError(
        status,
        serverMessage,
        `motif error ${status}: ${serverMessage}`,
        statusWords(serverMessage),
      );
    throw new ApiError(status, `HTTP ${status}`, `motif answered ${path} with HTTP ${status}`);
  }

  private expectObject(value: unknown, what: string): Record<string, unknown> {
    if (!isRecord(value))
      throw new ApiError(
        200,
        'unexpected answer',
        `motif answered "${what}" with something that is not an object`,
      );
    return value;
  }

  /** Defence in depth: a server message that echoes the key must not carry it into an error. */
  private redact(text: string): string {
    return text.split(this.apiKey).join('***');
  }
}

export function statusIsRecording(status: Record<string, unknown>): boolean {
  const info = isRecord(status.camera_info) ? status.camera_info : {};
  return Boolean(info.filename) || info.status === 'pending';
}

export function statusIsCopying(status: Record<string, unknown>): boolean {
  const playback = isRecord(status.playback_info) ? status.playback_info : {};
  return playback.status === 'copying';
}

export function statusIsExporting(status: Record<string, unknown>): boolean {
  const playback = isRecord(status.playback_info) ? status.playback_info : {};
  const s = playback.status;
  return typeof s === 'string' && s.startsWith('export') && !s.includes('finished');
}

/**
 * The server's message as a status under a node, which already names its camera: "camera FAKE0 is
 * already recording" → "already recording".
 */
export function statusWords(serverMessage: string): string {
  return serverMessage.replace(/^camera \S+ (?:is |was )?/i, '').trim() || serverMessage;
}

/** Reason given to undici when a deadline passes; the client reports its own TimeoutError. */
const TIMED_OUT = new Error('motif call deadline passed');

function cancelled(): RecorderError {
  return new ClosedError('the motif call was cancelled');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
