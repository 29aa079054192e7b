/**
 * RemotiveLabs broker client over gRPC: recording-session playback, playback status, licence,
 * signal listing and signal subscription. One channel per client; every rpc goes through it.
 *
 * - Credentials: an API key travels as `x-api-key`; an access token as `authorization: Bearer …`
 *   plus `x-api-key` (what the vendor SDK sends). They are attached on every call, TLS or not, so a
 *   local broker behind a key works too. They never appear in errors or logs.
 * - Unary calls carry a deadline (default 10 s). Streams re-open on their own (see `stream.ts`).
 * - Half-open connections: the channel sends HTTP/2 keepalive pings (default every 30 s, 10 s to
 *   answer; the vendor gives no guidance, 30 s stays clear of servers' too_many_pings limits and
 *   grpc-js backs off by itself if a broker still complains), so a connection that silently stopped
 *   forwarding is dropped and re-dialled. Streams also watch for data that is due (see `stream.ts`).
 * - Every path and name is checked before a request is made (`names.ts`).
 * - Offsets are microseconds as JavaScript numbers; 64-bit values are decoded as strings and
 *   converted exactly (see `proto.ts`).
 */
import * as grpc from '@grpc/grpc-js';
import { MAX_ANSWER_BYTES } from '../../common/answer-cap';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../../common/backoff';
import { ClosedError, InputError, TimeoutError, type RecorderError } from '../../common/errors';
import {
  decodeFiles,
  decodeSignals,
  decodeStatus,
  decodeStatuses,
  field,
  isRecord,
  str,
  type PlaybackStatus,
  type RecordingFile,
  type SignalSample,
} from './codec';
import { fromGrpcError } from './errors';
import { checkName, checkPath, shown } from './names';
import { methodDefinition, type ServiceName } from './proto';
import { resilientStream, type StreamHandle, type StreamState } from './stream';
import { parseBrokerUrl, type BrokerAddress } from './url';

export interface RemotiveClientOptions {
  /** `http://host[:port]` (plaintext, default 50051) or `https://host[:port]` (TLS, default 443). */
  url: string;
  apiKey?: string;
  accessToken?: string;
  /** Extra trusted CA certificate(s), PEM, for https brokers with a private CA. */
  ca?: string;
  /** Deadline of each unary call, ms (default 10 000). */
  timeoutMs?: number;
  /** Stream re-open backoff (default 500 ms doubling to 30 s, jittered). */
  backoff?: BackoffOptions;
  /** Keepalive ping interval, ms (default 30 000; 0 = no pings). */
  keepaliveMs?: number;
  /**
   * How long a keepalive ping may go unanswered before the connection is dropped, ms (default
   * 10 000, or the ping interval when that is shorter).
   */
  keepaliveTimeoutMs?: number;
  /**
   * While a session plays, the broker pushes its status periodically (the simulator every second;
   * a real broker's cadence is not published): a status stream that stays silent this long while
   * something plays is stalled (default 5 000 ms; 0 = never). The limit only applies once the
   * broker has shown that it pushes while playing, and grows to four times the longest gap seen,
   * so a broker with a slower cadence is not taken for a stalled one (see `statusCadence`).
   */
  statusStallMs?: number;
}

export interface LicenceInfo {
  /** `VALID`, `EXPIRED`, … as the broker names it. */
  status: string;
  valid: boolean;
  expires?: string;
  requestId?: string;
  /** The licence JSON the broker returned, when it is JSON. */
  details?: unknown;
  [k: string]: unknown;
}

export interface SubscribeRequest {
  namespace: string;
  signals: string[];
  /** Only changed values (the broker's `onChange`). */
  onChange?: boolean;
  /**
   * The subscription counts as stalled when no batch arrives for this long, ms (0 or absent = never:
   * signals only flow while something plays, so only the user knows when silence is wrong).
   */
  stallMs?: number;
}

export type StateListener = (state: StreamState, error?: RecorderError) => void;

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEPALIVE_MS = 30_000;
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 10_000;
export const DEFAULT_STATUS_STALL_MS = 5_000;

export class RemotiveClient {
  readonly address: BrokerAddress;
  /** Replaced by `resetChannel` when a stall says the connection under it is dead. */
  private client: grpc.Client;
  private readonly dial: () => grpc.Client;
  private lastResetAt = -Infinity;
  private readonly metadata: grpc.Metadata;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffOptions;
  private readonly statusStallMs: number;
  private readonly streams = new Set<StreamHandle>();
  private readonly calls = new Set<grpc.ClientUnaryCall>();
  private closed = false;

