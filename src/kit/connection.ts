/**
 * One shared connection per config node: users counted, an explicit state machine, capped jittered
 * backoff, no fast retry loop after a refused credential, bounded close. No Node-RED imports; config
 * nodes own one instance and user nodes subscribe to its `state` events for their status.
 *
 *   idle ──acquire──▶ connecting ──probe ok──▶ connected ──failure──▶ backoff ──timer──▶ connecting
 *                         │    ▲                                         ▲
 *                         │    └──────── re-check timer (slow) ──┐       │
 *                         ├──probe failed (retryable)─────────────┼───────┘
 *                         ├──auth / TLS failure──▶ failed ────────┘
 *                         └──config failure──────▶ failed (until redeployed)
 *   any ──last user leaves (removed) / close()──▶ closing ──▶ closed
 *
 * Only a failure of the connection itself latches it: a refused credential, a failed TLS check, a
 * wrong configuration. An error a server answers about one call (bad input, a permission for that
 * operation) is that call's. While latched, calls fail at once without reaching the server, each
 * with an error of its own; a refused credential or a TLS failure is checked again by the probe on
 * a slow backoff (`recheck`: first after 15–30 s, then up to every 10 minutes), and a redeploy of
 * the config node checks it at once. A re-check that passes lets every call and stream through again.
 */
import { EventEmitter } from 'node:events';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../common/backoff';
import {
  AuthError,
  ClosedError,
  isRetryable,
  redactError,
  TlsError,
  toRecorderError,
  type RecorderError,
} from '../common/errors';

export type ConnectionState =
  'idle' | 'connecting' | 'connected' | 'backoff' | 'failed' | 'closing' | 'closed';

export interface ConnectionSnapshot {
  state: ConnectionState;
  /** Failed probes since the last success. */
  attempt: number;
  /** Epoch ms of the next retry while in `backoff`, or of the next re-check while `failed`. */
  nextRetryAt?: number;
  /** Why the last probe or call failed. Never contains a secret. */
  error?: RecorderError;
  /** A standing warning to show even while connected, e.g. "TLS not verified". */
  warning?: string;
  /** What the probe learned (server version, licence state), for status and msg metadata. */
  info?: Record<string, unknown>;
}

/** What a backend supplies: how to make its client, check it, and shut it down. */
export interface Transport<C> {
  /** Build the client. Cheap and synchronous: no network traffic yet. */
  create(): C;
  /** Check the server is there and accepts us (version call, licence check). */
  /**
   * Checks the server. `users` tells how many nodes use the connection when asked (by the end of a
   * probe every node of the flow has registered), so a probe can make that many pool connections ready.
   */
  probe(client: C, signal: AbortSignal, users: () => number): Promise<Record<string, unknown> | void>;
  /** Release every socket and stream of the client. */
  destroy(client: C): Promise<void>;
  /** Standing warning derived from configuration (e.g. TLS verification off). */
  warning?: string;
  /**
   * The configuration can not work (a field is wrong): the connection starts `failed` with this
   * error, builds no client, and every call fails with it, so each message gets a catchable error.
   */
  configError?: RecorderError;
  /** Credentials to cut out of every error text, even when a server echoes them back. */
  secrets?: readonly string[];
}

/**
 * What `watch` needs of a stream: events for its outcomes, and a way to stop its retry loop when the
 * connection can not work without the user (rejected credential, bad TLS, bad configuration).
 */
export interface WatchedStream {
  on(event: 'healthy', listener: () => void): unknown;
  on(event: 'failure', listener: (err: unknown) => void): unknown;
  off(event: 'healthy', listener: () => void): unknown;
  off(event: 'failure', listener: (err: unknown) => void): unknown;
  halt(error: RecorderError): void;
  /** Start again after `halt`, once the connection works again (a re-checked credential passed). */
  resume?(): void;
}

export interface ConnectionOptions {
  backoff?: BackoffOptions;
  /** How often a refused credential or failed TLS check is checked again (slow: it may lock accounts). */
  recheck?: BackoffOptions;
  probeTimeoutMs?: number;
  closeTimeoutMs?: number;
}

