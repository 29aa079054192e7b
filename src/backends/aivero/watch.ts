/**
 * Watching session states. A live query on `recordingSessions` (one session or all) over
 * `graphql-transport-ws`; if the server does not speak it, the legacy Apollo protocol; if
 * WebSockets do not work at all, polling over HTTP. A lost channel is re-opened after a capped,
 * jittered backoff. Each result is compared with the states already known, so a re-subscription
 * (whose first result repeats the current state) emits only what really changed meanwhile.
 *
 * Events: `change` (StateChange), `removed` (a watched session disappeared), `healthy`
 * ({protocol}) when (re)subscribed, `failure` (RecorderError) when an attempt fails or the
 * channel is lost, `closed` once after close().
 */
import { EventEmitter } from 'node:events';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../common/backoff';
import { ConfigError, toRecorderError, type RecorderError } from '../../common/errors';
import { openLegacyWs, LEGACY_WS } from './channel-legacy';
import { openTransportWs, TRANSPORT_WS } from './channel-transport-ws';
import type { ResolvedConfig } from './config';
import { POLL_ALL_SESSIONS, POLL_SESSION, WATCH_ALL_SESSIONS, WATCH_SESSION } from './documents';
import type { Redactor } from './errors';
import {
  rowsOf,
  type Channel,
  type ChannelContext,
  type ChannelHandlers,
  type WatchedRow,
} from './ws-common';

export type WatchProtocol = 'graphql-transport-ws' | 'graphql-ws' | 'poll';
export const WATCH_PROTOCOLS: readonly WatchProtocol[] = [TRANSPORT_WS, LEGACY_WS, 'poll'];

export interface WatchOptions {
  /** Protocols to try, in order (default all three). */
  protocols?: WatchProtocol[];
  /** Polling interval, ms (default 2000). */
  pollMs?: number;
  /** Timeout of one poll, ms (default: the client's). */
  pollTimeoutMs?: number;
  /** WebSocket handshake + acknowledgement timeout, ms (default 10000). */
  connectTimeoutMs?: number;
  /** Emit the states found by the first result as changes with `previous: null` (default true). */
  emitInitial?: boolean;
  backoff?: BackoffOptions;
}

export interface StateChange {
  id: string;
  name: string;
  state: string;
  /** `null` for the first state seen (a new session, or the first result). */
  previous: string | null;
  /** When the change was seen (ISO, UTC). */
  at: string;
}

export interface SessionRemoved {
  id: string;
  name: string;
  previous: string;
  at: string;
}

