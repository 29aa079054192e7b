/**
 * A faithful fake of the loopbio motif REST API over HTTPS (node:https), for tests, examples and
 * `npm start`. Binds 127.0.0.1 by default; every choice where the vendor documents nothing is
 * documented in docs/simulators/motif.md.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseMotifJson, stringifyMotifJson } from '../../backends/motif/json';
import { fingerprint256, sharedCertificate, type SimCertificate } from './certificate';
import { SimEngine, type SimTiming } from './engine';
import { extraDataOf, type SimExtraData } from './extra-data';
import { SimHttpError } from './http-error';
import { realClock, type Clock } from '../../schedule';
import { SimClock, type SimClockOptions } from '../clock';
import { matchRoute } from './routes';
import type { ScheduleOptions } from './schedule-routes';
import { createState, nowSeconds, type MotifSimState } from './state';
import { resolveStreamOptions, startStreams, type SimCameraStreams, type SimStreamOptions } from './streams';
import { SimTaskRunner, type SimTaskRun } from './task-runner';

export interface MotifSimulatorOptions extends SimClockOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default: 32 random lowercase hex characters, like a real motif key. */
  apiKey?: string;
  /** Default ['FAKE0', 'FAKE1']. */
  cameras?: string[];
  /** Named outputs that exist at start (others are created on first set). Default ['led']. */
  outputs?: string[];
  /** Default: a generated self-signed certificate (shared within the process). */
  certificate?: SimCertificate;
  timing?: Partial<SimTiming>;
  /** Delay before every answer, to exercise client timeouts. Default 0. */
  responseDelayMs?: number;
  schedule?: Partial<ScheduleOptions>;
  /** Size of the request log kept for tests. Default 200. */
  requestLogSize?: number;
  /** Realtime image (PUSH) and state (PUB) streams per camera; on by default. */
  streams?: SimStreamOptions;
  /**
   * The simulator's time: `schedule.now`, timestamps, the recording/copy/export timers and the firing
   * of stored tasks. Default real time; tests pass a clock they drive. `clockOffsetMs` and
   * `clockDriftPpm` skew this clock (see ../clock.ts).
   */
  clock?: Clock;
  /** Execute stored tasks (default true). */
  runTasks?: boolean;
}

export interface SimRequestRecord {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

export class MotifSimulator {
  readonly requests: SimRequestRecord[] = [];
  /** Every request that arrived, valid or not (the log above is capped; this is not). */
  requestCount = 0;
  /** TLS connections accepted so far: shows when a client opens a connection (tests, benchmarks). */
  tlsConnections = 0;
  readonly state: MotifSimState;
  /** The simulated machine's clock: what `schedule.now`, the `Date` header and every timestamp read. */
  readonly clock: SimClock;
  private readonly engine: SimEngine;
  private readonly runner: SimTaskRunner | undefined;
  private readonly schedule: ScheduleOptions;
  private readonly logSize: number;
  private responseDelayMs: number;
  private readonly delays = new Set<NodeJS.Timeout>();
  /** Realtime streams by camera serial (empty when streams are disabled). */
  streams = new Map<string, SimCameraStreams>();

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    readonly apiKey: string,
    readonly certificatePem: string,
    readonly fingerprint256: string,
    options: MotifSimulatorOptions,
    clock: SimClock,
  ) {
    this.clock = clock;
    this.state = createState(options.cameras ?? ['FAKE0', 'FAKE1'], options.outputs ?? ['led'], clock);
    this.engine = new SimEngine(this.state, {
      pendingMs: options.timing?.pendingMs ?? 500,
      copyMs: options.timing?.copyMs ?? 2000,
      exportMs: options.timing?.exportMs ?? 2000,
    });
    this.schedule = {
      onDuplicate: options.schedule?.onDuplicate ?? 'reject',
      listKey: options.schedule?.listKey ?? 'tasks',
      fieldCounts: options.schedule?.fieldCounts ?? [5, 6, 7],
    };
    this.runner = options.runTasks === false ? undefined : new SimTaskRunner(this.engine, this.schedule);
    this.logSize = options.requestLogSize ?? 200;
    this.responseDelayMs = options.responseDelayMs ?? 0;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
    server.on('secureConnection', () => this.tlsConnections++);
  }

  static async start(options: MotifSimulatorOptions = {}): Promise<MotifSimulator> {
    const streamOptions = resolveStreamOptions(options.streams);
    const clock = new SimClock(options, options.clock ?? realClock);
    const certificate = options.certificate ?? (await sharedCertificate());
    const server = createServer({ key: certificate.key, cert: certificate.cert });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const apiKey = options.apiKey ?? randomBytes(16).toString('hex');
    const sim = new MotifSimulator(
      server,
      host,
      port,
      apiKey,
      certificate.cert,
      fingerprint256(certificate.cert),
      options,
      clock,
    );
    try {
      sim.streams = await startStreams(sim.state.cameras.values(), streamOptions, {
        nowSeconds: () => nowSeconds(sim.state),
        preciseNowSeconds: () => clock.preciseNow() / 1000,
      });
    } catch (err) {
      await sim.close();
      throw err;
    }
    return sim;
  }

