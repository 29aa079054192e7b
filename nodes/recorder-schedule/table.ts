/**
 * The schedules of one recorder-schedule node on ONE scheduler (one timer, whatever the count):
 * static schedules from the editor, dynamic ones added by message, their paused state, and the
 * anchors of the relative ("while recording") schedules: a `start` message, or the firing of another
 * schedule of the node (then the relative schedule runs for its run time, or until the anchor fires
 * again or a `stop` arrives). No Node-RED imports: the node feeds it commands and persists `snapshot()`.
 */
import { InputError } from '../../src/common/errors';
import { anchorFieldProblem, checkAnchors, MESSAGE_ANCHOR } from './anchors';
import {
  CronSchedule,
  describe,
  durationWords,
  Scheduler,
  type Clock,
  type DstPolicy,
  type MissedPolicy,
  type ScheduleEntry,
} from '../../src/schedule';

export interface ScheduleDefinition {
  readonly name: string;
  readonly expression: string;
  /** IANA zone; '' = the runtime's zone. Ignored for relative schedules. */
  readonly timeZone: string;
  /** Counted from the last firing of its anchor, armed only between that firing and `stop` (or its run time). */
  readonly relative: boolean;
  /** Relative schedules: '' or absent = the `start` message; else the name of another schedule of the node. */
  readonly anchor?: string;
  /** Relative schedules: seconds after the anchor's firing when it stops firing; 0 or absent = until stopped. */
  readonly runFor?: number;
  readonly topic: string;
  readonly payload: unknown;
  /** Editor schedules: the typed-input type of `payload`, evaluated at each firing (str, num, json, date, env…). */
  readonly payloadType?: string;
  /** Added by message (persisted) rather than configured in the editor. */
  readonly dynamic: boolean;
}

/** What a firing hands to the node. */
export interface Firing {
  readonly definition: ScheduleDefinition;
  readonly scheduledAt: number;
  readonly firedAt: number;
  readonly count: number;
  readonly nextAt: number | null;
  readonly triggered: boolean;
  /** The one late firing for a run missed while Node-RED was not running (`fireOnceLate`). */
  readonly catchUp: boolean;
}

export interface ScheduleInfo {
  name: string;
  expression: string;
  timeZone: string;
  relative: boolean;
  /** '' = the `start` message (relative ones), else the anchor schedule's name. */
  anchor: string;
  /** Seconds; 0 = until stopped. */
  runFor: number;
  topic: string;
  payload: unknown;
  dynamic: boolean;
  paused: boolean;
  /** Present in the scheduler: absolute ones always, relative ones between start and stop. */
  armed: boolean;
  next: string | null;
  count: number;
  lastFired: string | null;
  description: string;
}

type SavedDefinition = Omit<ScheduleDefinition, 'dynamic' | 'payloadType'>;

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
  dynamic: SavedDefinition[];
  paused: string[];
  /** Every schedule defined when saved; only these are checked for firings missed while down. */
  known: string[];
  runs: SavedRun[];
}

export interface ScheduleTableOptions {
  readonly onFire: (firing: Firing) => void;
  /** Something persisted changed (a schedule, a paused state, the relative anchor). */
  readonly onChange?: () => void;
  /** A schedule fired (its count and last firing changed; persisted less eagerly than onChange). */
  readonly onFired?: () => void;
  readonly clock?: Clock;
  readonly dst?: DstPolicy;
  readonly missed?: MissedPolicy;
  readonly onError?: (error: unknown) => void;
}

const NAME = /^[^\s].{0,99}$/;

export class ScheduleTable {
  private readonly scheduler: Scheduler<ScheduleDefinition>;
  private readonly definitions = new Map<string, ScheduleDefinition>();
  /** Names that relative schedules are anchored to (built on demand, dropped on any change). */
  private anchorNames: Set<string> | undefined;
  private readonly paused = new Set<string>();
  private readonly counts = new Map<string, Run>();
  /** Late firings owed after a restart (see restore), sent by catchUp() once the table runs. */
  private owed: { name: string; scheduledAt: number }[] = [];
  private readonly missed: MissedPolicy;
  private readonly clock: Clock | undefined;
  private readonly dst: DstPolicy;
  /** Start instant per anchor: MESSAGE_ANCHOR for `start`, else the anchor schedule's name. */
  private readonly starts = new Map<string, number>();