export interface WatchDeps {
  sessionId: string | undefined;
  config: ResolvedConfig;
  redactor: Redactor;
  poll(document: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

const MAX_ROWS = 10_000;

export class SessionWatch extends EventEmitter {
  readonly sessionId: string | undefined;
  private readonly deps: WatchDeps;
  private readonly protocols: WatchProtocol[];
  private readonly pollMs: number;
  private readonly connectTimeoutMs: number;
  private readonly emitInitial: boolean;
  private readonly backoff: BackoffOptions;
  private readonly known = new Map<string, { name: string; state: string }>();
  private seenFirst = false;
  private results = 0;
  private level = 0;
  private attempt = 0;
  private channel: Channel | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private isHealthy = false;
  private stopped = false;
  private haltError: RecorderError | undefined;
  private closing: Promise<void> | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(deps: WatchDeps, options: WatchOptions = {}) {
    super();
    this.deps = deps;
    this.sessionId = deps.sessionId;
    this.protocols = [...(options.protocols ?? WATCH_PROTOCOLS)];
    if (this.protocols.length === 0 || this.protocols.some((p) => !WATCH_PROTOCOLS.includes(p)))
      throw new ConfigError(`protocols: choose from ${WATCH_PROTOCOLS.join(', ')}`, 'protocols');
    this.pollMs = options.pollMs ?? 2000;
    if (!(this.pollMs >= 10)) throw new ConfigError('pollMs: at least 10 ms', 'pollMs');
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.emitInitial = options.emitInitial ?? true;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    // Start on the next turn, so the caller can attach listeners first.
    this.retryTimer = setTimeout(() => this.open(), 0);
  }

  /** The protocol in use or being tried. */
  get protocol(): WatchProtocol {
    return this.protocols[this.level];
  }

  /** Complete results received so far (live-query pushes or polls). */
  get resultCount(): number {
    return this.results;
  }

  get healthy(): boolean {
    return this.isHealthy;
  }

  /** Why the watch was halted, if it was. */
  get halted(): RecorderError | undefined {
    return this.haltError;
  }

  /** The states known now, by session id. */
  states(): Map<string, string> {
    return new Map([...this.known].map(([id, v]) => [id, v.state]));
  }

  /** Stops retrying for good (e.g. the credentials were refused); close() still cleans up. */
  halt(err: RecorderError): void {
    if (this.stopped) return;
    this.haltError = err;
    this.stopped = true;
    this.isHealthy = false;
    this.stopChannel();
  }

  /** Closes the channel and every timer; resolves when the sockets are closed. */
  close(): Promise<void> {
    if (!this.closing) {
      this.stopped = true;
      this.isHealthy = false;
      this.stopChannel();
      this.closing = Promise.all([...this.pending]).then(() => {
        this.emit('closed');
        this.removeAllListeners();
      });
    }
    return this.closing;
  }

  private stopChannel(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const channel = this.channel;
    this.channel = undefined;
    if (channel) {
      channel.stop();
      this.track(channel.closed());
    }
  }

  private track(p: Promise<void>): void {
    // close() waits for these to settle either way: a socket that closed badly is closed all the same.
    const tracked = p.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private open(): void {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const protocol = this.protocol;
    const handlers: ChannelHandlers = {
      onRows: (rows) => {
        if (this.stopped || this.channel !== channel) return;
        this.deliver(rows, protocol);
      },
      onFailure: (error, unsupported) => {
        if (this.stopped || this.channel !== channel) return;
        this.channel = undefined;
        this.track(channel.closed());
        this.lost(error, unsupported);
      },
    };
    const channel: Channel = protocol === 'poll' ? this.openPoll(handlers) : this.openWs(protocol, handlers);
    this.channel = channel;
  }

  private openWs(protocol: WatchProtocol, handlers: ChannelHandlers): Channel {
    const ctx: ChannelContext = {
      config: this.deps.config,
      redactor: this.deps.redactor,
      connectTimeoutMs: this.connectTimeoutMs,
      document: this.sessionId ? WATCH_SESSION : WATCH_ALL_SESSIONS,
      variables: this.sessionId ? { id: this.sessionId } : {},
    };
    return protocol === TRANSPORT_WS ? openTransportWs(ctx, handlers) : openLegacyWs(ctx, handlers);
  }

  /** Polling as a channel: one query per interval until it fails or is stopped. */
  private openPoll(handlers: ChannelHandlers): Channel {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    const document = this.sessionId ? POLL_SESSION : POLL_ALL_SESSIONS;
    const variables = this.sessionId ? { id: this.sessionId } : {};
    const tick = (): void => {
      timer = undefined;
      running = (async () => {
        try {
          const data = await this.deps.poll(document, variables, controller.signal);
          if (stopped) return;
          handlers.onRows(rowsOf(data));
          if (!stopped) timer = setTimeout(tick, this.pollMs);
        } catch (err) {
          if (!stopped) {
            stopped = true;
            handlers.onFailure(toRecorderError(err), false);
          }
        }
      })();
    };
    tick();
    return {
      stop(): void {
        stopped = true;
        if (timer) clearTimeout(timer);
        controller.abort();
      },
      closed: () => running,
    };
  }

  private lost(error: RecorderError, unsupported: boolean): void {
    const wasHealthy = this.isHealthy;
    this.isHealthy = false;
    if (unsupported && this.level < this.protocols.length - 1 && !wasHealthy) {
      // Not a loss: this server does not speak the protocol. Try the next one right away.
      this.level++;
      this.retryTimer = setTimeout(() => this.open(), 0);
      return;
    }
    this.emitSafe('failure', error);
    if (this.stopped) return;
    // Credentials refused, or the role may not see the sessions: repeating soon would change
    // nothing, so ask again only at the longest interval; the owner may halt().
    const permanent = error.code === 'AUTH' || error.code === 'INPUT';
    const delay = permanent ? this.backoff.maxMs : backoffDelay(this.attempt++, this.backoff);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private deliver(rawRows: WatchedRow[], protocol: WatchProtocol): void {
    this.results++;
    if (!this.isHealthy) {
      this.isHealthy = true;
      this.attempt = 0;
      this.emitSafe('healthy', { protocol });
      if (this.stopped) return;
    }
    const rows = rawRows.slice(0, MAX_ROWS);
    const at = new Date().toISOString();
    const present = new Set<string>();
    const first = !this.seenFirst;
    this.seenFirst = true;
    for (const row of rows) {
      if (this.sessionId && row.id !== this.sessionId) continue;
      present.add(row.id);
      const before = this.known.get(row.id);
      this.known.set(row.id, { name: row.name, state: row.state });
      if (before && before.state === row.state) continue;
      if (!before && first && !this.emitInitial) continue;
      const change: StateChange = {
        id: row.id,
        name: row.name,
        state: row.state,
        previous: before?.state ?? null,
        at,
      };
      this.emitSafe('change', change);
      if (this.stopped) return;
    }
    for (const [id, before] of [...this.known]) {
      if (present.has(id)) continue;
      this.known.delete(id);
      const removed: SessionRemoved = { id, name: before.name, previous: before.state, at };
      this.emitSafe('removed', removed);
      if (this.stopped) return;
    }
  }

  /** A listener's exception must not break the watch machinery. */
  private emitSafe(event: string, value: unknown): void {
    if (this.closing) return;
    try {
      this.emit(event, value);
    } catch {
      // ignored: the listener's own bug
    }
  }
}