/** The first re-check of a refused credential after 15–30 s, then doubling up to every 10 minutes. */
export const DEFAULT_RECHECK: BackoffOptions = { initialMs: 30_000, maxMs: 600_000 };

export class ConnectionManager<C> extends EventEmitter {
  private readonly transport: Transport<C>;
  private readonly options: Required<ConnectionOptions>;
  private readonly users = new Set<string>();
  private clientInstance: C | undefined;
  private snap: ConnectionSnapshot = { state: 'idle', attempt: 0 };
  private retryTimer: NodeJS.Timeout | undefined;
  private probeAbort: AbortController | undefined;
  private closing: Promise<void> | undefined;
  /** Re-checks of a latched connection since it last worked (they grow slower). */
  private rechecks = 0;

  constructor(transport: Transport<C>, options: ConnectionOptions = {}) {
    super();
    this.transport = transport;
    this.options = {
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      recheck: options.recheck ?? DEFAULT_RECHECK,
      probeTimeoutMs: options.probeTimeoutMs ?? 10_000,
      closeTimeoutMs: options.closeTimeoutMs ?? 3_000,
    };
    this.setMaxListeners(0); // one listener per user node; a config node may have hundreds
    if (transport.warning) this.snap.warning = transport.warning;
    if (transport.configError) {
      this.snap.state = 'failed';
      this.snap.error = this.redact(transport.configError);
    }
  }

  /** Cut the configured secrets out of an error's texts. */
  redact<E extends RecorderError>(error: E): E {
    return this.transport.secrets ? redactError(error, this.transport.secrets) : error;
  }

  /**
   * The one call bracket: the client, the call, and its outcome recorded (a success shows the server
   * is there; a connection-level failure moves the state machine). Errors come back typed and
   * redacted. Every node call goes through here. `what` names the call in the error of a call that
   * is not sent because the connection is latched.
   */
  async run<T>(job: (client: C) => Promise<T>, what?: string): Promise<T> {
    const client = this.clientOrThrow(what);
    try {
      const result = await job(client);
      this.reportSuccess();
      return result;
    } catch (err) {
      const error = this.redact(toRecorderError(err));
      this.reportFailure(error);
      throw error;
    }
  }

  /**
   * The one way a node opens a stream on the shared client: as in `run`, failing to get the client
   * (closed, bad configuration, rejected credentials) throws typed and redacted. The stream's
   * outcomes are then recorded with `watch`.
   */
  open<S>(make: (client: C) => S, what?: string): S {
    const client = this.clientOrThrow(what);
    try {
      return make(client);
    } catch (err) {
      throw this.redact(toRecorderError(err));
    }
  }

  /** The shared client, or the reason there is none, typed and redacted. */
  private clientOrThrow(what?: string): C {
    try {
      return this.client(what);
    } catch (err) {
      throw this.redact(toRecorderError(err));
    }
  }

  /**
   * Record a long-lived stream's outcomes like calls: healthy = the server is there, a failure
   * moves the state machine, and when the connection can not work without the user the stream is
   * told to stop retrying. Returns the unsubscribe function.
   */
  watch(stream: WatchedStream): () => void {
    let halted = false;
    const halt = (error: RecorderError): void => {
      if (halted) return;
      halted = true;
      stream.halt(error);
    };
    const onHealthy = (): void => {
      halted = false;
      this.reportSuccess();
    };
    const onFailure = (err: unknown): void => {
      const error = this.redact(toRecorderError(err));
      this.reportFailure(error);
      if (!isRetryable(error) && error.code !== 'INPUT') halt(error);
    };
    const onState = (snap: ConnectionSnapshot): void => {
      if (snap.state === 'failed' && snap.error && !isRetryable(snap.error)) halt(snap.error);
      else if (snap.state === 'connected' && halted) {
        // The latch is cleared (a re-check passed): the stream may try again.
        halted = false;
        stream.resume?.();
      }
    };
    stream.on('healthy', onHealthy);
    stream.on('failure', onFailure);
    this.on('state', onState);
    if (this.snap.state === 'failed' && this.snap.error && !isRetryable(this.snap.error))
      halt(this.snap.error);
    return () => {
      stream.off('healthy', onHealthy);
      stream.off('failure', onFailure);
      this.off('state', onState);
    };
  }