  constructor(private readonly options: ScheduleTableOptions) {
    this.clock = options.clock;
    this.dst = options.dst ?? 'auto';
    this.missed = options.missed ?? 'skip';
    this.scheduler = new Scheduler<ScheduleDefinition>({
      clock: options.clock,
      missed: options.missed ?? 'skip',
      onFire: (entry, scheduledAt, firedAt) => this.timerFired(entry, scheduledAt, firedAt),
      onError: (error) => options.onError?.(error),
    });
  }

  get size(): number {
    return this.definitions.size;
  }

  /** Epoch ms of the last `start`, or null when message-anchored relative schedules are stopped. */
  get relativeStart(): number | null {
    return this.starts.get(MESSAGE_ANCHOR) ?? null;
  }

  /** Epoch ms of the anchor schedule's firing that started the schedules anchored to it, or null. */
  anchorStart(name: string): number | null {
    return this.starts.get(name) ?? null;
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): void {
    this.scheduler.clear();
  }

  /** Adds a schedule; the expression and zone are checked first (InputError naming the field). */
  add(definition: ScheduleDefinition): void {
    checkDefinition(definition, this.dst, this.now());
    if (this.definitions.has(definition.name))
      throw new InputError(`a schedule named "${definition.name}" already exists`);
    // Editor schedules are checked as a whole list by the node (an anchor may be a later row).
    if (definition.dynamic) this.checkAnchorsWith(definition);
    this.definitions.set(definition.name, definition);
    this.anchorNames = undefined;
    this.arm(definition);
    if (definition.dynamic) this.changed();
  }

  /** Replaces a dynamic schedule (keeps its paused state and count). Static ones belong to the editor. */
  update(definition: ScheduleDefinition): void {
    const old = this.require(definition.name);
    if (!old.dynamic)
      throw new InputError(`schedule "${old.name}" is set in the editor and cannot be changed`);
    checkDefinition(definition, this.dst, this.now());
    this.checkAnchorsWith(definition);
    this.scheduler.remove(old.name);
    this.definitions.set(definition.name, definition);
    this.anchorNames = undefined;
    this.arm(definition);
    this.changed();
  }

  remove(name: string): void {
    const old = this.require(name);
    if (!old.dynamic) throw new InputError(`schedule "${name}" is set in the editor and cannot be removed`);
    const dependent = [...this.definitions.values()].find((d) => d.anchor === name);
    if (dependent)
      throw new InputError(`schedule "${name}" is the anchor of "${dependent.name}"; remove that first`);
    this.definitions.delete(name);
    this.anchorNames = undefined;
    this.starts.delete(name);
    this.paused.delete(name);
    this.counts.delete(name);
    this.scheduler.remove(name);
    this.changed();
  }

  /** Removes every dynamic schedule; returns their names. */
  removeDynamic(): string[] {
    const names = [...this.definitions.values()].filter((d) => d.dynamic).map((d) => d.name);
    for (const name of names) {
      this.definitions.delete(name);
      this.anchorNames = undefined;
      this.starts.delete(name);
      this.paused.delete(name);
      this.counts.delete(name);
      this.scheduler.remove(name);
    }
    if (names.length) this.changed();
    return names;
  }

  /** Pauses one schedule, or all when `name` is undefined; returns the names paused. */
  pause(name?: string): string[] {
    const names = this.select(name);
    for (const n of names) {
      this.paused.add(n);
      this.scheduler.pause(n);
    }
    if (names.length) this.changed();
    return names;
  }

  /** Resumes from now (firings that fell into the pause are not replayed). */
  resume(name?: string): string[] {
    const names = this.select(name);
    for (const n of names) {
      this.paused.delete(n);
      this.scheduler.resume(n);
    }
    if (names.length) this.changed();
    return names;
  }

  /** Fires a schedule now, outside its timetable (also when paused or not armed). */
  trigger(name: string): Firing {
    const definition = this.require(name);
    const now = this.now();
    return this.emit(definition, now, now, this.scheduler.get(name)?.nextAt ?? null, 'trigger');
  }