  /** The realtime streams of one camera (throws when it has none). */
  stream(serial: string): SimCameraStreams {
    const s = this.streams.get(serial);
    if (!s) throw new Error(`camera ${serial} has no simulated streams`);
    return s;
  }

  /** `https://host:port` */
  get url(): string {
    return `https://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Executions of stored tasks so far (the latest 200), oldest first. */
  get taskRuns(): readonly SimTaskRun[] {
    return this.runner?.runs ?? [];
  }

  /** When a stored task fires next (epoch ms), or null when it is not armed (relative, no recording). */
  nextTaskFiring(name: string): number | null {
    return this.runner?.nextAt(name) ?? null;
  }

  /**
   * What io/log wrote into the recording `filename` (a camera's current one or a finished one):
   * entries `{ frame_number, time, values }`, oldest first. Throws when no recording has that name.
   */
  extraData(filename: string): SimExtraData {
    return extraDataOf(this.state, filename);
  }

  setResponseDelay(ms: number): void {
    this.responseDelayMs = ms;
  }

  /** Stops listening, drops every connection at once and cancels all timers. */
  async close(): Promise<void> {
    this.runner?.dispose();
    this.engine.dispose();
    await Promise.all([...this.streams.values()].map((s) => s.close()));
    this.streams.clear();
    for (const timer of this.delays) clearTimeout(timer);
    this.delays.clear();
    this.state.tasks.removeAllListeners();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.requestCount++;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      this.log({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body });
      const answer = (): void => {
        if (res.destroyed) return;
        if (size > MAX_BODY_BYTES)
          return this.send(res, 413, { error: 'request body too large', status_code: 413 });
        try {
          this.send(res, 200, this.handle(req, body));
        } catch (err) {
          const e = err instanceof SimHttpError ? err : new SimHttpError(500, String(err));
          this.send(res, e.status, { error: e.message, status_code: e.status }, e.headers);
        }
      };
      if (this.responseDelayMs > 0) {
        const timer = setTimeout(() => {
          this.delays.delete(timer);
          answer();
        }, this.responseDelayMs);
        this.delays.add(timer);
      } else answer();
    });
  }

  private handle(req: IncomingMessage, bodyText: string): unknown {
    if (!this.authorised(req.headers['x-api-key'])) throw new SimHttpError(401, 'invalid or missing API key');
    const segments = this.segments(req.url ?? '');
    const match = matchRoute(req.method ?? '', segments);
    if (match.kind === 'not-found') throw new SimHttpError(404, `unknown endpoint ${req.url ?? ''}`);
    if (match.kind === 'wrong-method') {
      const allowed = match.allowed.join(', ');
      throw new SimHttpError(405, `method ${req.method ?? ''} not allowed (use ${allowed})`, {
        Allow: allowed,
      });
    }
    let body: unknown;
    try {
      body = parseMotifJson(bodyText);
    } catch {
      throw new SimHttpError(400, 'the request body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new SimHttpError(400, 'the request body must be a JSON object');
    return match.route.handle({
      params: match.params,
      body: body as Record<string, unknown>,
      engine: this.engine,
      schedule: this.schedule,
    });
  }

  /** '/version' → ['version']; '/api/1/a/b' → ['a', 'b'] (decoded); anything else → 404. */
  private segments(url: string): string[] {
    const path = url.split('?')[0];
    if (path === '/version') return ['version'];
    if (!path.startsWith('/api/1/')) throw new SimHttpError(404, `unknown endpoint ${path}`);
    let segments: string[];
    try {
      segments = path.slice('/api/1/'.length).split('/').map(decodeURIComponent);
    } catch {
      throw new SimHttpError(400, 'the path is not correctly encoded');
    }
    if (segments.length === 1 && segments[0] === 'version')
      throw new SimHttpError(404, `unknown endpoint ${path}`);
    return segments;
  }

  private authorised(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const given = Buffer.from(header);
    const expected = Buffer.from(this.apiKey);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = stringifyMotifJson(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      // The simulated machine's clock, not ours: clients may read the server's time from it.
      Date: this.clock.httpDate(),
      ...headers,
    });
    res.end(text);
  }

  private log(record: SimRequestRecord): void {
    this.requests.push(record);
    if (this.requests.length > this.logSize) this.requests.splice(0, this.requests.length - this.logSize);
  }
}