  constructor(options: RemotiveClientOptions) {
    this.address = parseBrokerUrl(options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.statusStallMs = options.statusStallMs ?? DEFAULT_STATUS_STALL_MS;
    const keepaliveMs = options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS;
    if (!this.address.secure && options.ca)
      throw new InputError('a CA certificate was given but the broker URL is http:// (use https:// for TLS)');
    const credentials = this.address.secure
      ? grpc.credentials.createSsl(options.ca ? Buffer.from(options.ca) : null)
      : grpc.credentials.createInsecure();
    const channelOptions: grpc.ChannelOptions = {
      // The package's answer cap: a broker message over it fails the call instead of being gathered.
      'grpc.max_receive_message_length': MAX_ANSWER_BYTES,
      // Reconnect attempts after a broker restart: start soon, never wait longer than 10 s.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 10_000,
      ...(keepaliveMs > 0
        ? {
            'grpc.keepalive_time_ms': keepaliveMs,
            // An answer is not worth waiting for longer than the interval between pings.
            'grpc.keepalive_timeout_ms':
              options.keepaliveTimeoutMs ?? Math.min(DEFAULT_KEEPALIVE_TIMEOUT_MS, keepaliveMs),
            // Streams may be the only traffic, and between streams the connection must stay checked.
            'grpc.keepalive_permit_without_calls': 1,
          }
        : {}),
    };
    this.dial = () => new grpc.Client(this.address.target, credentials, channelOptions);
    this.client = this.dial();
    this.metadata = new grpc.Metadata();
    if (options.accessToken) {
      this.metadata.set('authorization', `Bearer ${options.accessToken}`);
      this.metadata.set('x-api-key', options.accessToken);
    } else if (options.apiKey) {
      this.metadata.set('x-api-key', options.apiKey);
    }
  }

  /** Licence state of the broker; the vendor SDK refuses to work unless it is VALID. */
  async licence(options?: { signal?: AbortSignal }): Promise<LicenceInfo> {
    const raw = await this.unary('SystemService', 'GetLicenseInfo', {}, 'licence check', options?.signal);
    const status = str(field(raw, 'status')) || String(field(raw, 'status') ?? 'UNSET');
    const info: LicenceInfo = { status, valid: status === 'VALID' };
    const expires = str(field(raw, 'expires'));
    if (expires) info.expires = expires;
    const requestId = str(field(raw, 'requestId'));
    if (requestId) info.requestId = requestId;
    const json = field(raw, 'json');
    if (Buffer.isBuffer(json) && json.length > 0) {
      try {
        info.details = JSON.parse(json.toString('utf8')) as unknown;
      } catch {
        // Not JSON: leave it out rather than expose opaque licence bytes.
      }
    }
    return info;
  }

  /**
   * Files in a broker folder (root when `path` is empty). `recursive` descends into folders, passing
   * each folder's `path` back unchanged as the broker expects.
   */
  async listFiles(path = '', options?: { recursive?: boolean }): Promise<RecordingFile[]> {
    checkPath(path, 'the folder', true);
    const files = decodeFiles(
      await this.unary(
        'RecordingSessionService',
        'ListRecordingFiles',
        { path },
        `list files in ${shown(path)}`,
      ),
    );
    if (!options?.recursive) return files;
    const out: RecordingFile[] = [];
    const seen = new Set<string>([path]);
    const queue = [...files];
    while (queue.length > 0) {
      const file = queue.shift() as RecordingFile;
      out.push(file);
      if (file.type !== 'folder' || seen.has(file.path)) continue;
      seen.add(file.path);
      const inner = decodeFiles(
        await this.unary(
          'RecordingSessionService',
          'ListRecordingFiles',
          { path: file.path },
          `list files in ${shown(file.path)}`,
        ),
      );
      queue.push(...inner);
    }
    return out;
  }

  async open(path: string, options?: { force?: boolean }): Promise<PlaybackStatus> {
    return this.command(
      'PlaybackOpen',
      { path: requirePath(path), force: options?.force === true },
      `open ${shown(path)}`,
    );
  }

  /** Without an offset, playback continues where it is; with one (even 0), it starts there. */
  async play(path: string, offsetUs?: number): Promise<PlaybackStatus> {
    return this.command('PlaybackPlay', withOffset(requirePath(path), offsetUs), `play ${shown(path)}`);
  }

  /** With an offset, the cursor is left there after pausing. */
  async pause(path: string, offsetUs?: number): Promise<PlaybackStatus> {
    return this.command('PlaybackPause', withOffset(requirePath(path), offsetUs), `pause ${shown(path)}`);
  }

  /** Moves to the offset and keeps playing or stays paused. */
  async seek(path: string, offsetUs: number): Promise<PlaybackStatus> {
    return this.command(
      'PlaybackSeek',
      withOffset(requirePath(path), requireOffset(offsetUs)),
      `seek ${shown(path)}`,
    );
  }

  /**
   * Closes one recording session when given a path; without arguments closes this client (cancels
   * every stream and call, releases the channel).
   */
  close(path: string): Promise<PlaybackStatus>;
  close(): Promise<void>;
  async close(path?: string): Promise<PlaybackStatus | void> {
    if (path === undefined) return this.shutdown();
    return this.command('PlaybackClose', { path: requirePath(path) }, `close ${shown(path)}`);
  }

  /**
   * Loops `[startUs, endUs)`. A missing start means the file's start, a missing end the file's end;
   * no range (or both missing) turns repeat off.
   */
  async repeat(path: string, range?: { startUs?: number; endUs?: number }): Promise<PlaybackStatus> {
    const request: Record<string, unknown> = { path: requirePath(path) };
    if (range?.startUs !== undefined) request.startOffset = requireOffset(range.startUs);
    if (range?.endUs !== undefined) request.endOffset = requireOffset(range.endUs);
    return this.command('PlaybackRepeat', request, `repeat ${shown(path)}`);
  }

  /** Every namespace of the broker with its frame and signal names (GetConfiguration + ListSignals). */
  async listSignals(): Promise<Array<{ namespace: string; signals: string[] }>> {
    const config = await this.unary('SystemService', 'GetConfiguration', {}, 'read the broker configuration');
    const infos = field(config, 'networkInfo');
    const namespaces = (Array.isArray(infos) ? infos : [])
      .map((info) => str(field(field(info, 'namespace'), 'name')))
      .filter((name) => name !== '');
    const out: Array<{ namespace: string; signals: string[] }> = [];
    for (const namespace of namespaces) {
      const frames = await this.unary(
        'SystemService',
        'ListSignals',
        { name: namespace },
        `list signals of "${namespace}"`,
      );
      const names = new Set<string>();
      const frameList = field(frames, 'frame');
      for (const frame of Array.isArray(frameList) ? frameList : []) {
        const frameName = str(field(field(field(frame, 'signalInfo'), 'id'), 'name'));
        if (frameName) names.add(frameName);
        const children = field(frame, 'childInfo');
        for (const child of Array.isArray(children) ? children : []) {
          const name = str(field(field(child, 'id'), 'name'));
          if (name) names.add(name);
        }
      }
      out.push({ namespace, signals: [...names] });
    }
    return out;
  }

  /** The broker's playback status stream: every message lists all open sessions. */
  watchPlayback(onStatuses: (items: PlaybackStatus[]) => void, onState?: StateListener): StreamHandle {
    return this.stream(
      'RecordingSessionService',
      'PlaybackStatus',
      {},
      'playback status',
      (message) => onStatuses(decodeStatuses(message)),
      onState,
      this.statusCadence(),
      true,
    );
  }

  /**
   * When the next status is due: only while something plays, and only once the broker has shown its
   * cadence (three gaps in a row between pushes while playing); then never sooner than four of its
   * longest gaps. A push answering a command comes at any time, so one short gap proves nothing;
   * learning starts over on every (re-)opened call and whenever nothing plays.
   */
  private statusCadence(): (message: unknown, first: boolean) => number {
    const GAPS_TO_LEARN = 3;
    let lastAt: number | undefined;
    let gaps = 0;
    let longestGap = 0;
    return (message, first) => {
      const now = performance.now();
      const playing = decodeStatuses(message).some((s) => s.mode === 'playing');
      if (!playing || first || this.statusStallMs <= 0) {
        gaps = 0;
        longestGap = 0;
        lastAt = playing ? now : undefined;
        return 0;
      }
      if (lastAt !== undefined) {
        gaps++;
        longestGap = Math.max(longestGap, now - lastAt);
      }
      lastAt = now;
      return gaps >= GAPS_TO_LEARN ? Math.max(this.statusStallMs, Math.ceil(4 * longestGap)) : 0;
    };
  }

  /**
   * The open sessions right now. The broker has no "get status" rpc: the status stream's first
   * message is the current list. Open it, take that message, cancel it; give up after the
   * client's deadline.
   */
  currentStatuses(): Promise<PlaybackStatus[]> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let handle: StreamHandle | undefined;
      const finish = (err: Error | undefined, items?: PlaybackStatus[]): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // The handle is not assigned yet when the stream fails synchronously: cancel on the next tick.
        setImmediate(() => handle?.cancel());
        if (err) reject(err);
        else resolve(items ?? []);
      };
      const timer = setTimeout(
        () =>
          finish(
            new TimeoutError(
              `playback status: the broker at ${this.address.target} sent none within ${this.timeoutMs} ms`,
            ),
          ),
        this.timeoutMs,
      );
      try {
        handle = this.watchPlayback(
          (items) => finish(undefined, items),
          (state, error) => {
            if (state !== 'open' && error) finish(error);
          },
        );
      } catch (err) {
        finish(err as Error);
      }
    });
  }

  /**
   * Subscribes to signals of one namespace. `initialEmpty` is always requested: the broker's empty
   * first batch marks the subscription as ready and is not passed on; empty batches never are.
   */
  subscribe(
    request: SubscribeRequest,
    onBatch: (signals: SignalSample[]) => void,
    onState?: StateListener,
  ): StreamHandle {
    checkName(request.namespace, 'the namespace');
    if (!Array.isArray(request.signals) || request.signals.length === 0)
      throw new InputError('a signal subscription needs at least one signal name');
    for (const name of request.signals) checkName(name, 'a signal name');
    const config = {
      signals: {
        signalId: request.signals.map((name) => ({ name, namespace: { name: request.namespace } })),
      },
      onChange: request.onChange === true,
      initialEmpty: true,
    };
    return this.stream(
      'NetworkService',
      'SubscribeToSignals',
      config,
      `subscribe to ${shown(request.namespace)}`,
      (message) => {
        const batch = decodeSignals(message);
        if (batch.length > 0) onBatch(batch);
      },
      onState,
      () => request.stallMs,
    );
  }

  /**
   * A new channel, hence a new connection, for everything from now on. grpc-js keeps using a
   * connection until keepalive proves it dead; a stream that stalled has already shown it is. Calls
   * under way finish (or time out) on the old channel. At most once a second, however many streams
   * stall together.
   */
  private resetChannel(stalled: StreamHandle | undefined, reason: RecorderError): void {
    const now = performance.now();
    if (this.closed || now - this.lastResetAt < 1000) return;
    this.lastResetAt = now;
    const old = this.client;
    this.client = this.dial();
    old.close();
    // The other streams shared the dead connection: move them to the new one now rather than
    // after their own keepalive or stall notices.
    for (const stream of this.streams) if (stream !== stalled) stream.renew(reason);
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams]) stream.cancel();
    this.streams.clear();
    for (const call of [...this.calls]) call.cancel();
    this.client.close();
  }

  private async command(
    rpc: string,
    request: Record<string, unknown>,
    what: string,
  ): Promise<PlaybackStatus> {
    return decodeStatus(await this.unary('RecordingSessionService', rpc, request, what));
  }

  private unary(
    service: ServiceName,
    rpc: string,
    request: object,
    what: string,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.closed) return Promise.reject(new ClosedError(`${what}: the broker client is closed`));
    if (signal?.aborted) return Promise.reject(new ClosedError(`${what}: aborted`));
    const method = methodDefinition(service, rpc);
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        this.metadata,
        { deadline: Date.now() + this.timeoutMs },
        (err, response) => {
          this.calls.delete(call);
          signal?.removeEventListener('abort', onAbort);
          if (err) {
            if (this.closed) reject(new ClosedError(`${what}: the broker client was closed`));
            else if (signal?.aborted) reject(new ClosedError(`${what}: aborted`));
            else reject(fromGrpcError(err, what, this.address.target, this.timeoutMs));
          } else resolve(isRecord(response) ? response : {});
        },
      );
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.calls.add(call);
    });
  }

  private stream(
    service: ServiceName,
    rpc: string,
    request: object,
    what: string,
    onMessage: (message: unknown) => void,
    onState?: StateListener,
    expectNextWithin?: (message: unknown, first: boolean) => number | undefined,
    /** A data stall proves the connection dead (the broker promised data), not only quiet. */
    dataStallIsFatal = false,
  ): StreamHandle {
    if (this.closed) throw new ClosedError(`${what}: the broker client is closed`);
    const method = methodDefinition(service, rpc);
    const handle = resilientStream<unknown>({
      open: () =>
        this.client.makeServerStreamRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          this.metadata,
          {},
        ),
      onMessage,
      onState,
      toError: (err) => fromGrpcError(err, what, this.address.target),
      backoff: this.backoff,
      answerTimeoutMs: this.timeoutMs,
      expectNextWithin,
      onStall: (kind, reason) => {
        if (kind === 'answer' || dataStallIsFatal) this.resetChannel(handle, reason);
      },
      what,
      onCancel: () => this.streams.delete(handle),
    });
    this.streams.add(handle);
    return handle;
  }
}

function requirePath(path: unknown): string {
  return checkPath(path, 'the recording session path');
}

function requireOffset(offsetUs: unknown): number {
  if (typeof offsetUs !== 'number' || !Number.isSafeInteger(offsetUs) || offsetUs < 0)
    throw new InputError('the offset must be a whole, non-negative number of microseconds');
  return offsetUs;
}

/** Leaves `offset` out entirely when not given: absence is meaningful on the wire. */
function withOffset(path: string, offsetUs: number | undefined): Record<string, unknown> {
  return offsetUs === undefined ? { path } : { path, offset: requireOffset(offsetUs) };
}
