/**
 * Recording-session playback state, keyed by path (the broker has no session id). Offsets move with
 * a clock while playing (`speed` × real time). Pure apart from the injected clock, so the rules are
 * easy to read in one place:
 *
 * - open: PAUSED at offset 0; opening an open path fails unless `force` (then it starts over).
 * - play: from the given offset, or from where it is; at the end of the file (no repeat) a play
 *   without offset starts over from 0.
 * - pause: freezes the offset (or moves it to the given one).
 * - seek: moves the offset, keeps the mode.
 * - close: forgets the session; the reply says CLOSED at the last offset.
 * - repeat: loops inside [start, end); a missing start is 0, a missing end the file's duration;
 *   both missing turns repeat off. A cursor outside the range jumps to `start`.
 * - end of file without repeat: playback PAUSES at the duration.
 */
import type { SimRecording } from './recordings';

export type SimMode = 'PLAYBACK_PLAYING' | 'PLAYBACK_PAUSED' | 'PLAYBACK_CLOSED';

export interface SessionSnapshot {
  path: string;
  mode: SimMode;
  offsetUs: number;
  repeat?: { startUs: number; endUs: number };
}

export type SimErrorKind = 'notFound' | 'notOpen' | 'alreadyOpen' | 'badOffset' | 'unknownSignal';

export class SimError extends Error {
  constructor(
    readonly kind: SimErrorKind,
    message: string,
  ) {
    super(message);
  }
}

interface Session {
  recording: SimRecording;
  mode: 'PLAYBACK_PLAYING' | 'PLAYBACK_PAUSED';
  /** Offset at `baseMs`; while playing the offset grows from there. */
  baseUs: number;
  baseMs: number;
  repeat?: { startUs: number; endUs: number };
}

export class SessionTable {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly recordings: ReadonlyMap<string, SimRecording>,
    private readonly now: () => number,
    private readonly speed: number,
  ) {}

  open(path: string, force: boolean): SessionSnapshot {
    const recording = this.recordings.get(path);
    if (!recording) throw new SimError('notFound', `no recording session file at "${path}"`);
    if (this.sessions.has(path) && !force)
      throw new SimError(
        'alreadyOpen',
        `recording session "${path}" is already open; close it first or open it with force`,
      );
    this.sessions.set(path, { recording, mode: 'PLAYBACK_PAUSED', baseUs: 0, baseMs: this.now() });
    return this.snapshotOf(path);
  }

  play(path: string, offsetUs: number | undefined): SessionSnapshot {
    const session = this.get(path);
    this.settle(path, session);
    let start = offsetUs === undefined ? session.baseUs : this.checkOffset(session, offsetUs);
    if (offsetUs === undefined && !session.repeat && start >= session.recording.durationUs) start = 0;
    this.rebase(session, 'PLAYBACK_PLAYING', start);
    return this.snapshotOf(path);
  }

  pause(path: string, offsetUs: number | undefined): SessionSnapshot {
    const session = this.get(path);
    this.settle(path, session);
    const at = offsetUs === undefined ? session.baseUs : this.checkOffset(session, offsetUs);
    this.rebase(session, 'PLAYBACK_PAUSED', at);
    return this.snapshotOf(path);
  }

  seek(path: string, offsetUs: number): SessionSnapshot {
    const session = this.get(path);
    this.settle(path, session);
    this.rebase(session, session.mode, this.checkOffset(session, offsetUs));
    return this.snapshotOf(path);
  }

  close(path: string): SessionSnapshot {
    const session = this.get(path);
    this.settle(path, session);
    this.sessions.delete(path);
    return { path, mode: 'PLAYBACK_CLOSED', offsetUs: session.baseUs };
  }

  repeat(path: string, startUs: number | undefined, endUs: number | undefined): SessionSnapshot {
    const session = this.get(path);
    this.settle(path, session);
    if (startUs === undefined && endUs === undefined) {
      session.repeat = undefined;
      return this.snapshotOf(path);
    }
    const duration = session.recording.durationUs;
    const start = startUs ?? 0;
    const end = endUs ?? duration;
    if (end > duration)
      throw new SimError('badOffset', `repeat end ${end} µs is past the end of "${path}" (${duration} µs)`);
    if (start >= end)
      throw new SimError('badOffset', `repeat start ${start} µs must be before its end ${end} µs`);
    session.repeat = { startUs: start, endUs: end };
    if (session.baseUs < start || session.baseUs >= end) this.rebase(session, session.mode, start);
    return this.snapshotOf(path);
  }

  /**
   * Moves every playing clock forward. Returns true when a session changed on its own (reached the
   * end of the file and paused), so the status stream can push at once.
   */
  advance(): boolean {
    let changed = false;
    for (const [path, session] of this.sessions) changed = this.settle(path, session) || changed;
    return changed;
  }

  snapshot(): SessionSnapshot[] {
    return [...this.sessions.keys()].map((path) => this.snapshotOf(path));
  }

  /** Playing sessions with their current offset, for signal generation. */
  playing(): Array<{ recording: SimRecording; offsetUs: number }> {
    const out: Array<{ recording: SimRecording; offsetUs: number }> = [];
    for (const session of this.sessions.values())
      if (session.mode === 'PLAYBACK_PLAYING')
        out.push({ recording: session.recording, offsetUs: session.baseUs });
    return out;
  }

  anyPlaying(): boolean {
    return [...this.sessions.values()].some((s) => s.mode === 'PLAYBACK_PLAYING');
  }

  private snapshotOf(path: string): SessionSnapshot {
    const session = this.get(path);
    this.settle(path, session);
    const snap: SessionSnapshot = { path, mode: session.mode, offsetUs: session.baseUs };
    if (session.repeat) snap.repeat = { ...session.repeat };
    return snap;
  }

  private get(path: string): Session {
    const session = this.sessions.get(path);
    if (!session) {
      const what = this.recordings.has(path) ? 'is not open' : 'does not exist';
      throw new SimError(
        this.recordings.has(path) ? 'notOpen' : 'notFound',
        `recording session "${path}" ${what}${this.recordings.has(path) ? '; open it first' : ''}`,
      );
    }
    return session;
  }

  private checkOffset(session: Session, offsetUs: number): number {
    const duration = session.recording.durationUs;
    if (offsetUs > duration)
      throw new SimError(
        'badOffset',
        `offset ${offsetUs} µs is past the end of "${session.recording.path}" (${duration} µs)`,
      );
    return offsetUs;
  }

  private rebase(session: Session, mode: Session['mode'], offsetUs: number): void {
    session.mode = mode;
    session.baseUs = offsetUs;
    session.baseMs = this.now();
  }

  /** Brings a playing session's offset up to now; true when it paused at the end of the file. */
  private settle(_path: string, session: Session): boolean {
    if (session.mode !== 'PLAYBACK_PLAYING') return false;
    const now = this.now();
    let offset = session.baseUs + Math.round((now - session.baseMs) * 1000 * this.speed);
    const repeat = session.repeat;
    if (repeat && offset >= repeat.endUs) {
      offset = repeat.startUs + ((offset - repeat.startUs) % (repeat.endUs - repeat.startUs));
    } else if (!repeat && offset >= session.recording.durationUs) {
      this.rebase(session, 'PLAYBACK_PAUSED', session.recording.durationUs);
      return true;
    }
    session.baseUs = offset;
    session.baseMs = now;
    return false;
  }
}
