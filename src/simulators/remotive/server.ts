/**
 * A RemotiveLabs broker simulator over real gRPC: RecordingSessionService (all 8 rpcs),
 * SystemService (GetLicenseInfo, HealthCheck, GetConfiguration, ListSignals) and
 * NetworkService.SubscribeToSignals, serving synthetic drive recordings. Behaviours the broker's public
 * API documentation leaves open are documented in docs/simulators/remotive.md.
 */
import * as grpc from '@grpc/grpc-js';
import { serviceDefinition } from '../../backends/remotive/proto';
import { SimClock, type SimClockOptions } from '../clock';
import {
  defaultExtraFiles,
  defaultRecordings,
  normalisePath,
  type SimExtraFile,
  type SimRecording,
  type SimSignal,
} from './recordings';
import { SessionTable, SimError, type SessionSnapshot, type SimErrorKind } from './sessions';
import { listFolder } from './files';
import { buildHandlers, toWireStatus } from './handlers';

export interface RemotiveSimulatorOptions extends SimClockOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** When set, every call needs `x-api-key: <key>` or `authorization: Bearer <key>`. */
  apiKey?: string;
  /**
   * Echo the key the client sent in the "invalid API key" error, as a careless broker might
   * (default false). Tests use it to prove that no secret leaks from an error text.
   */
  echoKey?: boolean;
  /** Periodic status push while something plays, ms (default 1000). Changes are pushed at once. */
  statusIntervalMs?: number;
  /** Playback clock and signal sampling period, ms (default 50). */
  tickMs?: number;
  /**
   * Signal batches written per subscriber and tick (default 1). Benchmarks raise it for a high
   * signal rate; the extra batches repeat the tick's values.
   */
  burst?: number;
  /** Playback speed factor (default 1 = real time). */
  speed?: number;
  recordings?: SimRecording[];
  extraFiles?: SimExtraFile[];
  /**
   * `recording` (default): a sample's timestamp is its offset in the recording, µs; `wallclock`:
   * the broker's clock (`clock`, with its offset and drift), epoch µs.
   */
  timestamps?: 'recording' | 'wallclock';
  /** Licence status reported by GetLicenseInfo (default VALID). */
  licence?: string;
  /** gRPC status codes for each failure kind (see DEFAULT_ERROR_CODES). */
  errorCodes?: Partial<Record<SimErrorKind, grpc.status>>;
  /** Serve TLS with this PEM key pair instead of plaintext. */
  tls?: { cert: string; key: string };
}

export const DEFAULT_ERROR_CODES: Record<SimErrorKind, grpc.status> = {
  notFound: grpc.status.NOT_FOUND,
  notOpen: grpc.status.FAILED_PRECONDITION,
  alreadyOpen: grpc.status.ALREADY_EXISTS,
  badOffset: grpc.status.INVALID_ARGUMENT,
  unknownSignal: grpc.status.NOT_FOUND,
};

export interface ReceivedCall {
  rpc: string;
  /** The request as decoded (64-bit numbers as strings; absent optional fields are missing). */
  request: Record<string, unknown>;
}

export interface SimulatorState {
  sessions: SessionSnapshot[];
  received: ReceivedCall[];
  statusStreams: number;
  signalStreams: number;
}

export interface Subscriber {
  call: grpc.ServerWritableStream<Record<string, unknown>, unknown>;
  wanted: Set<string>;
  onChange: boolean;
  last: Map<string, number | string>;
}

const MAX_RECEIVED = 1000;