  /** Anchors the message-anchored relative schedules at `at` (default now), restarting them if running. */
  startRelative(at = this.now()): void {
    if (!Number.isFinite(at)) throw new InputError('the start time must be a finite instant (epoch ms)');
    this.startAnchored(MESSAGE_ANCHOR, at);
    this.changed();
  }

  /** Disarms every relative schedule, whatever its anchor (they stay defined). */
  stopRelative(): void {
    this.starts.clear();
    for (const definition of this.definitions.values())
      if (definition.relative) this.scheduler.remove(definition.name);
    this.changed();
  }

  has(name: string): boolean {
    return this.definitions.has(name);
  }

  info(name: string): ScheduleInfo {
    const definition = this.require(name);
    const entry = this.scheduler.get(name);
    const counts = this.counts.get(name);
    return {
      name,
      expression: definition.expression,
      timeZone: definition.relative ? 'relative' : definition.timeZone || (entry?.timeZone ?? ''),
      relative: definition.relative,
      anchor: definition.anchor ?? MESSAGE_ANCHOR,
      runFor: definition.runFor ?? 0,
      topic: definition.topic,
      payload: definition.payloadType === 'date' ? 'timestamp' : definition.payload,
      dynamic: definition.dynamic,
      paused: this.paused.has(name),
      armed: entry !== undefined,
      next: entry?.nextAt != null ? new Date(entry.nextAt).toISOString() : null,
      count: counts?.count ?? 0,
      lastFired: counts?.last != null ? new Date(counts.last).toISOString() : null,
      description: describeAnchored(definition),
    };
  }

  list(): ScheduleInfo[] {
    return [...this.definitions.keys()].map((name) => this.info(name));
  }

  /** The next `n` firings of a schedule from now (relative ones need their anchor to fire, else []). */
  next(name: string, n: number): number[] {
    const end = this.endOf(this.require(name));
    return this.scheduler.get(name) ? this.scheduler.nextFirings(name, n).filter((at) => at < end) : [];
  }

  /** The schedule that fires next, for the status line. */
  earliest(): ScheduleEntry<ScheduleDefinition> | undefined {
    return this.scheduler.earliest();
  }

  get pausedCount(): number {
    return this.paused.size;
  }

  /** Everything a restart needs, stamped with the time it is taken. */
  snapshot(): PersistedSchedules {
    const dynamic = [...this.definitions.values()]
      .filter((d) => d.dynamic)
      .map((d) => ({
        name: d.name,
        expression: d.expression,
        timeZone: d.timeZone,
        relative: d.relative,
        ...(d.anchor ? { anchor: d.anchor } : {}),
        ...(d.runFor ? { runFor: d.runFor } : {}),
        topic: d.topic,
        payload: d.payload,
      }));
    const runs: SavedRun[] = [...this.counts].map(([name, r]) => [name, r.count, r.last, r.lastScheduled]);
    return {
      version: 2,
      savedAt: this.now(),
      anchor: this.relativeStart,
      anchors: [...this.starts].filter(([name]) => name !== MESSAGE_ANCHOR),
      dynamic,
      paused: [...this.paused],
      known: [...this.definitions.keys()],
      runs,
    };
  }

  /**
   * Brings back a persisted state (call before start()): dynamic schedules, paused names, the
   * relative anchor, firing counts, and — with `fireOnceLate` — one late firing for each schedule
   * that was due while Node-RED was not running (sent by catchUp()). A dynamic schedule that now
   * clashes with an editor schedule, or whose expression no longer parses, is dropped and reported.
   */
  restore(state: unknown): string[] {
    const problems: string[] = [];
    const saved = readPersisted(state);
    if (!saved) return state === undefined ? [] : ['the saved schedules were not readable'];
    if (saved.anchor !== null) this.starts.set(MESSAGE_ANCHOR, saved.anchor);
    for (const definition of saved.dynamic) {
      try {
        if (!this.definitions.has(definition.name)) this.addQuietly({ ...definition, dynamic: true });
      } catch (err) {
        problems.push(`${definition.name}: ${(err as Error).message}`);
      }
    }
    for (const name of saved.paused) {
      if (!this.definitions.has(name)) continue;
      this.paused.add(name);
      this.scheduler.pause(name);
    }
    for (const [name, start] of saved.anchors) if (this.definitions.has(name)) this.starts.set(name, start);
    // Static relative schedules were defined before their anchors' starts came back.
    for (const definition of this.definitions.values())
      if (definition.relative && !this.scheduler.get(definition.name)) this.arm(definition);
    for (const [name, count, last, lastScheduled] of saved.runs) {
      if (this.definitions.has(name)) this.counts.set(name, { count, last, lastScheduled });
    }
    if (this.missed === 'fireOnceLate' && saved.savedAt !== null) this.oweMissed(saved);
    return problems;
  }

