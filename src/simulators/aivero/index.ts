/**
 * A Hasura-faithful fake of the Aivero recording server (GraphQL over HTTPS, tables in an embedded
 * Postgres), for tests, examples and `npm start`. Binds 127.0.0.1 by default. Every choice where
 * the vendor documents nothing is documented in docs/simulators/aivero.md. No Node-RED imports.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { realClock } from '../../schedule';
import { checkClockOptions, SimClock, type SimClockOptions } from '../clock';
import type { AuthConfig } from './auth';
import { sharedCertificate, type SimCertificate } from './certificate';
import { openDatabase, setDatabaseClock, type PGlite } from './database';
import { Executor } from './execute';
import type { FrontConfig } from './front';
import { handleHttp } from './http';
import { signJwt as sign } from './jwt';
import { DeviceModel } from './device';
import type { LiveQuery } from './live-query';
import { WebSockets, type WebSocketMode } from './websockets';

export interface AiveroSimulatorOptions extends SimClockOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** HTTPS with a generated self-signed certificate (default true); false = plain HTTP. */
  tls?: boolean;
  /** Default: 32 random hex characters. */
  adminSecret?: string;
  /** HS256 key; JWT mode is off when unset. */
  jwtSecret?: string;
  /** Accept numeric strings for Int (the vendor scripts send "0"); default false = Hasura's strict check. */
  lenientInts?: boolean;
  /** Live-query refetch interval in ms (Hasura's default 1000). */
  refetchMs?: number;
  /** How long a session needs in Standby (or from a cold start) before recording really begins. */
  armingLatencyMs?: number;
  /** Write the certificate (PEM) here. */
  certOut?: string;
  /** Own certificate instead of the generated one. */
  certificate?: SimCertificate;
  /**
   * The device model's and the JWT check's clock (epoch ms); tests pass one they drive. Default
   * Date.now. `clockOffsetMs` and `clockDriftPpm` skew it (see ../clock.ts).
   */
  now?: () => number;
  /**
   * WebSocket protocols served: both (default, as Hasura v2.28), only the legacy one (Hasura before
   * v2.1), only graphql-transport-ws, or none (a proxy that blocks WebSockets). `setWebSocketMode`
   * changes it for new connections.
   */
  websocket?: WebSocketMode;
  /**
   * A basic-auth middleware in front (Traefik, when the chart sets a dashboard password): requests
   * without these credentials get HTTP 401 text/plain. The header is removed before Hasura.
   */
  basicAuth?: { username: string; password: string };
  /** How often the device model looks at the sessions, ms (default 100): its reaction time. */
  deviceTickMs?: number;
}

export class AiveroSimulator {
  readonly url: string;
  readonly wsUrl: string;
  readonly ca: string | undefined;
  /** Milliseconds the embedded Postgres took to start. */
  readonly databaseStartMs: number;
  /** Where the database came from: the process's template, the disk cache, or initdb. */
  readonly databaseSource: 'memory' | 'disk' | 'initdb';
  /**
   * The Aivero server's clock: the HTTP `Date` header, the times the device model writes, the JWT
   * check, and (in Postgres) the `createdAt`/`updatedAt` defaults.
   */
  readonly clock: SimClock;
  private readonly sockets = new Set<Socket>();
  /** TCP connections accepted since the start (HTTP and WebSocket): shows when a client opens one. */
  connectionsAccepted = 0;
  private listening = false;
  private closed = false;
  private readonly executor: Executor;
  private readonly auth: AuthConfig;
  private readonly device: DeviceModel;
  private readonly websockets: WebSockets;
  private readonly liveQueries = new Set<LiveQuery>();
  private refetch: number;
  private wsMode: WebSocketMode;
  private readonly frontConfig: FrontConfig;

