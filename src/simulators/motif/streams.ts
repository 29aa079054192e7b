/**
 * The simulator's realtime streams (vendor documentation): per camera a ZeroMQ PUSH sending synthetic
 * frames (`[JSON metadata, raw pixels]`) and a PUB sending state (`['j', JSON]`), advertised in the
 * camera status as `camera_info.stream.{image,state}`. Choices the vendor leaves undocumented are
 * written down in docs/simulators/motif.md.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as zmq from 'zeromq';
import { frameNumber, type SimCamera } from './state';

export type SimStreamDtype = 'uint8' | 'uint16';

export interface SimStreamOptions {
  /** Publish streams at all. Default true. */
  enabled?: boolean;
  /** Address the sockets bind. Default 127.0.0.1. */
  bindHost?: string;
  /** Host written into the camera status. Default '0.0.0.0' (clients then use the API host). */
  advertiseHost?: string;
  /** First image port (camera i uses imagePort + i). Default 0 = chosen by the OS. */
  imagePort?: number;
  /** First state port (camera i uses statePort + i). Default 0 = chosen by the OS. */
  statePort?: number;
  /** Frame size. Defaults 640 × 480, 1 channel, uint8. */
  width?: number;
  height?: number;
  channels?: number;
  dtype?: SimStreamDtype;
  /** Image frames per second; 0 = as fast as the reader takes them (blocking sends). Default 30. */
  fps?: number;
  /** State messages per second. Default 30. */
  statePerSecond?: number;
  /**
   * Messages libzmq queues per reader before the simulator drops (fps > 0) or waits (fps 0).
   * Default: 200 ms worth of frames at `fps`, at least 8.
   */
  sendHighWaterMark?: number;
}

export type ResolvedStreamOptions = Required<SimStreamOptions>;

export function resolveStreamOptions(options: SimStreamOptions = {}): ResolvedStreamOptions {
  const resolved: ResolvedStreamOptions = {
    enabled: options.enabled ?? true,
    bindHost: options.bindHost ?? '127.0.0.1',
    advertiseHost: options.advertiseHost ?? '0.0.0.0',
    imagePort: options.imagePort ?? 0,
    statePort: options.statePort ?? 0,
    width: options.width ?? 640,
    height: options.height ?? 480,
    channels: options.channels ?? 1,
    dtype: options.dtype ?? 'uint8',
    fps: options.fps ?? 30,
    statePerSecond: options.statePerSecond ?? 30,
    sendHighWaterMark: options.sendHighWaterMark ?? Math.max(8, Math.ceil((options.fps ?? 30) / 5)),
  };
  const positive = (n: number): boolean => Number.isInteger(n) && n > 0;
  if (!positive(resolved.width) || !positive(resolved.height))
    throw new RangeError('stream width and height must be whole numbers > 0');
  if (![1, 2, 3, 4].includes(resolved.channels)) throw new RangeError('stream channels must be 1 to 4');
  if (resolved.dtype !== 'uint8' && resolved.dtype !== 'uint16')
    throw new RangeError('stream dtype must be uint8 or uint16');
  if (!(resolved.fps >= 0) || !(resolved.statePerSecond > 0))
    throw new RangeError('stream fps must be ≥ 0 and the state rate > 0');
  return resolved;
}

/** Wall-clock Unix seconds with sub-millisecond resolution, for latency measurements. */
export function preciseNowSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** A few pre-drawn frames (horizontal bands moving down), reused in turn: no allocation per frame. */
function drawPatterns(o: ResolvedStreamOptions): Buffer[] {
  const itemSize = o.dtype === 'uint16' ? 2 : 1;
  const rowBytes = o.width * o.channels * itemSize;
  const frameBytes = rowBytes * o.height;
  const count = Math.max(1, Math.min(8, Math.floor((32 * 1024 * 1024) / frameBytes)));
  const patterns: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    const buf = Buffer.allocUnsafe(frameBytes);
    for (let y = 0; y < o.height; y++) {
      const v = (Math.floor(y / 8) * 16 + k * 32) & 255;
      const fill = itemSize === 2 ? Buffer.from([v, v]) : v;
      buf.fill(fill, y * rowBytes, (y + 1) * rowBytes);
    }
    patterns.push(buf);
  }
  return patterns;
}