  /** Sends the late firings owed since the restart (once; call after start()). */
  catchUp(): void {
    const owed = this.owed;
    this.owed = [];
    const now = this.now();
    for (const { name, scheduledAt } of owed) {
      const definition = this.definitions.get(name);
      if (!definition || this.paused.has(name)) continue;
      this.emit(definition, scheduledAt, now, this.scheduler.get(name)?.nextAt ?? null, 'catchUp');
    }
  }

  /**
   * A schedule known when the state was saved is owed one firing if its first firing after both the
   * save and its last scheduled firing lies more than the late tolerance before now: nothing fired
   * it in between, or that firing would have been saved.
   */
  private oweMissed(saved: ReadState): void {
    const now = this.now();
    const last = new Map(saved.runs.map(([name, , , lastScheduled]) => [name, lastScheduled]));
    for (const name of saved.known) {
      if (!this.scheduler.get(name) || this.paused.has(name)) continue;
      const from = Math.max(saved.savedAt ?? 0, last.get(name) ?? -Infinity);
      const first = this.scheduler.firingAfter(name, from);
      if (first !== null && first < now - this.scheduler.lateToleranceMs)
        this.owed.push({ name, scheduledAt: first });
    }
  }

  private addQuietly(definition: ScheduleDefinition): void {
    checkDefinition(definition, this.dst, this.now());
    this.checkAnchorsWith(definition);
    this.definitions.set(definition.name, definition);
    this.anchorNames = undefined;
    this.arm(definition);
  }

  /** The anchors of all definitions with `candidate` added or replacing its namesake are sound. */
  private checkAnchorsWith(candidate: ScheduleDefinition): void {
    const trial = new Map(this.definitions);
    trial.set(candidate.name, candidate);
    checkAnchors(trial);
  }

  /** Restarts (or starts) every relative schedule anchored to `anchor`, counting from `at`. */
  private startAnchored(anchor: string, at: number): void {
    this.starts.set(anchor, at);
    for (const definition of this.definitions.values())
      if (definition.relative && (definition.anchor ?? MESSAGE_ANCHOR) === anchor) this.arm(definition);
  }

  /** First instant a relative schedule no longer fires (its anchor's start + run time). */
  private endOf(definition: ScheduleDefinition): number {
    if (!definition.relative || !definition.runFor) return Infinity;
    const start = this.starts.get(definition.anchor ?? MESSAGE_ANCHOR);
    return start === undefined ? Infinity : start + definition.runFor * 1000;
  }

  /**
   * A timer firing. A relative schedule whose run time is over is disarmed instead (it gets here only
   * after a resume or a clock jump; otherwise it is disarmed at its last firing inside the run).
   */
  private timerFired(entry: ScheduleEntry<ScheduleDefinition>, scheduledAt: number, firedAt: number): void {
    const definition = entry.payload;
    const end = this.endOf(definition);
    if (scheduledAt >= end) {
      this.scheduler.remove(definition.name);
      return;
    }
    let nextAt = entry.nextAt;
    if (nextAt !== null && nextAt >= end) {
      nextAt = null;
      this.scheduler.remove(definition.name);
    }
    this.emit(definition, scheduledAt, firedAt, nextAt, 'timer');
  }

  private arm(definition: ScheduleDefinition): void {
    this.scheduler.remove(definition.name);
    const start = definition.relative ? this.starts.get(definition.anchor ?? MESSAGE_ANCHOR) : undefined;
    if (definition.relative && start === undefined) return;
    const entry = this.scheduler.add(definition.name, definition.expression, {
      payload: definition,
      dst: this.dst,
      ...(definition.relative
        ? { relativeTo: start }
        : definition.timeZone
          ? { timeZone: definition.timeZone }
          : {}),
    });
    // A run that is already over (restored after its end): nothing left to fire.
    if (definition.relative && (entry.nextAt === null || entry.nextAt >= this.endOf(definition))) {
      this.scheduler.remove(definition.name);
      return;
    }
    if (this.paused.has(definition.name)) this.scheduler.pause(definition.name);
  }

