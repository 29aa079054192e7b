/**
 * Watching session states. A live query on `recordingSessions` (one session, a list, or all) over
 * `graphql-transport-ws`; if the server does not speak it, the legacy Apollo protocol; if
 * WebSockets do not work at all, polling over HTTP. A lost channel is re-opened after a capped,
 * jittered backoff. Each result is compared with the states already known, so a re-subscription
 * (whose first result repeats the current state) emits only what really changed meanwhile.
 *
 * A subscription that stays silent beyond `stallMs` (no result, pong, `ka` or probe answer: a
 * half-open TCP path, a NAT that forgot the connection, a hung server) is "stalled": dropped and
 * re-opened like a lost one, and the fresh first result brings what changed during the silence.
 *
 * A server flooding results cannot flood the listeners: results are coalesced (the latest one
 * wins, a queue of one) and compared at most once per `coalesceMs`; a large result's changes are
 * emitted in slices that leave the event loop free.
 *
 * Events: `change` (StateChange), `removed` (a watched session disappeared), `healthy`
 * ({protocol}) when (re)subscribed, `stalled` (RecorderError, status text "stalled") when a silent
 * subscription is dropped to be re-opened, `failure` (RecorderError) when an attempt fails or the
 * channel is lost, `snapshot` after each result has been compared, `closed` once after close().
 */
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../common/backoff';
import { ConfigError, toRecorderError, type RecorderError } from '../../common/errors';
import { FlowControl } from '../../common/flow-control';
import { openLegacyWs, LEGACY_WS } from './channel-legacy';
import { openTransportWs, TRANSPORT_WS } from './channel-transport-ws';
import type { ResolvedConfig } from './config';
import {
  POLL_ALL_SESSIONS,
  POLL_SESSION,
  POLL_SESSIONS_IN,
  WATCH_ALL_SESSIONS,
  WATCH_SESSION,
  WATCH_SESSIONS_IN,
} from './documents';
import type { Redactor } from './errors';
import {
  AiveroStallError,
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
  /**
   * An acknowledged subscription from which nothing arrives for this long is stalled and re-opened,
   * ms (default 20000; 0 = never). The client probes a quiet one after a quarter of it (a ping, or
   * on the legacy protocol a `__typename` query), so a healthy server is never taken for a stalled
   * one; the first result must come within it too.
   */
  stallMs?: number;
  /** Results are compared (and changes emitted) at most once per this many ms; the latest wins (default 100). */
  coalesceMs?: number;
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
  /** Several sessions instead (checked ids): one live query on the list. */
  sessionIds?: readonly string[];
  config: ResolvedConfig;
  redactor: Redactor;
  poll(document: string, variables: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

const MAX_ROWS = 10_000;
export const DEFAULT_STALL_MS = 20_000;
export const DEFAULT_COALESCE_MS = 100;

export class SessionWatch extends EventEmitter {
  readonly sessionId: string | undefined;
  private readonly deps: WatchDeps;
  private readonly protocols: WatchProtocol[];
  private readonly pollMs: number;
  private readonly connectTimeoutMs: number;
  private readonly emitInitial: boolean;
  private readonly stallMs: number;
  private readonly coalesceMs: number;
  private readonly backoff: BackoffOptions;
  /** The watched ids (undefined: all sessions). */
  private readonly only: ReadonlySet<string> | undefined;
  /** Results not compared yet: the latest wins. */
  private readonly waiting = new FlowControl<WatchedRow[]>({ mode: 'latest' });
  private applyTimer: NodeJS.Timeout | undefined;
  private applying = false;
  private lastAppliedAt = -Infinity;
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
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    if (!(this.stallMs === 0 || (this.stallMs >= 100 && this.stallMs <= 2_147_483_647)))
      throw new ConfigError('stallMs: 0 (never) or at least 100 ms', 'stallMs');
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
    if (!(this.coalesceMs >= 0 && this.coalesceMs <= 60_000))
      throw new ConfigError('coalesceMs: 0 to 60000 ms', 'coalesceMs');
    this.only = deps.sessionIds
      ? new Set(deps.sessionIds)
      : deps.sessionId
        ? new Set([deps.sessionId])
        : undefined;
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
    if (this.applyTimer) clearTimeout(this.applyTimer);
    this.applyTimer = undefined;
    this.waiting.clear();
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
        this.receive(rows, protocol);
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
      stallMs: this.stallMs,
      ...this.operation('live'),
    };
    return protocol === TRANSPORT_WS ? openTransportWs(ctx, handlers) : openLegacyWs(ctx, handlers);
  }

  private operation(kind: 'live' | 'poll'): { document: string; variables: Record<string, unknown> } {
    const live = kind === 'live';
    if (this.deps.sessionIds)
      return {
        document: live ? WATCH_SESSIONS_IN : POLL_SESSIONS_IN,
        variables: { ids: [...this.deps.sessionIds] },
      };
    if (this.sessionId)
      return { document: live ? WATCH_SESSION : POLL_SESSION, variables: { id: this.sessionId } };
    return { document: live ? WATCH_ALL_SESSIONS : POLL_ALL_SESSIONS, variables: {} };
  }

  /** Polling as a channel: one query per interval until it fails or is stopped. */
  private openPoll(handlers: ChannelHandlers): Channel {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    const { document, variables } = this.operation('poll');
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
    if (error instanceof AiveroStallError) {
      // The watch's own state, not a verdict on the server (its HTTP side may be fine): re-open
      // soon; a re-opening that fails is reported as a failure like any other.
      this.emitSafe('stalled', error);
      if (this.stopped) return;
      this.retryTimer = setTimeout(() => this.open(), backoffDelay(this.attempt++, this.backoff));
      return;
    }
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

  /** A complete result: kept (replacing one not compared yet) and compared when its turn comes. */
  private receive(rows: WatchedRow[], protocol: WatchProtocol): void {
    this.results++;
    if (!this.isHealthy) {
      this.isHealthy = true;
      this.attempt = 0;
      this.emitSafe('healthy', { protocol });
      if (this.stopped) return;
    }
    this.waiting.offer(rows);
    this.schedule();
  }

  /** Compare the waiting result now if the last comparison is long enough ago, else when it is. */
  private schedule(): void {
    if (this.applying || this.applyTimer || this.stopped) return;
    const wait = this.lastAppliedAt + this.coalesceMs - performance.now();
    if (wait <= 0) this.applyReporting();
    else
      this.applyTimer = setTimeout(() => {
        this.applyTimer = undefined;
        this.applyReporting();
      }, wait);
  }

  /** Compares the waiting result; a failure to do so is the watch's failure, never an unhandled one. */
  private applyReporting(): void {
    this.applyWaiting().catch((err: unknown) => this.emit('failure', toRecorderError(err)));
  }

  private async applyWaiting(): Promise<void> {
    const rows = this.waiting.take();
    if (!rows || this.stopped) return;
    this.applying = true;
    this.lastAppliedAt = performance.now();
    try {
      await this.apply(rows);
    } finally {
      this.applying = false;
    }
    if (this.waiting.size > 0) this.schedule();
  }

  /** Emits what changed since the states known; gives the event loop a turn every millisecond. */
  private async apply(rawRows: WatchedRow[]): Promise<void> {
    const rows = rawRows.length > MAX_ROWS ? rawRows.slice(0, MAX_ROWS) : rawRows;
    const at = new Date().toISOString();
    const present = new Set<string>();
    const first = !this.seenFirst;
    this.seenFirst = true;
    let sliceStarted = performance.now();
    const breathe = async (): Promise<void> => {
      if (performance.now() - sliceStarted < 1) return;
      await nextTurn();
      sliceStarted = performance.now();
    };
    for (const row of rows) {
      if (this.only && !this.only.has(row.id)) continue;
      await breathe();
      if (this.stopped) return;
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
    this.emitSafe('snapshot', undefined);
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
