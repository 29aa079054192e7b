/**
 * A motif realtime stream (image = ZeroMQ PULL, state = SUB on topic `j`) as a supervised source:
 * resolves the endpoint from the camera status, connects, reads every message as it arrives, lets a
 * FlowControl policy decide what reaches the consumer, and delivers in order without blocking the
 * event loop. No message for `stallMs` → "stalled": the socket is dropped, the camera status read
 * again (the port may have changed) and a new socket connected; failures to resolve are retried
 * with capped backoff, except those no retry can fix (a rejected API key, a TLS or configuration
 * failure, a refused path parameter): those halt the stream until it is started again, as does a
 * failure of the supervisor itself (reported as a 'failure' too). No Node-RED imports.
 *
 *   stopped ─start─▶ resolving ─ok─▶ waiting ─message─▶ streaming ─silence─▶ stalled ─▶ resolving
 *                        │  ▲  
 *                        ├─failed─▶ retrying ─backoff─┘
 *                        └─not retryable (or halt())─▶ halted ─start─▶ resolving
 *
 * Outcome events for a connection supervisor: 'healthy' when messages flow (once per session),
 * 'failure' (RecorderError) when the endpoint can not be resolved. A stall alone is not a failure
 * of the server's connection (a paused camera sends nothing while its API answers); the status
 * call that follows it tells whether the server is still there.
 */
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as zmq from 'zeromq';
import { backoffDelay, type BackoffOptions } from '../../common/backoff';
import { FlowControl, RateMeter, type FlowControlOptions } from '../../common/flow-control';
import { ConnectionError, isRetryable, RecorderError, toRecorderError } from '../../common/errors';
import {
  decodeImageMessage,
  decodeStateMessage,
  type MotifImageFrame,
  type MotifStateMessage,
} from './stream-codec';
import type { MotifStreamEndpoint, MotifStreamKind } from './stream-endpoint';

export type { MotifImageFrame, MotifStateMessage } from './stream-codec';
export type { MotifStreamEndpoint, MotifStreamKind } from './stream-endpoint';

/** A message as read from the socket, decoded only if the policy lets it through. */
interface Received {
  parts: Buffer[];
  /** Epoch ms when it was read. */
  at: number;
}

export type MotifStreamPhase =
  'stopped' | 'resolving' | 'waiting' | 'streaming' | 'stalled' | 'retrying' | 'halted';

export type MotifStreamItem =
  | { kind: 'image'; frame: MotifImageFrame; receivedAt: number }
  | { kind: 'state'; message: MotifStateMessage; receivedAt: number };

export interface MotifStreamStats {
  /** Messages read from the socket. */
  received: number;
  /** Messages handed to the consumer. */
  delivered: number;
  /** Messages the backpressure policy discarded. */
  dropped: number;
  /** Messages that could not be decoded. */
  bad: number;
  /** Waiting inside the stream for the consumer. */
  queued: number;
  /** Delivered per second (sliding window). */
  rate: number;
  stalls: number;
  connects: number;
}

export interface MotifStreamStatus {
  phase: MotifStreamPhase;
  endpoint?: MotifStreamEndpoint;
  /** Why the last resolve failed (retrying), or why the stream halted — never contains a secret. */
  error?: RecorderError;
}

export interface MotifStreamOptions {
  kind: MotifStreamKind;
  /** Where to connect; called at every (re)connect, so it should read the camera status again. */
  resolve: (signal: AbortSignal) => Promise<MotifStreamEndpoint>;
  /** Receives the messages the policy lets through, one at a time; a returned promise is awaited. */
  deliver: (item: MotifStreamItem) => void | Promise<void>;
  flow?: FlowControlOptions;
  /** Silence after which the socket is recreated; 0 = never. Default 5000. */
  stallMs?: number;
  backoff?: BackoffOptions;
  /** ZeroMQ receive high-water mark (messages buffered by libzmq). Default 4 (image), 1000 (state). */
  receiveHighWaterMark?: number;
  /**
   * Largest message frame accepted, in bytes (ZeroMQ `maxMessageSize`). A larger one makes libzmq
   * drop the connection before buffering it, so a hostile peer cannot make us allocate gigabytes.
   * Default 64 MiB (a 4K RGB 16-bit frame is 50 MB).
   */
  maxMessageBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * Events: 'status' (MotifStreamStatus), 'bad' (RecorderError, a message that could not be decoded),
 * 'deliveryError' (unknown), 'healthy' (messages flow), 'failure' (RecorderError).
 */
export class MotifStream extends EventEmitter {
  readonly kind: MotifStreamKind;
  private readonly options: MotifStreamOptions;
  private readonly stallMs: number;
  private readonly backoff: BackoffOptions;
  private flow: FlowControl<Received>;
  private readonly meter = new RateMeter();
  private current: MotifStreamStatus = { phase: 'stopped' };
  private run:
    { abort: AbortController; socket?: zmq.Pull | zmq.Subscriber; done: Promise<void> } | undefined;
  private draining = false;
  private spaceWaiter: (() => void) | undefined;
  private counts = { received: 0, delivered: 0, bad: 0, stalls: 0, connects: 0, droppedBefore: 0 };

