/**
 * The HTTP side: GraphQL over HTTP (a POST of `{query, variables}`, an answer of `{data, errors}`)
 * on undici's fetch with one keep-alive Agent carrying the TLS trust. Every call has a timeout and honours an AbortSignal; every answer is read
 * under the package's answer cap before anything parses it; every failure comes out as a typed
 * error (errors.ts) with the credentials scrubbed.
 */
import { Agent, Response, fetch as undiciFetch } from 'undici';
import { AnswerTooLargeError, MAX_ANSWER_BYTES } from '../../common/answer-cap';
import { ApiError, ClosedError, RecorderError, TimeoutError } from '../../common/errors';
import { localNowMs, type ClockSample } from '../../common/clock';
import type { ResolvedConfig } from './config';
import {
  answerTooLarge,
  fromGraphQLErrors,
  fromHttpStatus,
  fromTransportError,
  notJson,
  type GraphQLErrorLike,
  type Redactor,
} from './errors';

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export type Variables = Record<string, unknown>;

export class HttpTransport {
  private readonly agent: Agent;
  private closed = false;
  /** Built once: every call sends the same ones. */
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly redactor: Redactor,
  ) {
    const { tls, timeoutMs } = config;
    this.agent = new Agent({
      connections: config.connections,
      keepAliveTimeout: 30_000,
      connect: {
        timeout: Math.min(timeoutMs, 30_000),
        ...(tls.ca ? { ca: tls.ca } : {}),
        rejectUnauthorized: !tls.insecure,
      },
    });
    this.headers = {
      ...config.headers,
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
  }

  get server(): string {
    return this.config.endpoint.server;
  }

  /** One GraphQL operation; `what` names it in error messages. */
  async request<T>(
    document: string,
    variables: Variables,
    what: string,
    options: CallOptions = {},
  ): Promise<T> {
    return this.withDeadline(what, options, async (signal) => {
      // A transport failure (refused, reset, TLS) is typed by withDeadline.
      const response = await undiciFetch(this.config.endpoint.http, {
        method: 'POST',
        dispatcher: this.agent,
        signal,
        headers: this.headers,
        body: JSON.stringify({ query: document, variables, operationName: operationNameOf(document) }),
      });
      let body: Uint8Array;
      try {
        body = await readCapped(response);
      } catch (err) {
        if (err instanceof AnswerTooLargeError) throw answerTooLarge(what, response.status);
        throw err;
      }
      return this.readAnswer<T>(response, body, what);
    });
  }

  /**
   * `{data}` → data. GraphQL errors are reported as such whatever the status (Hasura answers some
   * with 200, a proxy with 4xx); a body that is not a GraphQL answer by its status and type, never
   * quoted: it may be anything.
   */
  private readAnswer<T>(response: Response, body: Uint8Array, what: string): T {
    const contentType = response.headers.get('content-type');
    let answer: { data?: unknown; errors?: unknown } | undefined;
    try {
      const parsed: unknown = JSON.parse(
        Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
      );
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) answer = parsed;
    } catch {
      // not JSON: judged by status and type below
    }
    const errors = Array.isArray(answer?.errors) ? (answer.errors as GraphQLErrorLike[]) : [];
    if (errors.length > 0) throw fromGraphQLErrors(errors, response.status, this.redactor, what);
    if (response.status < 200 || response.status >= 300)
      throw fromHttpStatus(response.status, contentType, what);
    if (!answer || !('data' in answer)) throw notJson(response.status, contentType, what);
    return answer.data as T;
  }

  /**
   * Opens up to `count` pool connections now (one `GET /healthz` each, at once: every call under way
   * needs its own connection), so that the first fan-out after start pays no TLS handshake. Capped
   * at the pool size; the connections stay while the server keeps idle connections open.
   */
  async warm(count: number, options: CallOptions = {}): Promise<void> {
    const n = Math.min(Math.max(0, Math.floor(count)), this.config.connections);
    // A connection whose answer was just read returns to the pool a turn later: wait for it, or the
    // warm-up would open one connection more than asked.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(Array.from({ length: n }, () => this.healthz(options)));
  }

  /** `GET /healthz`: the HTTP status and how long it took. */
  async healthz(options: CallOptions = {}): Promise<{ status: number; ms: number }> {
    return this.withDeadline('health check', options, async (signal) => {
      const started = performance.now();
      try {
        const response = await undiciFetch(this.config.endpoint.healthz, {
          dispatcher: this.agent,
          signal,
          headers: this.config.headers,
        });
        await readCapped(response);
        return { status: response.status, ms: performance.now() - started };
      } catch (err) {
        if (err instanceof AnswerTooLargeError) throw answerTooLarge('health check');
        throw fromTransportError(err, this.server);
      }
    });
  }

  /**
   * `GET /healthz` for its `Date` header: the server's clock in whole seconds, with our send and
   * receive times around it (a clock sample, see common/clock.ts).
   */
  async serverDate(options: CallOptions = {}): Promise<ClockSample> {
    return this.withDeadline('clock check', options, async (signal) => {
      const sentMs = localNowMs();
      let response: Response;
      try {
        response = await undiciFetch(this.config.endpoint.healthz, {
          dispatcher: this.agent,
          signal,
          headers: this.config.headers,
        });
      } catch (err) {
        throw fromTransportError(err, this.server);
      }
      const receivedMs = localNowMs();
      // The body is not needed; read (capped) so the connection is reused.
      await readCapped(response).catch(() => undefined);
      const serverMs = Date.parse(response.headers.get('date') ?? '');
      if (!Number.isFinite(serverMs))
        throw new ApiError(
          response.status,
          'no Date header',
          'clock check: Aivero answered without a Date header',
        );
      return { sentMs, receivedMs, serverMs, resolutionMs: 1000 };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The agent is unusable either way: closing has nothing left to do.
    await this.agent.destroy().catch(() => undefined);
  }

  /** Runs `fn` with a signal that fires on timeout, on the caller's abort and on close(). */
  private async withDeadline<T>(
    what: string,
    options: CallOptions,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new ClosedError('the Aivero client is closed');
    if (options.signal?.aborted) throw new ClosedError(`${what} was cancelled`);
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = (): void => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn(controller.signal);
    } catch (err) {
      if (timedOut)
        throw new TimeoutError(`${what}: Aivero at ${this.server} did not answer within ${timeoutMs} ms`);
      if (this.closed) throw new ClosedError(`the Aivero client was closed during ${what}`);
      if (options.signal?.aborted) throw new ClosedError(`${what} was cancelled`);
      if (err instanceof RecorderError) throw err;
      throw fromTransportError(err, this.server);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * The whole body, or AnswerTooLargeError as soon as it passes the cap (a declared length over it
 * fails before a byte is read). The socket is let go then: a server sending without end is cut off.
 */
async function readCapped(response: Response): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new AnswerTooLargeError();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new AnswerTooLargeError();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  return Buffer.concat(chunks, size);
}

/**
 * The document's operation name, sent as `operationName` as GraphQL clients do (Hasura's logs and
 * allow-lists name operations by it). The package's documents are a few constants: read once each.
 */
const OPERATION_NAMES = new Map<string, string | undefined>();
const NAMED_OPERATION = /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;
function operationNameOf(document: string): string | undefined {
  if (!OPERATION_NAMES.has(document)) {
    if (OPERATION_NAMES.size >= 256) OPERATION_NAMES.clear();
    OPERATION_NAMES.set(document, NAMED_OPERATION.exec(document)?.[1]);
  }
  return OPERATION_NAMES.get(document);
}