/** Where the streams read the simulated machine's time. */
export interface SimStreamTime {
  /** The simulator's clock in seconds, so the state stream follows a driven clock in tests. */
  nowSeconds: () => number;
  /** The same clock with sub-millisecond resolution, for image timestamps (latency). */
  preciseNowSeconds: () => number;
}

export interface SimStreamCounters {
  /** Image frames handed to ZeroMQ. */
  sent: number;
  /** Image frames dropped because no reader was connected or its queue was full. */
  dropped: number;
  /** State messages published. */
  states: number;
  /** State messages skipped because the previous one was still being written. */
  statesSkipped: number;
}

/** The two streams of one camera. */
export class SimCameraStreams {
  readonly counters: SimStreamCounters = { sent: 0, dropped: 0, states: 0, statesSkipped: 0 };
  imagePort = 0;
  statePort = 0;
  private readonly push: zmq.Push;
  private readonly pub: zmq.Publisher;
  private readonly patterns: Buffer[];
  private readonly shape: number[];
  private frame = 0;
  private paused = false;
  private closed = false;
  private imageTimer: NodeJS.Timeout | undefined;
  private stateTimer: NodeJS.Timeout | undefined;
  private started = 0;
  private due = 0;
  private flooding: Promise<void> | undefined;
  private sending = false;
  /** A state message is being written (see publishState). */
  private statePending = false;

  constructor(
    private readonly camera: SimCamera,
    private readonly options: ResolvedStreamOptions,
    private readonly time: SimStreamTime,
  ) {
    this.push = new zmq.Push({
      linger: 0,
      sendHighWaterMark: options.sendHighWaterMark,
      sendTimeout: options.fps > 0 ? 0 : -1,
    });
    this.pub = new zmq.Publisher({ linger: 0 });
    this.patterns = drawPatterns(options);
    this.shape =
      options.channels === 1
        ? [options.height, options.width]
        : [options.height, options.width, options.channels];
  }

  /** Bind both sockets, advertise them in the camera status and start sending. */
  async start(index: number): Promise<void> {
    const o = this.options;
    const portFor = (first: number): string => (first > 0 ? String(first + index) : '*');
    const host = o.bindHost.includes(':') ? `[${o.bindHost}]` : o.bindHost;
    await this.push.bind(`tcp://${host}:${portFor(o.imagePort)}`);
    await this.pub.bind(`tcp://${host}:${portFor(o.statePort)}`);
    this.imagePort = portOf(this.push.lastEndpoint);
    this.statePort = portOf(this.pub.lastEndpoint);
    this.camera.streams = {
      ...this.camera.streams,
      image: { host: o.advertiseHost, port: this.imagePort },
      state: { host: o.advertiseHost, port: this.statePort },
    };
    this.resume();
  }

  /** Stop sending (the sockets stay bound): readers see silence, as when a camera hangs. */
  pause(): void {
    this.paused = true;
    if (this.imageTimer) clearInterval(this.imageTimer);
    if (this.stateTimer) clearInterval(this.stateTimer);
    this.imageTimer = undefined;
    this.stateTimer = undefined;
  }