  constructor(options: MotifStreamOptions) {
    super();
    this.kind = options.kind;
    this.options = options;
    this.stallMs = options.stallMs ?? 5000;
    this.backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 };
    this.flow = new FlowControl(options.flow ?? { mode: 'latest' });
  }

  get status(): MotifStreamStatus {
    return { ...this.current };
  }

  /** The endpoint streamed from (or last resolved), without copying the status. */
  get endpoint(): MotifStreamEndpoint | undefined {
    return this.current.endpoint;
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  /**
   * Messages discarded by the policy so far, cheap enough to read per message (`stats` builds
   * objects): every message read was delivered, undecodable, is waiting, or was dropped.
   */
  get dropped(): number {
    return this.counts.received - this.counts.delivered - this.counts.bad - this.flow.size;
  }

  get stats(): MotifStreamStats {
    const flow = this.flow.stats;
    return {
      received: this.counts.received,
      delivered: this.counts.delivered,
      dropped: this.counts.droppedBefore + flow.dropped,
      bad: this.counts.bad,
      queued: this.flow.size,
      rate: this.meter.rate,
      stalls: this.counts.stalls,
      connects: this.counts.connects,
    };
  }

  /** Start reading (no-op when running). */
  start(): void {
    if (this.run) return;
    if (this.current.phase === 'halted') this.setStatus({ phase: 'stopped' });
    const abort = new AbortController();
    const run: NonNullable<MotifStream['run']> = { abort, done: Promise.resolve() };
    this.run = run;
    run.done = this.supervise(run).catch((err: unknown) => this.abandon(run, err));
  }

  /** Stop reading and release the socket at once (linger 0). Waiting messages are discarded. */
  async stop(): Promise<void> {
    await this.end({ phase: 'stopped' });
  }

  /**
   * Stop retrying because of `error` (a rejected credential, a TLS or configuration failure): the
   * stream stays halted, showing the error, until start() or restart(). A supervisor calls this
   * when it learns that the server's connection cannot work.
   */
  async halt(error: RecorderError): Promise<void> {
    await this.end({ phase: 'halted', endpoint: this.current.endpoint, error });
  }

  private async end(final: MotifStreamStatus): Promise<void> {
    const run = this.run;
    if (!run) {
      if (final.phase === 'halted' || this.current.phase === 'halted') this.setStatus(final);
      return;
    }
    this.run = undefined;
    run.abort.abort();
    this.closeSocket(run);
    this.releaseProducer();
    await run.done;
    this.counts.droppedBefore += this.flow.stats.dropped + this.flow.size;
    this.flow = new FlowControl(this.options.flow ?? { mode: 'latest' });
    this.meter.reset();
    this.setStatus(final);
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  /** Stop for good and forget listeners. */
  async close(): Promise<void> {
    await this.stop();
    this.removeAllListeners();
  }

  private async supervise(run: NonNullable<MotifStream['run']>): Promise<void> {
    let attempt = 0;
    while (!run.abort.signal.aborted) {
      this.setStatus({ phase: 'resolving', endpoint: this.current.endpoint });
      let endpoint: MotifStreamEndpoint;
      try {
        endpoint = await this.options.resolve(run.abort.signal);
      } catch (err) {
        if (run.abort.signal.aborted) return;
        const error = toRecorderError(err);
        this.emit('failure', error);
        if (!isRetryable(error)) {
          // Retrying cannot fix a rejected key or a bad configuration: wait for the user.
          if (this.run === run) this.haltFromSupervisor(error);
          return;
        }
        this.setStatus({ phase: 'retrying', endpoint: this.current.endpoint, error });
        await sleep(backoffDelay(attempt++, this.backoff), run.abort.signal);
        continue;
      }
      if (run.abort.signal.aborted) return;
      attempt = 0;
      const outcome = await this.session(run, endpoint);
      if (outcome === 'stalled' && !run.abort.signal.aborted) {
        this.counts.stalls++;
        this.setStatus({ phase: 'stalled', endpoint });
      }
    }
  }

  /**
   * The supervisor failed by itself rather than on a server's answer (which it handles), e.g. on a
   * socket option zeromq refuses or a listener that throws: halt and say why, instead of staying in the
   * last phase for good.
   */
  private abandon(run: NonNullable<MotifStream['run']>, err: unknown): void {
    if (this.run !== run) return;
    const error =
      err instanceof RecorderError
        ? err
        : new ConnectionError(
            `the ${this.kind} stream stopped: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
    this.emit('failure', error);
    this.haltFromSupervisor(error);
  }

  /**
   * halt() from the supervisor, which cannot wait for it (halt waits for the supervisor to end). It
   * rejects only when a 'status' listener throws; that is reported as a failure like any other.
   */
  private haltFromSupervisor(error: RecorderError): void {
    this.halt(error).catch((err: unknown) => this.emit('failure', toRecorderError(err)));
  }

  /** One socket's life: connect, read until stopped or silent for too long. */
  private async session(
    run: NonNullable<MotifStream['run']>,
    endpoint: MotifStreamEndpoint,
  ): Promise<'stalled' | 'stopped'> {
    const timeout = this.stallMs > 0 ? this.stallMs : -1;
    const maxMessageSize = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const socket =
      this.kind === 'image'
        ? new zmq.Pull({
            linger: 0,
            receiveTimeout: timeout,
            receiveHighWaterMark: this.options.receiveHighWaterMark ?? 4,
            maxMessageSize,
          })
        : new zmq.Subscriber({
            linger: 0,
            receiveTimeout: timeout,
            receiveHighWaterMark: this.options.receiveHighWaterMark ?? 1000,
            maxMessageSize,
          });
    if (socket instanceof zmq.Subscriber) socket.subscribe('j');
    run.socket = socket;
    try {
      socket.connect(endpoint.url);
      this.counts.connects++;
      this.setStatus({ phase: 'waiting', endpoint });
      let yieldedAt = performance.now();
      for (;;) {
        if (this.flow.full) await this.waitForSpace(run);
        if (run.abort.signal.aborted) return 'stopped';
        let parts: Buffer[];
        try {
          parts = await socket.receive();
        } catch (err) {
          if (run.abort.signal.aborted) return 'stopped';
          if ((err as { code?: string }).code === 'EAGAIN') return 'stalled';
          throw err;
        }
        if (run.abort.signal.aborted) return 'stopped';
        this.counts.received++;
        if (this.current.phase !== 'streaming') {
          this.setStatus({ phase: 'streaming', endpoint });
          this.emit('healthy');
        }
        this.flow.offer({ parts, at: Date.now() });
        this.kick();
        // A queued burst resolves receive() without a trip through the event loop; give timers,
        // I/O and the delivery loop their turn at least once a millisecond.
        const now = performance.now();
        if (now - yieldedAt >= 1) {
          await nextTurn();
          yieldedAt = performance.now();
        }
      }
    } catch {
      return run.abort.signal.aborted ? 'stopped' : 'stalled';
    } finally {
      this.closeSocket(run);
    }
  }

  private closeSocket(run: NonNullable<MotifStream['run']>): void {
    const socket = run.socket;
    run.socket = undefined;
    if (socket && !socket.closed) socket.close();
  }

  private waitForSpace(run: NonNullable<MotifStream['run']>): Promise<void> {
    if (run.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.spaceWaiter = resolve;
    });
  }

  private releaseProducer(): void {
    const waiter = this.spaceWaiter;
    this.spaceWaiter = undefined;
    waiter?.();
  }

  /**
   * Start the delivery loop right after the current receive settles (a microtask, so a frame does
   * not wait for a full turn of the event loop). Both loops give the event loop a turn at least
   * once a millisecond, so a flood cannot starve timers or I/O.
   */
  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    queueMicrotask(() => {
      // drain() reports each failed delivery itself; this is for a failure of the loop around them.
      this.drain().catch((err: unknown) => this.emit('deliveryError', err));
    });
  }

  private async drain(): Promise<void> {
    const flow = this.flow;
    try {
      let turnStarted = performance.now();
      for (;;) {
        const received = flow.take();
        if (received === undefined) break;
        this.releaseProducer();
        const item = this.decode(received);
        if (!item) continue;
        this.counts.delivered++;
        this.meter.tick();
        try {
          const pending = this.options.deliver(item);
          if (pending instanceof Promise) await pending;
        } catch (err) {
          this.emit('deliveryError', err);
        }
        if (flow !== this.flow) break; // stopped meanwhile
        if (performance.now() - turnStarted >= 1) {
          await nextTurn();
          turnStarted = performance.now();
        }
      }
    } finally {
      this.draining = false;
    }
    if (flow === this.flow && flow.size > 0) this.kick();
  }

  private decode({ parts, at: receivedAt }: Received): MotifStreamItem | undefined {
    try {
      return this.kind === 'image'
        ? { kind: 'image', frame: decodeImageMessage(parts), receivedAt }
        : { kind: 'state', message: decodeStateMessage(parts), receivedAt };
    } catch (err) {
      this.counts.bad++;
      this.emit('bad', toRecorderError(err));
      return undefined;
    }
  }

  private setStatus(next: MotifStreamStatus): void {
    const previous = this.current;
    this.current = next;
    if (previous.phase !== next.phase || previous.error !== next.error || previous.endpoint !== next.endpoint)
      this.emit('status', this.status);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
