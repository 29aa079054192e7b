/**
 * The "list" output of aivero-watch: the latest state of every session the watch has reported,
 * newest change first, as one array a table widget (Dashboard 2's ui-table) shows as it comes.
 * Pure: the node feeds it changes and removals and sends what it returns.
 */
import type { SessionRemoved, StateChange } from '../../src/backends/aivero';

/** Most sessions one list holds: the oldest changes drop out first. */
export const MAX_LISTED = 100;

export interface ListedSession {
  id: string;
  name: string;
  state: string;
  /** `''` for the first state seen. */
  previous: string;
  /** When the change was seen: `YYYY-MM-DD HH:MM:SS` (UTC). */
  at: string;
}

export class SessionList {
  private readonly sessions = new Map<string, ListedSession>();

  /** The list after a change. */
  change(c: StateChange): ListedSession[] {
    // Re-inserted, so the map's order is the order of the changes (newest last).
    this.sessions.delete(c.id);
    this.sessions.set(c.id, {
      id: c.id,
      name: c.name,
      state: c.state,
      previous: c.previous ?? '',
      at: c.at.replace('T', ' ').slice(0, 19),
    });
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= MAX_LISTED) break;
      this.sessions.delete(id);
    }
    return this.list();
  }

  /** The list after a session was deleted. */
  remove(gone: SessionRemoved): ListedSession[] {
    this.sessions.delete(gone.id);
    return this.list();
  }

  private list(): ListedSession[] {
    return [...this.sessions.values()].reverse().map((s) => ({ ...s }));
  }
}