export class RemotiveSimulator {
  readonly port: number;
  readonly url: string;
  /**
   * The broker machine's clock (`clockOffsetMs`, `clockDriftPpm`): wall-clock signal timestamps
   * read it, and playback advances at its rate (a fast clock plays a recording a little fast).
   */
  readonly clock: SimClock;
  private readonly server: grpc.Server;
  private readonly options: RemotiveSimulatorOptions;
  private readonly recordings: Map<string, SimRecording>;
  private readonly extraFiles: SimExtraFile[];
  private readonly sessions: SessionTable;
  private readonly errorCodes: Record<SimErrorKind, grpc.status>;
  private readonly statusStreams = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly received: ReceivedCall[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastPeriodicMs = 0;
  private closed = false;

  private constructor(server: grpc.Server, port: number, options: RemotiveSimulatorOptions, parts: Parts) {
    this.server = server;
    this.port = port;
    this.options = options;
    this.url = `${options.tls ? 'https' : 'http'}://${hostForUrl(options.host ?? '127.0.0.1')}:${port}`;
    this.clock = parts.clock;
    this.recordings = parts.recordings;
    this.extraFiles = parts.extraFiles;
    this.sessions = parts.sessions;
    this.errorCodes = { ...DEFAULT_ERROR_CODES, ...options.errorCodes };
  }

  static async start(options: RemotiveSimulatorOptions = {}): Promise<RemotiveSimulator> {
    const recordings = new Map(
      (options.recordings ?? defaultRecordings()).map((r) => [normalisePath(r.path), r]),
    );
    const clock = new SimClock(options);
    const parts: Parts = {
      recordings,
      extraFiles: options.extraFiles ?? defaultExtraFiles(),
      // Monotonic time scaled by the clock's rate: with drift 0 exactly performance.now().
      sessions: new SessionTable(recordings, () => performance.now() * clock.rate, options.speed ?? 1),
      clock,
    };
    // Clients ping to find half-open connections (keepalive); allow it, even between calls and
    // as often as every second, so a test client with short keepalive is never sent GOAWAY.
    const server = new grpc.Server({
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 1000,
    });
    // The handlers need the instance, which exists only once the port is bound.
    const ref: { sim?: RemotiveSimulator } = {};
    const handlers = buildHandlers(() => ref.sim as RemotiveSimulator);
    for (const [service, impl] of Object.entries(handlers))
      server.addService(serviceDefinition(service as 'RecordingSessionService'), impl);
    const credentials = options.tls
      ? grpc.ServerCredentials.createSsl(null, [
          { private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) },
        ])
      : grpc.ServerCredentials.createInsecure();
    const host = options.host ?? '127.0.0.1';
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${hostForUrl(host)}:${options.port ?? 0}`, credentials, (err, bound) => {
        if (!err) return resolve(bound);
        server.forceShutdown();
        reject(new Error(`cannot listen on ${host}:${options.port ?? 0}: ${err.message}`));
      }),
    );
    const sim = new RemotiveSimulator(server, port, options, parts);
    ref.sim = sim;
    sim.timer = setInterval(() => sim.tick(), options.tickMs ?? 50);
    return sim;
  }

  /** A snapshot for tests and the CLI: open sessions, requests received, open streams. */
  get state(): SimulatorState {
    return {
      sessions: this.sessions.snapshot(),
      received: [...this.received],
      statusStreams: this.statusStreams.size,
      signalStreams: this.subscribers.size,
    };
  }

  /** Stops at once: every stream and call ends, the port is released. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.statusStreams.clear();
    this.subscribers.clear();
    this.server.forceShutdown();
    return Promise.resolve();
  }

  // --- used by the handlers ------------------------------------------------------------------

  record(rpc: string, request: unknown): void {
    this.received.push({ rpc, request: isObject(request) ? { ...request } : {} });
    if (this.received.length > MAX_RECEIVED) this.received.shift();
  }

  /** Null when the call may go on, else the error to send. */
  authError(metadata: grpc.Metadata): Partial<grpc.StatusObject> | null {
    const key = this.options.apiKey;
    if (!key) return null;
    const apiKey = metadata.get('x-api-key')[0];
    const authorization = metadata.get('authorization')[0];
    const bearer = typeof authorization === 'string' ? authorization.replace(/^Bearer\s+/i, '') : undefined;
    if (apiKey === undefined && bearer === undefined)
      return { code: grpc.status.UNAUTHENTICATED, details: 'missing API key (send x-api-key)' };
    if (apiKey !== key && bearer !== key)
      return {
        code: grpc.status.UNAUTHENTICATED,
        details: this.options.echoKey ? `invalid API key '${String(apiKey ?? bearer)}'` : 'invalid API key',
      };
    return null;
  }

  grpcError(err: unknown): Partial<grpc.StatusObject> {
    if (err instanceof SimError) return { code: this.errorCodes[err.kind], details: err.message };
    return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
  }

  sessionTable(): SessionTable {
    return this.sessions;
  }

  files(path: string): Array<Record<string, unknown>> {
    const listed = listFolder(normalisePath(path), [...this.recordings.values()], this.extraFiles);
    if (!listed) throw new SimError('notFound', `no folder "${path}" on the broker`);
    return listed;
  }

  licenceStatus(): string {
    return this.options.licence ?? 'VALID';
  }

  allSignals(): SimSignal[] {
    const seen = new Map<string, SimSignal>();
    for (const recording of this.recordings.values())
      for (const signal of recording.signals) {
        const key = `${signal.namespace}\u0000${signal.name}`;
        if (!seen.has(key)) seen.set(key, signal);
      }
    return [...seen.values()];
  }

  /** Call after every command: all status streams get the full list. */
  pushStatus(): void {
    const message = { items: this.sessions.snapshot().map(toWireStatus) };
    for (const call of this.statusStreams) call.write(message);
  }

  addStatusStream(call: grpc.ServerWritableStream<unknown, unknown>): void {
    this.statusStreams.add(call);
    const forget = (): void => {
      this.statusStreams.delete(call);
    };
    call.on('cancelled', forget);
    call.on('close', forget);
    call.write({ items: this.sessions.snapshot().map(toWireStatus) });
  }

  addSubscriber(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    const forget = (): void => {
      this.subscribers.delete(subscriber);
    };
    subscriber.call.on('cancelled', forget);
    subscriber.call.on('close', forget);
  }

  private tick(): void {
    if (this.closed) return;
    const table = this.sessions;
    if (table.advance()) this.pushStatus();
    const now = performance.now();
    if (table.anyPlaying() && now - this.lastPeriodicMs >= (this.options.statusIntervalMs ?? 1000)) {
      this.lastPeriodicMs = now;
      this.pushStatus();
    }
    const playing = table.playing();
    if (playing.length === 0 || this.subscribers.size === 0) return;
    // One reading per tick: every sample of a tick carries the same broker time, as with offsets.
    const wallclockUs = Math.round(this.clock.now() * 1000);
    for (const subscriber of this.subscribers) {
      const batch: Array<Record<string, unknown>> = [];
      for (const { recording, offsetUs } of playing)
        for (const signal of recording.signals) {
          const key = `${signal.namespace}\u0000${signal.name}`;
          if (!subscriber.wanted.has(key)) continue;
          const value = signal.value(offsetUs);
          if (subscriber.onChange && subscriber.last.get(key) === value) continue;
          subscriber.last.set(key, value);
          const timestamp = this.options.timestamps === 'wallclock' ? wallclockUs : offsetUs;
          batch.push({
            id: { name: signal.name, namespace: { name: signal.namespace } },
            [signal.kind]: value,
            timestamp,
          });
        }
      if (batch.length === 0) continue;
      const message = { signal: batch };
      for (let i = 0; i < (this.options.burst ?? 1); i++) subscriber.call.write(message);
    }
  }
}

interface Parts {
  recordings: Map<string, SimRecording>;
  extraFiles: SimExtraFile[];
  sessions: SessionTable;
  clock: SimClock;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
