/**
 * A RemotiveLabs participant: a recording session opened and paused at its start offset when
 * armed, played at the release, paused at the end. The broker exposes no clock: what is measured
 * is the playback position against our wall clock since the acknowledged play (its lag and its
 * rate), so a signal's time in the recording can be mapped to the experiment's time.
 */
import { estimateOffset, localNowMs, type ClockSample } from '../../src/common/clock';
import { formatOffset, playbackPosition, type RemotiveClient } from '../../src/backends/remotive';
import type { ServerNode } from '../../src/kit/node-red';
import type { Ack, Member, MarkNote } from './member';

const SAMPLES = 3;

export class RemotiveMember implements Member {
  readonly kind = 'remotive';
  readonly clockBasis = 'playback position against the wall clock since the acknowledged play';
  private opened = false;
  private playing = false;
  /** The play call: local times around it, and the offset it started from. */
  private anchor: { sentMs: number; ackMs: number } | undefined;
  private stopOffsetUs: number | undefined;

  constructor(
    private readonly node: ServerNode<RemotiveClient>,
    private readonly path: string,
    private readonly startOffsetUs: number,
  ) {}

  get server(): string {
    return this.node.address;
  }

  private run<T>(what: string, job: (client: RemotiveClient) => Promise<T>): Promise<T> {
    return this.node.connection.run(job, what);
  }

  async arm(): Promise<void> {
    // Open anew (force: an open session starts over), then wait paused at the start offset.
    await this.run('open recording', (c) => c.open(this.path, { force: true }));
    this.opened = true;
    await this.run('pause at the start offset', (c) => c.pause(this.path, this.startOffsetUs));
  }

  async start(): Promise<Ack[]> {
    const sentMs = localNowMs();
    await this.run('play recording', (c) => c.play(this.path, this.startOffsetUs));
    const ackMs = localNowMs();
    this.playing = true;
    this.anchor = { sentMs, ackMs };
    return [{ sentMs, ackMs }];
  }

  async mark(): Promise<MarkNote> {
    const at = await this.run('read the playback offset', (c) => playbackPosition(c, this.path));
    return { offsetUs: at.status.offsetUs, offset: formatOffset(at.status.offsetUs), mode: at.status.mode };
  }

  async stop(): Promise<Ack[]> {
    if (!this.playing) return [];
    const sentMs = localNowMs();
    const status = await this.run('pause recording', (c) => c.pause(this.path));
    this.playing = false;
    this.stopOffsetUs = status.offsetUs;
    return [{ sentMs, ackMs: localNowMs() }];
  }

  async disarm(): Promise<void> {
    if (!this.opened || this.playing) return;
    await this.run('close recording', (c) => c.close(this.path));
    this.opened = false;
  }

  /**
   * The playback's lag: its position read as a time (the play's moment plus the position played)
   * against ours. The play's own moment is known to half its round trip, which widens each sample.
   */
  async clock(): ReturnType<Member['clock']> {
    const anchor = this.anchor;
    if (!anchor || !this.playing) return undefined;
    const half = (anchor.ackMs - anchor.sentMs) / 2;
    const playedAt = anchor.sentMs + half;
    const samples: ClockSample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const at = await this.run('read the playback offset', (c) => playbackPosition(c, this.path));
      if (at.status.mode !== 'playing') break;
      samples.push({
        sentMs: at.sentMs - half,
        receivedMs: at.receivedMs + half,
        serverMs: playedAt + (at.status.offsetUs - this.startOffsetUs) / 1000,
        resolutionMs: 0.001,
      });
    }
    return estimateOffset(samples);
  }

  record(): Record<string, unknown> {
    return {
      path: this.path,
      startOffsetUs: this.startOffsetUs,
      startOffset: formatOffset(this.startOffsetUs),
      ...(this.stopOffsetUs !== undefined
        ? { stopOffsetUs: this.stopOffsetUs, stopOffset: formatOffset(this.stopOffsetUs) }
        : {}),
    };
  }
}