  private emit(
    definition: ScheduleDefinition,
    scheduledAt: number,
    firedAt: number,
    nextAt: number | null,
    cause: 'timer' | 'trigger' | 'catchUp',
  ): Firing {
    let run = this.counts.get(definition.name);
    if (!run) this.counts.set(definition.name, (run = { count: 0, last: null, lastScheduled: null }));
    run.count++;
    run.last = firedAt;
    // A manual trigger is outside the timetable: it does not move the missed-firing reference.
    if (cause !== 'trigger') run.lastScheduled = scheduledAt;
    const firing = {
      definition,
      scheduledAt,
      firedAt,
      count: run.count,
      nextAt,
      triggered: cause === 'trigger',
      catchUp: cause === 'catchUp',
    };
    this.options.onFire(firing);
    // The anchor's own message goes first; then the schedules anchored to it start from this firing.
    if (this.isAnchor(definition.name)) {
      this.startAnchored(definition.name, scheduledAt);
      this.changed();
    }
    this.options.onFired?.();
    return firing;
  }

  /** Whether a relative schedule is anchored to `name`; an index, since every firing asks. */
  private isAnchor(name: string): boolean {
    if (!this.anchorNames) {
      this.anchorNames = new Set();
      for (const d of this.definitions.values()) if (d.relative && d.anchor) this.anchorNames.add(d.anchor);
    }
    return this.anchorNames.has(name);
  }

  private select(name: string | undefined): string[] {
    if (name === undefined) return [...this.definitions.keys()];
    this.require(name);
    return [name];
  }

  private require(name: string): ScheduleDefinition {
    const definition = this.definitions.get(name);
    if (!definition) throw new InputError(`no schedule named "${name}"`);
    return definition;
  }

  private now(): number {
    return this.clock ? this.clock.now() : Date.now();
  }

  private changed(): void {
    this.options.onChange?.();
  }
}

/**
 * Parses the expression with the zone it will run in and searches its next firing once (bounded),
 * so errors name the field, or the search limit, before anything is changed or armed.
 */
export function checkDefinition(definition: ScheduleDefinition, dst: DstPolicy, now = Date.now()): void {
  if (typeof definition.name !== 'string' || !NAME.test(definition.name))
    throw new InputError('a schedule needs a name (1–100 characters, not starting with a space)');
  if (typeof definition.expression !== 'string' || definition.expression.trim() === '')
    throw new InputError(`schedule "${definition.name}" needs an expression`);
  const anchorProblem = anchorFieldProblem(definition);
  if (anchorProblem) throw new InputError(anchorProblem);
  new CronSchedule(definition.expression, {
    dst,
    ...(definition.relative
      ? { relativeTo: now }
      : definition.timeZone
        ? { timeZone: definition.timeZone }
        : {}),
  }).next(now);
}

/** The expression in words, and for relative ones what their "start" is and how long they run. */
function describeAnchored(definition: ScheduleDefinition): string {
  const words = describe(definition.expression, { relative: definition.relative });
  if (!definition.relative || (!definition.anchor && !definition.runFor)) return words;
  const start = definition.anchor ? `each firing of "${definition.anchor}"` : 'the start message';
  const run = definition.runFor ? `, for ${durationWords(definition.runFor * 1000)}` : '';
  return `${words} (start = ${start}${run})`;
}

interface Run {
  count: number;
  last: number | null;
  lastScheduled: number | null;
}

interface ReadState {
  savedAt: number | null;
  anchor: number | null;
  anchors: [string, number][];
  dynamic: SavedDefinition[];
  paused: string[];
  known: string[];
  runs: SavedRun[];
}

const isInstant = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isName = (v: unknown): v is string => typeof v === 'string';

/** A saved state of either version, checked field by field (a store may hold anything). */
function readPersisted(value: unknown): ReadState | null {
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
