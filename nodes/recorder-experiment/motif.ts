/**
 * A motif participant: cameras of one motif server (some or all). Armed by checking that each
 * camera is there and idle; started per camera (all at once), the experiment id in the recording's
 * metadata; marks written with `io/log` into each camera's recording; clock from `schedule.now`.
 */
import { ApiError } from '../../src/common/errors';
import { measureClock } from '../../src/common/clock';
import { motifClockSample, type MotifClient } from '../../src/backends/motif';
import type { ServerNode } from '../../src/kit/node-red';
import type { Ack, Member, MarkNote, RunInfo } from './member';
import { localNowMs } from '../../src/common/clock';

/** How long a started camera may stay pending before the start marker is written anyway. */
const OPEN_WAIT_MS = 5000;

interface Options {
  pulseOutput: string;
  pulseMs: number;
}

export class MotifMember implements Member {
  readonly kind = 'motif';
  readonly clockBasis = 'motif schedule.now (Unix seconds with fractions)';
  private serials: string[] = [];
  private readonly filenames = new Map<string, unknown>();
  private started: string[] = [];
  private readonly pulses = new Set<NodeJS.Timeout>();

  constructor(
    private readonly node: ServerNode<MotifClient>,
    private readonly cameras: string[] | 'all',
    private readonly options: Options,
  ) {}

  get server(): string {
    return this.node.address;
  }

  private run<T>(what: string, job: (client: MotifClient) => Promise<T>): Promise<T> {
    return this.node.connection.run(job, what);
  }

  async arm(_run: RunInfo, signal: AbortSignal): Promise<void> {
    const known = (await this.run('list cameras', (c) => c.cameras({ signal }))).map((c) => c.serial);
    const serials = this.cameras === 'all' ? known : this.cameras;
    const missing = serials.filter((s) => !known.includes(s));
    if (missing.length > 0)
      throw new ApiError(
        404,
        'no such camera',
        `motif at ${this.server} has no camera ${missing.join(', ')}`,
      );
    if (serials.length === 0) throw new ApiError(404, 'no cameras', `motif at ${this.server} has no cameras`);
    for (const serial of serials)
      if (await this.run('camera status', (c) => c.isRecording(serial, { signal })))
        throw new ApiError(409, 'already recording', `motif camera ${serial} is already recording`);
    this.serials = serials;
  }

  async start(run: RunInfo, signal: AbortSignal): Promise<Ack[]> {
    const body = { metadata: { experiment: run.id, experimentName: run.name } };
    const acks = await Promise.allSettled(
      this.serials.map(async (serial) => {
        const sentMs = localNowMs();
        await this.run('start recording', (c) =>
          c.call('camera/<serial>/recording/start', { serial }, body, { signal }),
        );
        const ackMs = localNowMs();
        this.started.push(serial);
        return { sentMs, ackMs };
      }),
    );
    const failed = acks.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (failed) throw failed.reason;
    // A camera acknowledges while "pending"; the marker waits until its recording is open, and its
    // file name is known then.
    await Promise.all(this.serials.map((serial) => this.untilRecording(serial, signal)));
    await this.log(run, 'start', signal);
    this.pulse(signal);
    return acks.map((a) => (a as PromiseFulfilledResult<Ack>).value);
  }

  /** Polls the camera until it records (bounded); notes its file name. */
  private async untilRecording(serial: string, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + OPEN_WAIT_MS;
    for (;;) {
      const status = await this.run('camera status', (c) => c.cameraStatus(serial, { signal }));
      const info = infoOf(status);
      if (info.status === 'recording' || Date.now() > deadline || signal.aborted) {
        if (info.filename !== undefined && info.filename !== null) this.filenames.set(serial, info.filename);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async mark(run: RunInfo, label: string, signal: AbortSignal): Promise<MarkNote> {
    this.pulse(signal);
    return { cameras: await this.log(run, label, signal) };
  }

  async stop(run: RunInfo, signal: AbortSignal): Promise<Ack[]> {
    const serials = this.started;
    if (serials.length === 0) return [];
    // The stop marker first: io/log records only into a recording under way.
    await this.log(run, 'stop', signal).catch(() => undefined);
    const acks = await Promise.all(
      serials.map(async (serial) => {
        const sentMs = localNowMs();
        await this.run('stop recording', (c) =>
          c.call('camera/<serial>/recording/stop', { serial }, undefined, { signal }),
        );
        return { sentMs, ackMs: localNowMs() };
      }),
    );
    this.started = [];
    return acks;
  }

  async disarm(): Promise<void> {
    // Arming changed nothing on a motif server.
  }

  clock(signal: AbortSignal): ReturnType<Member['clock']> {
    return this.run('read the clock', (c) => measureClock(() => motifClockSample(c, { signal }), { signal }));
  }

  record(): Record<string, unknown> {
    return {
      cameras: this.serials.map((serial) => ({
        serial,
        ...(this.filenames.get(serial) !== undefined ? { filename: this.filenames.get(serial) } : {}),
      })),
      ...(this.options.pulseOutput ? { pulseOutput: this.options.pulseOutput } : {}),
    };
  }

  /** io/log on every started camera; per camera what the server answered (frame number, time). */
  private async log(run: RunInfo, label: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    await Promise.all(
      this.started.map(async (serial) => {
        const answer = await this.run('log a marker', (c) =>
          c.call('camera/<serial>/io/log', { serial }, { experiment: run.id, label }, { signal }),
        );
        out[serial] = pick(answer, ['frame_number', 'time']);
      }),
    );
    return out;
  }

  /** The sync pulse: output on, and off again after pulseMs. */
  private pulse(signal: AbortSignal): void {
    const name = this.options.pulseOutput;
    if (!name) return;
    const set = (value: number): Promise<unknown> =>
      this.run('sync pulse', (c) => c.call('io/<name>/set', { name }, { value }, { signal }));
    // A pulse that fails is not worth failing the experiment over: it shows in the status of the server.
    set(1).then(
      () => {
        const timer = setTimeout(() => {
          this.pulses.delete(timer);
          set(0).catch(() => undefined);
        }, this.options.pulseMs);
        this.pulses.add(timer);
      },
      () => undefined,
    );
  }

  dispose(): void {
    for (const timer of this.pulses) clearTimeout(timer);
    this.pulses.clear();
  }
}

function pick(value: unknown, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const key of keys) if (key in value) out[key] = (value as Record<string, unknown>)[key];
  return out;
}

/** The camera's own part of its status (camera_info), or the status itself. */
function infoOf(status: Record<string, unknown>): Record<string, unknown> {
  const info = status.camera_info;
  return typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : status;
}
