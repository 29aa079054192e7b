/**
 * The persisted form of a recorder-schedule node's state (what a restart needs), and reading it
 * back field by field: a context store may hand back anything. No Node-RED imports.
 */

/** A dynamic schedule as saved: its definition without the editor-only fields. */
export interface SavedDefinition {
  readonly name: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly relative: boolean;
  readonly anchor?: string;
  readonly runFor?: number;
  readonly topic: string;
  readonly payload: unknown;
}

/** [name, firing count, last fired (epoch ms), last scheduled firing (epoch ms)] */
export type SavedRun = [
  name: string,
  count: number,
  lastFiredAt: number | null,
  lastScheduledAt: number | null,
];

/** What survives a restart (persisted in the chosen context store). */
export interface PersistedSchedules {
  version: 2;
  /** When this state was written: a firing due after it was not sent (it would have been saved). */
  savedAt: number;
  /** Start of the message-anchored relative schedules, or null while they are stopped. */
  anchor: number | null;
  /** [anchor schedule, its firing that started the schedules anchored to it] for each running anchor. */
  anchors?: [name: string, start: number][];
  /** Every dynamic schedule, also those kept without running (a restore could not run them). */
  dynamic: SavedDefinition[];
  paused: string[];
  /** Every schedule defined when saved; only these are checked for firings missed while down. */
  known: string[];
  runs: SavedRun[];
}

export interface ReadState {
  savedAt: number | null;
  anchor: number | null;
  anchors: [string, number][];
  /** Only the name is checked here: each row is checked as a definition when it is restored. */
  dynamic: SavedDefinition[];
  paused: string[];
  known: string[];
  runs: SavedRun[];
}

const isInstant = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isName = (v: unknown): v is string => typeof v === 'string';

/** A saved state of either version, checked field by field, or null when it is not one. */
export function readPersisted(value: unknown): ReadState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const { version, dynamic, paused } = v;
  if (version !== 1 && version !== 2) return null;
  if (!Array.isArray(paused) || !paused.every(isName)) return null;
  if (!Array.isArray(dynamic)) return null;
  const definitions = dynamic.filter(
    (d): d is SavedDefinition => typeof d === 'object' && d !== null && isName((d as SavedDefinition).name),
  );
  if (definitions.length !== dynamic.length) return null;
  if (version === 1)
    return { savedAt: null, anchor: null, anchors: [], dynamic: definitions, paused, known: [], runs: [] };
  const runs = Array.isArray(v.runs)
    ? (v.runs as unknown[]).filter(
        (r): r is SavedRun =>
          Array.isArray(r) &&
          isName(r[0]) &&
          Number.isInteger(r[1]) &&
          (r[2] === null || isInstant(r[2])) &&
          (r[3] === null || isInstant(r[3])),
      )
    : [];
  return {
    savedAt: isInstant(v.savedAt) ? v.savedAt : null,
    anchor: isInstant(v.anchor) ? v.anchor : null,
    anchors: Array.isArray(v.anchors)
      ? (v.anchors as unknown[]).filter(
          (a): a is [string, number] => Array.isArray(a) && isName(a[0]) && isInstant(a[1]),
        )
      : [],
    dynamic: definitions,
    paused,
    known: Array.isArray(v.known) ? v.known.filter(isName) : [],
    runs,
  };
}

/** Per schedule, the scheduled time of the last firing a saved state says was sent (empty if unreadable). */
export function firedByInSaved(value: unknown): Map<string, number> {
  const fired = new Map<string, number>();
  for (const [name, , , lastScheduled] of readPersisted(value)?.runs ?? [])
    if (lastScheduled !== null) fired.set(name, lastScheduled);
  return fired;
}
