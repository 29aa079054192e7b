/**
 * The playback status stream lists every open session in every message. This turns each list into
 * one message per session that changed (mode, offset or repeat range), plus a `closed` message for
 * a session that disappeared. Pure: the node feeds it lists and sends what comes out.
 */
import { formatOffset, type PlaybackStatus } from '../../src/backends/remotive';

export interface SessionUpdate {
  path: string;
  mode: PlaybackStatus['mode'];
  offsetUs: number;
  /** The offset as `m:ss.s`, for dashboards. */
  position: string;
  /** offset / length, 0…1, when the recording length is known (node setting). */
  progress?: number;
  repeat?: { startUs: number; endUs: number };
}

function key(s: PlaybackStatus): string {
  return `${s.mode}|${s.offsetUs}|${s.repeat ? `${s.repeat.startUs}-${s.repeat.endUs}` : ''}`;
}

export class StatusChanges {
  private readonly last = new Map<string, PlaybackStatus>();

  constructor(
    /** Only this session, when set. */
    private readonly path: string | undefined,
    /** Recording length in µs, for progress. */
    private readonly lengthUs: number | undefined,
  ) {}

  /** Sessions known to be open right now. */
  get open(): PlaybackStatus[] {
    return [...this.last.values()];
  }

  /** The updates a new status list brings. */
  next(items: PlaybackStatus[]): SessionUpdate[] {
    const out: SessionUpdate[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      if (this.path !== undefined && item.path !== this.path) continue;
      seen.add(item.path);
      const before = this.last.get(item.path);
      this.last.set(item.path, item);
      if (!before || key(before) !== key(item)) out.push(this.update(item));
    }
    for (const [path, before] of this.last) {
      if (seen.has(path)) continue;
      this.last.delete(path);
      out.push(this.update({ path, mode: 'closed', offsetUs: before.offsetUs }));
    }
    return out;
  }

  private update(s: PlaybackStatus): SessionUpdate {
    const update: SessionUpdate = {
      path: s.path,
      mode: s.mode,
      offsetUs: s.offsetUs,
      position: formatOffset(s.offsetUs),
    };
    if (this.lengthUs) update.progress = Math.min(1, Math.max(0, s.offsetUs / this.lengthUs));
    if (s.repeat) update.repeat = { ...s.repeat };
    return update;
  }
}
