/**
 * The HTTP side: graphql-request (its CommonJS build) over undici's fetch with one keep-alive Agent
 * carrying the TLS trust. Every call has a timeout and honours an AbortSignal; every answer is read
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

// graphql-request 7 is an ES module whose package also exports a real CommonJS bundle; this package
// is CommonJS, so it is loaded with require() and typed from the ES declarations.
type GraphqlRequestModule = typeof import('graphql-request', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const graphqlRequest = require('graphql-request') as GraphqlRequestModule;
type RequestConfig = NonNullable<ConstructorParameters<GraphqlRequestModule['GraphQLClient']>[1]>;

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export type Variables = Record<string, unknown>;

/** A fetch failure (socket, TLS) as opposed to an answer graphql-request could not read. */
class TransportFailure extends Error {
  constructor(readonly original: unknown) {
    super('transport failure');
  }
}

interface AnswerMeta {
  status?: number;
  contentType?: string | null;
}

export class HttpTransport {
  private readonly agent: Agent;
  private closed = false;
  private readonly gql: InstanceType<GraphqlRequestModule['GraphQLClient']>;
  private readonly answers = new WeakMap<AbortSignal, AnswerMeta>();

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
    this.gql = new graphqlRequest.GraphQLClient(config.endpoint.http, {
      headers: config.headers,
      fetch: this.makeFetch(),
    });
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
      const meta: AnswerMeta = {};
      this.answers.set(signal, meta);
      try {
        return await this.gql.request<T>({ document, variables, signal });
      } catch (err) {
        throw this.mapError(err, meta, what);
      }
    });
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

  /**
   * graphql-request's fetch: undici's, on our Agent. It notes the answer's status and type for the
   * call (found by its signal, one per call), so an unreadable body can be reported precisely, and
   * reads the body itself, under the cap: graphql-request gets it whole, or the call fails.
   */
  private makeFetch(): RequestConfig['fetch'] {
    const agent = this.agent;
    const answers = this.answers;
    const fetcher = async (url: URL | string, init?: Record<string, unknown>): Promise<unknown> => {
      let response: Response;
      let body: Uint8Array;
      try {
        response = await undiciFetch(url, { ...(init as object), dispatcher: agent });
        const meta = init?.signal ? answers.get(init.signal as AbortSignal) : undefined;
        if (meta) {
          meta.status = response.status;
          meta.contentType = response.headers.get('content-type');
        }
        body = await readCapped(response);
      } catch (err) {
        if (err instanceof AnswerTooLargeError) throw err;
        throw new TransportFailure(err);
      }
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
    return fetcher as unknown as RequestConfig['fetch'];
  }

  private mapError(err: unknown, meta: AnswerMeta, what: string): unknown {
    if (err instanceof graphqlRequest.ClientError) {
      const { response } = err;
      const errors = Array.isArray(response.errors) ? (response.errors as GraphQLErrorLike[]) : [];
      if (errors.length > 0) return fromGraphQLErrors(errors, response.status, this.redactor, what);
      if (response.status < 200 || response.status >= 300)
        return fromHttpStatus(response.status, meta.contentType ?? null, what);
      return notJson(response.status, meta.contentType ?? null, what);
    }
    if (err instanceof TransportFailure) return err.original;
    if (err instanceof AnswerTooLargeError) return answerTooLarge(what, meta.status);
    if (isAbort(err)) return err;
    // The answer arrived but graphql-request could not read it (HTML, truncated JSON). Its own
    // message quotes the body, which we never show.
    if (meta.status !== undefined) {
      if (meta.status < 200 || meta.status >= 300)
        return fromHttpStatus(meta.status, meta.contentType ?? null, what);
      return notJson(meta.status, meta.contentType ?? null, what);
    }
    return err;
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

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}
