/**
 * UTC offsets and DST transitions of an IANA time zone, from Intl (no tz database of our own).
 * Transitions are found once per zone and year by probing the offset every 7 days and bisecting to
 * the second, then cached; so a zone changing its offset and back within one week would be missed
 * (no zone does).
 */
import { InputError } from '../common/errors';
import { DAY, SECOND } from './wall-search';

export interface Transition {
  /** First instant (epoch ms) with the new offset. */
  readonly at: number;
  /** Offsets in ms (wall − UTC) before and after. */
  readonly before: number;
  readonly after: number;
}

interface YearData {
  readonly offsetAtStart: number;
  readonly transitions: readonly Transition[];
}

/**
 * Offsets are probed weekly and changes bisected to the second (53 + ~40 Intl calls per zone and
 * year instead of 365 + ~40): identical transitions to daily probing for every zone Intl knows
 * over 1970–2040. A change reverted within a week would be missed; no zone has one.
 */
const PROBE_STEP = 7 * DAY;

/** Farther than any UTC offset (±18 h), so a window of this size around a wall time holds all its instants. */
const WINDOW = 20 * 3_600_000;

const FIXED_UTC = new Set(['UTC', 'ETC/UTC', 'GMT', 'ETC/GMT', 'Z', 'ETC/UCT', 'UCT', 'ETC/ZULU', 'ZULU']);

export class Zone {
  readonly name: string;
  private readonly format: Intl.DateTimeFormat | null;
  private readonly years = new Map<number, YearData>();

  private constructor(name: string) {
    this.name = name;
    if (FIXED_UTC.has(name.toUpperCase())) {
      this.format = null;
      return;
    }
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new InputError(`unknown time zone "${name}"`);
    }
  }

  private static readonly zones = new Map<string, Zone>();

  /** Shared per name, so the transition cache is built once per zone. Throws InputError for unknown zones. */
  static get(name: string): Zone {
    let zone = Zone.zones.get(name);
    if (!zone) {
      zone = new Zone(name);
      Zone.zones.set(name, zone);
    }
    return zone;
  }

  private static local: string | null = null;

  /**
   * The runtime's own zone, as Intl reports it when first asked. Building a DateTimeFormat costs
   * ~40 µs, which was most of the start-up of 10,000 schedules: looked up once per process.
   */
  static localName(): string {
    Zone.local ??= new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    return Zone.local;
  }

  /**
   * The instants (ascending) whose wall time in this zone is `wall` (naive ms): one normally, two in
   * a repeated hour, none in a skipped one; then `gapEnd` is the first instant after the gap.
   */
  instantsAt(wall: number): { instants: number[]; gapEnd: number | null } {
    if (!this.format) return { instants: [wall], gapEnd: null };
    // Offsets are within ±18 h, so every instant with this wall time lies in wall ± 18 h.
    const from = wall - WINDOW;
    const offsets = [this.offsetAt(from)];
    let gapEnd: number | null = null;
    for (let t = this.nextTransition(from, wall + WINDOW); t; t = this.nextTransition(t.at, wall + WINDOW)) {
      offsets.push(t.after);
      if (t.after > t.before && wall >= t.at + t.before && wall < t.at + t.after) gapEnd = t.at;
    }
    const instants = [...new Set(offsets)]
      .map((o) => wall - o)
      .filter((i) => this.offsetAt(i) === wall - i)
      .sort((a, b) => a - b);
    return { instants, gapEnd: instants.length > 0 ? null : gapEnd };
  }

  /** Wall-clock fields of an instant, as naive ms (Date.UTC of the wall fields), at second resolution. */
  wallOf(instant: number): number {
    return Math.floor(instant / SECOND) * SECOND + this.offsetAt(instant);
  }

  offsetAt(instant: number): number {
    if (!this.format) return 0;
    const data = this.yearData(new Date(instant).getUTCFullYear());
    let offset = data.offsetAtStart;
    for (const t of data.transitions) {
      if (t.at <= instant) offset = t.after;
      else break;
    }
    return offset;
  }

  /** Last transition at or before `instant` (looking back at most one year), or null. */
  previousTransition(instant: number): Transition | null {
    if (!this.format) return null;
    const year = new Date(instant).getUTCFullYear();
    for (const y of [year, year - 1]) {
      const list = this.yearData(y).transitions;
      for (let i = list.length - 1; i >= 0; i--) {
        const t = list[i];
        if (t.at <= instant) return t;
      }
    }
    return null;
  }

  /** First transition with after < at ≤ until, or null. */
  nextTransition(after: number, until: number): Transition | null {
    if (!this.format || until <= after) return null;
    const lastYear = new Date(until).getUTCFullYear();
    for (let y = new Date(after).getUTCFullYear(); y <= lastYear; y++) {
      for (const t of this.yearData(y).transitions) {
        if (t.at > until) return null;
        if (t.at > after) return t;
      }
    }
    return null;
  }

  private rawOffset(instant: number): number {
    const format = this.format as Intl.DateTimeFormat;
    const parts = format.formatToParts(new Date(instant));
    const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const wall = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    return wall - Math.floor(instant / SECOND) * SECOND;
  }

  /** Transitions with yearStart < at ≤ nextYearStart, found by daily probes and bisection. */
  private yearData(year: number): YearData {
    const cached = this.years.get(year);
    if (cached) return cached;
    const start = Date.UTC(year, 0, 1);
    const end = Date.UTC(year + 1, 0, 1);
    const offsetAtStart = this.rawOffset(start);
    const transitions: Transition[] = [];
    let prevT = start;
    let prevOffset = offsetAtStart;
    for (let t = start + PROBE_STEP; prevT < end; t = Math.min(t + PROBE_STEP, end)) {
      const offset = this.rawOffset(t);
      if (offset !== prevOffset) {
        transitions.push({ at: this.bisect(prevT, t, prevOffset), before: prevOffset, after: offset });
        prevOffset = offset;
      }
      prevT = t;
    }
    const data = { offsetAtStart, transitions };
    this.years.set(year, data);
    return data;
  }

  /** First whole second in (lo, hi] whose offset differs from `before`. */
  private bisect(lo: number, hi: number, before: number): number {
    while (hi - lo > SECOND) {
      const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
      if (this.rawOffset(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}
