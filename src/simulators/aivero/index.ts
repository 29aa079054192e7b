/**
 * A Hasura-faithful fake of the Aivero recording server (GraphQL over HTTPS, tables in an embedded
 * Postgres), for tests, examples and `npm start`. Binds 127.0.0.1 by default. Every choice where
 * the reference says UNKNOWN is documented in docs/simulators/aivero.md. No Node-RED imports.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { AuthConfig } from './auth';
import { sharedCertificate, type SimCertificate } from './certificate';
import { openDatabase, type PGlite } from './database';
import { Executor } from './execute';
import { handleHttp } from './http';
import { signJwt as sign } from './jwt';
import { DeviceModel } from './device';
import type { LiveQuery } from './live-query';
import { WebSockets } from './websockets';

export interface AiveroSimulatorOptions {
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
  /** The device model's clock (epoch ms); tests pass one they drive. Default Date.now. */
  now?: () => number;
  /** How often the device model looks at the sessions, ms (default 100). */
  deviceTickMs?: number;
}

export class AiveroSimulator {
  readonly url: string;
  readonly wsUrl: string;
  readonly ca: string | undefined;
  /** Milliseconds the embedded Postgres took to start. */
  readonly databaseStartMs: number;
  private readonly sockets = new Set<Socket>();
  private listening = false;
  private closed = false;
  private readonly executor: Executor;
  private readonly auth: AuthConfig;
  private readonly device: DeviceModel;
  private readonly websockets: WebSockets;
  private readonly liveQueries = new Set<LiveQuery>();
  private refetch: number;

  private constructor(
    private readonly server: Server,
    private readonly db: PGlite,
    readonly host: string,
    readonly port: number,
    readonly adminSecret: string,
    readonly jwtSecret: string | undefined,
    private readonly options: AiveroSimulatorOptions,
    certificate: SimCertificate | undefined,
    databaseStartMs: number,
  ) {
    const tls = certificate !== undefined;
    const h = host.includes(':') ? `[${host}]` : host;
    this.url = `${tls ? 'https' : 'http'}://${h}:${port}/v1/graphql`;
    this.wsUrl = `${tls ? 'wss' : 'ws'}://${h}:${port}/v1/graphql`;
    this.ca = certificate?.cert;
    this.databaseStartMs = databaseStartMs;
    this.listening = true;
    const now = options.now ?? Date.now;
    this.auth = { adminSecret, jwtSecret, unauthorizedRole: 'public', now };
    this.device = new DeviceModel(db, {
      now,
      tickMs: options.deviceTickMs ?? 100,
      armingLatencyMs: options.armingLatencyMs ?? 500,
    });
    this.executor = new Executor(db, { lenientInts: options.lenientInts ?? false }, () => {
      void this.device.tick();
    });
    this.refetch = options.refetchMs ?? 1000;
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
    );
    this.device.start();
    server.on('request', (req: IncomingMessage, res: ServerResponse) =>
      handleHttp(req, res, this.executor, this.auth, () => this.listening),
    );
    server.on('connection', (s: Socket) => this.track(s));
    server.on('secureConnection', (s: Socket) => this.track(s));
  }

  static async start(options: AiveroSimulatorOptions = {}): Promise<AiveroSimulator> {
    const tls = options.tls ?? true;
    const certificate = tls ? (options.certificate ?? (await sharedCertificate())) : undefined;
    const opened = await openDatabase();
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
    );
    if (options.certOut && certificate) {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(options.certOut, certificate.cert);
    }
    return sim;
  }

  /** A token for this server's JWT mode (needs jwtSecret). `expiresInS` < 0 gives an expired one. */
  signJwt(claims: { role?: string; allowedRoles?: string[]; expiresInS?: number; userId?: string }): string {
    if (this.jwtSecret === undefined) throw new Error('the simulator was started without jwtSecret');
    return sign(this.jwtSecret, claims, (this.options.now ?? Date.now)());
  }

  /** The seeded cameras. */
  async cameras(): Promise<Array<{ id: string; model: string; serial: string }>> {
    const res = await this.db.query<{ id: string; model: string; serial: string }>(
      'SELECT id::text AS id, model, serial FROM cameras ORDER BY "createdAt", model, serial',
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

  /** Changes the live-query refetch interval from the next refetch on. */
  setRefetchMs(ms: number): void {
    if (!(ms >= 1)) throw new Error('refetchMs must be at least 1');
    this.refetch = ms;
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