  private constructor(
    private readonly server: Server,
    private readonly db: PGlite,
    readonly host: string,
    readonly port: number,
    readonly adminSecret: string,
    readonly jwtSecret: string | undefined,
    options: AiveroSimulatorOptions,
    certificate: SimCertificate | undefined,
    databaseStartMs: number,
    databaseSource: 'memory' | 'disk' | 'initdb',
    clock: SimClock,
  ) {
    this.clock = clock;
    this.databaseSource = databaseSource;
    const tls = certificate !== undefined;
    const h = host.includes(':') ? `[${host}]` : host;
    this.url = `${tls ? 'https' : 'http'}://${h}:${port}/v1/graphql`;
    this.wsUrl = `${tls ? 'wss' : 'ws'}://${h}:${port}/v1/graphql`;
    this.ca = certificate?.cert;
    this.databaseStartMs = databaseStartMs;
    this.listening = true;
    const now = (): number => clock.now();
    this.auth = { adminSecret, jwtSecret, unauthorizedRole: 'public', now };
    this.device = new DeviceModel(db, {
      now,
      // Bounded below: a zero interval would spin.
      tickMs: Math.max(5, options.deviceTickMs ?? 100),
      armingLatencyMs: options.armingLatencyMs ?? 500,
    });
    this.executor = new Executor(db, { lenientInts: options.lenientInts ?? false });
    this.refetch = Math.max(1, options.refetchMs ?? 1000);
    this.wsMode = options.websocket ?? 'both';
    this.frontConfig = { basicAuth: options.basicAuth };
    this.websockets = new WebSockets(
      server,
      {
        executor: this.executor,
        auth: this.auth,
        refetchMs: () => this.refetch,
        liveQueries: this.liveQueries,
        keepAliveMs: 5000,
      },
      () => this.listening,
      () => this.wsMode,
      this.frontConfig,
    );
    this.device.start();
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // The server machine's clock, not ours (writeHead keeps headers set here).
      res.setHeader('Date', clock.httpDate());
      handleHttp(req, res, this.executor, this.auth, () => this.listening, this.frontConfig);
    });
    server.on('connection', (s: Socket) => {
      this.connectionsAccepted++;
      this.track(s);
    });
    server.on('secureConnection', (s: Socket) => this.track(s));
  }

  static async start(options: AiveroSimulatorOptions = {}): Promise<AiveroSimulator> {
    const tls = options.tls ?? true;
    checkClockOptions(options);
    const certificate = tls ? (options.certificate ?? (await sharedCertificate())) : undefined;
    const opened = await openDatabase();
    // Started after the database (which may take seconds): the drift counts from the same instant
    // in JavaScript and in Postgres.
    const clock = new SimClock(options, { ...realClock, now: options.now ?? (() => Date.now()) });
    try {
      await setDatabaseClock(opened.db, {
        offsetMs: clock.offsetMs,
        driftPpm: clock.driftPpm,
        // Postgres reads real time; a clock a test drives has no real start.
        startedMs: options.now ? Date.now() : clock.startedAt,
      });
    } catch (err) {
      await opened.db.close();
      throw err;
    }
    const server = certificate
      ? createHttpsServer({ key: certificate.key, cert: certificate.cert })
      : createHttpServer();
    const host = options.host ?? '127.0.0.1';
    try {
      await listen(server, options.port ?? 0, host);
    } catch (err) {
      await opened.db.close();
      throw err;
    }
    const port = (server.address() as AddressInfo).port;
    const sim = new AiveroSimulator(
      server,
      opened.db,
      host,
      port,
      options.adminSecret ?? randomBytes(16).toString('hex'),
      options.jwtSecret,
      options,
      certificate,
      opened.startMs,
      opened.source,
      clock,
    );
    if (options.certOut && certificate) {
      try {
        await writeFile(options.certOut, certificate.cert);
      } catch (err) {
        await sim.close();
        throw err;
      }
    }
    return sim;
  }

  /** A token for this server's JWT mode (needs jwtSecret). `expiresInS` < 0 gives an expired one. */
  signJwt(claims: { role?: string; allowedRoles?: string[]; expiresInS?: number; userId?: string }): string {
    if (this.jwtSecret === undefined) throw new Error('the simulator was started without jwtSecret');
    // nhost's auth service runs beside Hasura on the same machine: it signs with the same clock.
    return sign(this.jwtSecret, claims, this.clock.now());
  }

  /** The seeded cameras. */
  async cameras(): Promise<Array<{ id: string; model: string; serial: string }>> {
    const res = await this.db.query<{ id: string; model: string; serial: string }>(
      'SELECT id::text AS id, model, serial FROM cameras ORDER BY "_seq"',
    );
    return res.rows;
  }

  /** Raw SQL against the simulator's database (for tests). */
  async query(sql: string, params?: unknown[]): Promise<unknown[]> {
    return (await this.db.query(sql, params)).rows;
  }

  /** Runs the device model once now (tests that drive `now` call it instead of waiting a tick). */
  deviceTick(): Promise<void> {
    return this.device.tick();
  }

  /** Live queries running now (both protocols). */
  get liveQueryCount(): number {
    return this.liveQueries.size;
  }

  /** WebSocket connections accepted since the start (both protocols). */
  get webSocketsOpened(): number {
    return this.websockets.opened;
  }

  /** Changes the live-query refetch interval from the next refetch on. */
  setRefetchMs(ms: number): void {
    if (!(ms >= 1)) throw new Error('refetchMs must be at least 1');
    this.refetch = ms;
  }

  /**
   * Makes the proxy in front answer every request (HTTP and WebSocket upgrades) with this status and
   * a plain-text body, e.g. 502 or 503 while the engine restarts; undefined passes requests on again.
   */
  setProxyError(status: number | undefined): void {
    if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599))
      throw new Error('proxy error status must be 400-599');
    this.frontConfig.proxyError = status;
  }

  /** Which WebSocket protocols new connections may use (open ones are left alone). */
  setWebSocketMode(mode: WebSocketMode): void {
    this.wsMode = mode;
  }

  /**
   * Stops listening and drops every connection, WebSockets included; the data stays (the server is
   * "down"). The device model keeps running: the recorders keep recording while the API is away.
   */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    this.websockets.terminateAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Listens again on the same port, with the same data. */
  async restart(): Promise<void> {
    if (this.closed) throw new Error('the simulator is closed');
    if (this.listening) return;
    await listen(this.server, this.port, this.host);
    this.listening = true;
  }

  /** Everything: sockets, timers, the database. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stop();
    await this.websockets.dispose();
    await this.executor.drain();
    await this.device.dispose();
    await this.db.close();
  }

  private track(s: Socket): void {
    if (this.sockets.has(s)) return;
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export { HasuraError } from './errors';
export type { SimCertificate } from './certificate';
export type { WebSocketMode } from './websockets';