  /**
   * Close once the users have left, or after `boundMs` at the latest. Node-RED stops a flow's nodes
   * together: users finish their last calls (closing sessions they opened) before the client goes.
   */
  async closeAfterUsers(boundMs = 2500): Promise<void> {
    if (this.users.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, boundMs);
        function finish(): void {
          clearTimeout(timer);
          resolve();
        }
        this.usersLeft = finish;
      });
      this.usersLeft = undefined;
    }
    await this.close();
  }

  private usersLeft: (() => void) | undefined;

  get snapshot(): ConnectionSnapshot {
    return { ...this.snap };
  }

  get state(): ConnectionState {
    return this.snap.state;
  }

  get userCount(): number {
    return this.users.size;
  }

  /** Register a user node. The first user starts the connection. */
  acquire(userId: string): void {
    if (this.snap.state === 'closed' || this.snap.state === 'closing') return;
    this.users.add(userId);
    if (this.snap.state === 'idle' && !this.transport.configError) this.connect();
  }

  /**
   * Unregister a user. The connection is torn down when the last user leaves for good
   * (`removed`); a user that is only restarting keeps it open for its successor.
   */
  async release(userId: string, removed: boolean): Promise<void> {
    this.users.delete(userId);
    if (this.users.size === 0) this.usersLeft?.();
    if (this.users.size === 0 && removed) await this.close();
  }

  /**
   * The client, for a call. Fails fast when the connection is latched (refused credential, failed
   * TLS check, wrong configuration) or closed; otherwise returns the client even while backing off,
   * because the call itself is the best probe and its outcome is reported back.
   */
  client(what?: string): C {
    if (this.snap.state === 'closed' || this.snap.state === 'closing') throw new ClosedError();
    if (this.snap.state === 'failed' && this.snap.error && !isRetryable(this.snap.error))
      throw this.notSent(this.snap.error, what);
    if (this.transport.configError) throw this.redact(this.transport.configError);
    if (!this.clientInstance) {
      this.clientInstance = this.transport.create();
      if (this.snap.state === 'idle') this.connect();
    }
    return this.clientInstance;
  }

  /**
   * A call succeeded: the server is there. While a probe is under way it is left to finish, since it
   * learns more than reachability (a licence, a version) and decides the state itself.
   */
  reportSuccess(): void {
    if (this.snap.state === 'backoff' || this.snap.state === 'failed') {
      this.clearRetry();
      this.rechecks = 0;
      this.update({ state: 'connected', attempt: 0, error: undefined, nextRetryAt: undefined });
    }
  }

  /** A call failed. Connection-level failures move the state machine; API errors do not. */
  reportFailure(err: unknown): void {
    const error = this.redact(toRecorderError(err));
    if (error.code === 'API' || error.code === 'INPUT' || error.code === 'CLOSED') return;
    if (this.snap.state === 'closed' || this.snap.state === 'closing') return;
    if (!isRetryable(error)) {
      this.latch(error);
      return;
    }
    if (this.snap.state === 'connected') this.scheduleRetry(error);
  }

  /**
   * The error of a call that is not sent because the connection is latched: a new one, naming this
   * call, with the refusal that latched it as its reason (never that earlier error itself, which
   * names another call). A configuration error is the same for every call and is given as it is.
   */
  private notSent(latched: RecorderError, what: string | undefined): RecorderError {
    if (latched.code === 'CONFIG') return latched;
    const seconds =
      this.snap.nextRetryAt !== undefined
        ? Math.max(1, Math.ceil((this.snap.nextRetryAt - Date.now()) / 1000))
        : undefined;
    const again =
      seconds !== undefined
        ? `checked again in ${seconds} s or when redeployed`
        : 'checked again when redeployed';
    const refused =
      latched.code === 'TLS'
        ? 'the TLS connection to the server failed'
        : 'the server refused the credentials';
    const message = `${what ? `${what}: ` : ''}not sent, ${refused} (${latched.message}); ${again}`;
    const error = latched.code === 'TLS' ? new TlsError(message) : new AuthError(message);
    return this.redact(error);
  }

  /** Close for good, within `closeTimeoutMs`. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.clearRetry();
    this.probeAbort?.abort();
    this.update({ state: 'closing', nextRetryAt: undefined });
    const client = this.clientInstance;
    this.clientInstance = undefined;
    if (client !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        // A client that fails to shut down is dropped all the same: close always completes.
        this.transport.destroy(client).catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.options.closeTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.users.clear();
    this.update({ state: 'closed' });
    this.removeAllListeners();
  }

  private connect(): void {
    if (!this.clientInstance) this.clientInstance = this.transport.create();
    const client = this.clientInstance;
    this.update({ state: 'connecting', nextRetryAt: undefined });
    const abort = new AbortController();
    this.probeAbort = abort;
    const timer = setTimeout(() => abort.abort(), this.options.probeTimeoutMs);
    this.transport
      .probe(client, abort.signal, () => this.users.size)
      .then(
        (info) => {
          if (this.probeAbort !== abort || this.snap.state !== 'connecting') return;
          const learned = info ?? this.snap.info;
          this.rechecks = 0;
          this.update({
            state: 'connected',
            attempt: 0,
            error: undefined,
            info: learned,
            warning: standingWarning(this.transport.warning, learned),
          });
        },
        (err: unknown) => {
          if (this.probeAbort !== abort || this.snap.state !== 'connecting') return;
          const error = this.redact(toRecorderError(err));
          if (!isRetryable(error)) this.latch(error);
          else this.scheduleRetry(error);
        },
      )
      .finally(() => clearTimeout(timer));
  }

  /**
   * Stop sending: `failed`. A refused credential or failed TLS check is checked again by the probe,
   * slowly; a wrong configuration waits for the redeploy.
   */
  private latch(error: RecorderError): void {
    // Calls under way when it latched fail the same way: the planned re-check stays as it is.
    if (this.snap.state === 'failed' && this.retryTimer && error.code !== 'CONFIG') return;
    this.clearRetry();
    if (error.code === 'CONFIG') {
      this.update({ state: 'failed', error, nextRetryAt: undefined });
      return;
    }
    const delay = backoffDelay(this.rechecks++, this.options.recheck);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
    this.update({ state: 'failed', error, nextRetryAt: Date.now() + delay });
  }

  private scheduleRetry(error: RecorderError): void {
    this.clearRetry();
    const attempt = this.snap.attempt + 1;
    const delay = backoffDelay(attempt - 1, this.options.backoff);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
    this.update({ state: 'backoff', attempt, error, nextRetryAt: Date.now() + delay });
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private update(patch: Partial<ConnectionSnapshot>): void {
    const previous = this.snap;
    this.snap = { ...this.snap, ...patch };
    if (
      previous.state !== this.snap.state ||
      previous.error !== this.snap.error ||
      previous.attempt !== this.snap.attempt ||
      previous.info !== this.snap.info ||
      previous.warning !== this.snap.warning
    ) {
      this.emit('state', this.snapshot);
    }
  }
}

/**
 * The warning every user node keeps showing: the configuration's (TLS not verified) and the one the
 * probe learned (`info.warning`, e.g. a licence that is not valid), together.
 */
function standingWarning(
  configured: string | undefined,
  info: Record<string, unknown> | undefined,
): string | undefined {
  const learned = typeof info?.warning === 'string' && info.warning ? info.warning : undefined;
  if (configured && learned) return `${configured}, ${learned}`;
  return configured ?? learned;
}
