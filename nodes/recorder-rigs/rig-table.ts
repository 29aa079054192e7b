/**
 * What the coordinator knows about each rig: its retained status (`online` is the rig's MQTT birth,
 * `offline` its last will) and the retained state of each of its systems. Bounded: a broker full of
 * made-up rig names can not grow it without end.
 */
import { isPlainObject } from '../../src/common/input';

export interface RigRow {
  rig: string;
  /** true: online, false: offline, null: no status seen yet (only states). */
  online: boolean | null;
  /** When this coordinator learned the status (ISO), or null. */
  since: string | null;
  systems: Record<string, unknown>;
}

export const MAX_RIGS = 1000;
export const MAX_SYSTEMS = 64;
/** A system's state kept as it came, up to this size in JSON; larger ones are replaced by a note. */
const MAX_STATE_JSON = 8 * 1024;

export class RigTable {
  private readonly rows = new Map<string, RigRow>();

  get size(): number {
    return this.rows.size;
  }

  get(rig: string): RigRow | undefined {
    return this.rows.get(rig);
  }

  names(): string[] {
    return [...this.rows.keys()].sort();
  }

  list(): RigRow[] {
    return this.names().map((rig) => {
      const row = this.rows.get(rig) as RigRow;
      return { ...row, systems: { ...row.systems } };
    });
  }

  /** A status word; `''` (a cleared retained status) forgets the rig. Returns whether anything changed. */
  status(rig: string, word: string, now: Date): boolean {
    if (word === '') return this.rows.delete(rig);
    if (word !== 'online' && word !== 'offline') return false;
    const online = word === 'online';
    const row = this.row(rig);
    if (!row || row.online === online) return false;
    row.online = online;
    row.since = now.toISOString();
    return true;
  }

  /** A system's state (undefined: cleared). Returns whether anything changed. */
  state(rig: string, system: string, state: unknown): boolean {
    const row = this.rows.get(rig) ?? (state === undefined ? undefined : this.row(rig));
    if (!row) return false;
    if (state === undefined) {
      if (!(system in row.systems)) return false;
      delete row.systems[system];
      return true;
    }
    if (!(system in row.systems) && Object.keys(row.systems).length >= MAX_SYSTEMS) return false;
    const json = JSON.stringify(state);
    row.systems[system] =
      json.length > MAX_STATE_JSON ? { note: `state left out: ${json.length} characters` } : state;
    return true;
  }

  private row(rig: string): RigRow | undefined {
    let row = this.rows.get(rig);
    if (row) return row;
    if (this.rows.size >= MAX_RIGS) return undefined;
    row = { rig, online: null, since: null, systems: {} };
    this.rows.set(rig, row);
    return row;
  }
}

/** A retained state payload as kept: a JSON object, else undefined (an empty payload clears it). */
export function stateOf(json: unknown): unknown {
  return isPlainObject(json) ? json : undefined;
}