  resume(): void {
    if (this.closed) return;
    this.paused = false;
    const o = this.options;
    if (!this.stateTimer) this.stateTimer = setInterval(() => this.publishState(), 1000 / o.statePerSecond);
    if (o.fps === 0) {
      this.flooding ??= this.flood().finally(() => {
        this.flooding = undefined;
      });
      return;
    }
    this.started = performance.now();
    this.due = 0;
    // tick() counts a frame it cannot send as dropped and goes on; nothing else in it can fail.
    this.imageTimer ??= setInterval(
      () => {
        this.tick().catch(() => undefined);
      },
      Math.max(1, 1000 / o.fps),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pause();
    if (this.camera.streams) {
      delete this.camera.streams.image;
      delete this.camera.streams.state;
    }
    this.push.close();
    this.pub.close();
    await this.flooding;
  }

  private message(): [string, Buffer] {
    const metadata = {
      dtype: this.options.dtype,
      shape: this.shape,
      frame_number: this.frame,
      timestamp: this.time.preciseNowSeconds(),
      serial: this.camera.serial,
    };
    const data = this.patterns[this.frame % this.patterns.length];
    this.frame++;
    return [JSON.stringify(metadata), data];
  }

  /** Fixed rate: send the frames due since the last tick; a reader that is not keeping up loses frames. */
  private async tick(): Promise<void> {
    if (this.sending || this.paused || this.closed) return;
    this.sending = true;
    try {
      const target = Math.floor(((performance.now() - this.started) / 1000) * this.options.fps);
      // After a long blocked event loop, do not burst more than a second's worth.
      if (target - this.due > this.options.fps) this.due = target - Math.ceil(this.options.fps);
      while (this.due < target && !this.paused && !this.closed) {
        this.due++;
        try {
          await this.push.send(this.message());
          this.counters.sent++;
        } catch {
          this.counters.dropped++;
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** fps 0: as fast as the reader takes frames; ZeroMQ's high-water mark paces the loop. */
  private async flood(): Promise<void> {
    let yieldedAt = performance.now();
    while (!this.paused && !this.closed) {
      try {
        await this.push.send(this.message());
        this.counters.sent++;
      } catch {
        return; // closed
      }
      if (performance.now() - yieldedAt >= 1) {
        await nextTurn();
        yieldedAt = performance.now();
      }
    }
  }

  /**
   * Send one state message now (the timer calls this; tests may too). ZeroMQ 6 allows one send in
   * progress per socket and throws synchronously ("Socket is busy writing") on a second: a state
   * due while the previous one is still being written is skipped (counted), as a real camera's
   * publisher drops what it cannot send. The next tick sends the then-current state anyway.
   */
  publishState(): void {
    if (this.paused || this.closed) return;
    if (this.statePending) {
      this.counters.statesSkipped++;
      return;
    }
    const rec = this.camera.recording;
    const now = this.time.nowSeconds();
    const state = {
      frame_number: frameNumber(this.camera, now),
      frame_time: now,
      is_recording: rec.status === 'recording',
      status: rec.status,
      filename: rec.filename,
      serial: this.camera.serial,
    };
    this.statePending = true;
    let sent: Promise<void>;
    try {
      sent = this.pub.send(['j', JSON.stringify(state)]);
    } catch {
      // Closed under us (or busy despite the flag): nothing to send to, never an uncaught error.
      this.statePending = false;
      this.counters.statesSkipped++;
      return;
    }
    sent.then(
      () => {
        this.statePending = false;
        this.counters.states++;
      },
      () => {
        this.statePending = false;
      },
    );
  }
}

function portOf(endpoint: string | null): number {
  const m = /:(\d+)$/.exec(endpoint ?? '');
  if (!m) throw new Error(`cannot read the bound port of ${endpoint ?? 'a socket'}`);
  return Number(m[1]);
}

/** Streams for every camera of a simulator. */
export async function startStreams(
  cameras: Iterable<SimCamera>,
  options: ResolvedStreamOptions,
  time: SimStreamTime,
): Promise<Map<string, SimCameraStreams>> {
  const streams = new Map<string, SimCameraStreams>();
  if (!options.enabled) return streams;
  let index = 0;
  try {
    for (const camera of cameras) {
      const s = new SimCameraStreams(camera, options, time);
      streams.set(camera.serial, s);
      await s.start(index++);
    }
  } catch (err) {
    await Promise.all([...streams.values()].map((s) => s.close()));
    throw err;
  }
  return streams;
}
