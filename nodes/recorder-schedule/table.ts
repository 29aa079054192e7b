/**
 * The schedules of one recorder-schedule node on ONE scheduler (one timer, whatever the count):
 * static schedules from the editor, dynamic ones added by message, their paused state, and the
 * anchors of the relative ("while recording") schedules: a `start` message, or the firing of another
 * schedule of the node (then the relative schedule runs for its run time, or until the anchor fires
 * again or a `stop` arrives). No Node-RED imports: the node feeds it commands and persists `snapshot()`.
 *
 * Every operation on one schedule costs O(log n) in the number of schedules (the scheduler's heap)
 * plus the length of its anchor chain: adding n schedules is O(n log n). Restoring a saved state is
 * a generator (`restoring`) that yields after each schedule, so the node can spread it over slices.
 */
import { InputError } from '../../src/common/errors';
import { anchorProblemWith, MESSAGE_ANCHOR, unsoundAnchors } from './anchors';
import { checkDefinition, describeAnchored, type ScheduleDefinition } from './definition';
import {
  readPersisted,
  type PersistedSchedules,
  type ReadState,
  type SavedDefinition,
  type SavedRun,
} from './saved-state';
import {
  Scheduler,
  type Clock,
  type DstPolicy,
  type MissedPolicy,
  type ScheduleEntry,
} from '../../src/schedule';

export { checkDefinition, type ScheduleDefinition } from './definition';
export type { PersistedSchedules, SavedRun } from './saved-state';

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
  /** A saved schedule kept without running: why it could not be restored (fix with update, or remove). */
  problem?: string;
}

export interface ScheduleTableOptions {
  readonly onFire: (firing: Firing) => void;
  /** Something persisted changed (a schedule, a paused state, the relative anchor). */
  readonly onChange?: () => void;
  /** A schedule fired (its count and last firing changed; persisted less eagerly than onChange). */
  readonly onFired?: () => void;
  /** A firing fell due and was not sent (standby, or sent by another instance): the next one moved. */
  readonly onPassed?: () => void;
  readonly clock?: Clock;
  readonly dst?: DstPolicy;
  readonly missed?: MissedPolicy;
  readonly onError?: (error: unknown) => void;
}

/** What a restore reports: rows kept without running, and rows an editor schedule replaced. */
export interface RestoreReport {
  /** "<problem>" for each saved schedule kept but not running, and for an unreadable state. */
  problems: string[];
  /** Names of saved schedules now defined in the editor (the editor's definition runs). */
  replaced: string[];
}

interface Run {
  count: number;
  last: number | null;
  lastScheduled: number | null;
}

/** A saved dynamic schedule that could not be restored: kept as saved, saved again, not armed. */
interface Held {
  readonly row: SavedDefinition;
  readonly problem: string;
  readonly paused: boolean;
  readonly run: Run | undefined;
}

const iso = (at: number | null | undefined): string | null =>
  at == null ? null : new Date(at).toISOString();

export class ScheduleTable {
  private readonly scheduler: Scheduler<ScheduleDefinition>;
  private readonly definitions = new Map<string, ScheduleDefinition>();
  /** Anchor key ('' = the start message) → the relative schedules anchored to it, in definition order. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly held = new Map<string, Held>();
  private readonly paused = new Set<string>();
  private readonly counts = new Map<string, Run>();
  /** Late firings owed after a restore (fireOnceLate), sent by catchUp() once the scheduler runs. */
  private owed: { name: string; scheduledAt: number }[] = [];
  private readonly missed: MissedPolicy;
  private readonly clock: Clock | undefined;
  private readonly dst: DstPolicy;
  /** Start instant per anchor: MESSAGE_ANCHOR for `start`, else the anchor schedule's name. */
  private readonly starts = new Map<string, number>();
  /** When standby began (firings are computed, not sent), or null while active. */
  private standbySince: number | null = null;
  /** Takeover hints: firings scheduled at or before these were sent by another instance. */
  private firedElsewhere = -Infinity;
  /** When each schedule was last armed: nothing of it was due before (a takeover looks no further back). */
  private readonly armedAt = new Map<string, number>();
  private readonly firedElsewhereBy = new Map<string, number>();

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

  /** Schedules defined (running or not); saved ones kept without running are not counted. */
  get size(): number {
    return this.definitions.size;
  }

  /** Saved schedules kept without running (see `list()` for why). */
  get heldCount(): number {
    return this.held.size;
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

  /** True while firings are computed but not sent (another instance is the active one). */
  get standby(): boolean {
    return this.standbySince !== null;
  }

  /** Stops sending firings at once; the schedules keep running. False when already in standby. */
  enterStandby(): boolean {
    if (this.standbySince !== null) return false;
    this.standbySince = this.now();
    return true;
  }

  /**
   * Sends firings again. `lastFired` (every schedule) and `firedBy` (per schedule) are hints from the
   * instance that was active: a firing scheduled at or before them was sent there and is never sent
   * here, now or when its timer comes. With `fireOnceLate`, each schedule that fell due during the
   * standby and was not sent elsewhere fires once, late (msg.schedule.catchUp); with `skip`, nothing
   * of the past fires. Returns the late firings sent (none when already active).
   */
  takeOver(lastFired?: number, firedBy?: ReadonlyMap<string, number>): Firing[] {
    this.firedElsewhereUntil(lastFired, firedBy);
    const since = this.standbySince;
    if (since === null) return [];
    this.standbySince = null;
    if (this.missed !== 'fireOnceLate') return [];
    const now = this.now();
    const sent: Firing[] = [];
    for (const definition of [...this.definitions.values()]) {
      const name = definition.name;
      const entry = this.scheduler.get(name);
      if (!entry || this.paused.has(name)) continue;
      // Strictly after the last firing sent here or elsewhere, and after the standby began.
      const from = Math.max(
        since,
        this.armedAt.get(name) ?? since,
        this.sentThrough(name),
        this.counts.get(name)?.lastScheduled ?? -Infinity,
      );
      const first = this.scheduler.firingAfter(name, from);
      // One the timer has not reached yet is sent by the timer (never twice).
      if (first === null || first > now || (entry.nextAt !== null && first >= entry.nextAt)) continue;
      if (first >= this.endOf(definition)) continue;
      sent.push(this.emit(definition, first, now, entry.nextAt, 'catchUp'));
    }
    // What the other instance sent becomes this one's reference: its replies, saved state and a later
    // takeover elsewhere then know it too.
    for (const name of this.definitions.keys()) {
      const through = this.sentThrough(name);
      const run = this.counts.get(name);
      if (through === -Infinity || (run?.lastScheduled ?? -Infinity) >= through) continue;
      if (run) run.lastScheduled = through;
      else this.counts.set(name, { count: 0, last: null, lastScheduled: through });
    }
    return sent;
  }

  /** Records that firings scheduled at or before these were sent by another instance (any role). */
  firedElsewhereUntil(lastFired?: number, firedBy?: ReadonlyMap<string, number>): void {
    if (lastFired !== undefined) this.firedElsewhere = Math.max(this.firedElsewhere, lastFired);
    for (const [name, at] of firedBy ?? [])
      this.firedElsewhereBy.set(name, Math.max(at, this.firedElsewhereBy.get(name) ?? -Infinity));
  }

  /** Latest scheduled time this node sent a firing for, or was told was sent (the next active one's hint). */
  lastFired(): number | null {
    let last = this.firedElsewhere;
    for (const at of this.firedElsewhereBy.values()) last = Math.max(last, at);
    for (const run of this.counts.values()) last = Math.max(last, run.lastScheduled ?? -Infinity);
    return last === -Infinity ? null : last;
  }

  /** Firings of `name` scheduled at or before this were sent by another instance. */
  private sentThrough(name: string): number {
    return Math.max(this.firedElsewhere, this.firedElsewhereBy.get(name) ?? -Infinity);
  }

  stop(): void {
    this.scheduler.clear();
  }

  /** Adds a schedule; the expression and zone are checked first (InputError naming the field). */
  add(definition: ScheduleDefinition): void {
    checkDefinition(definition, this.dst, this.now());
    if (this.definitions.has(definition.name))
      throw new InputError(`a schedule named "${definition.name}" already exists`);
    const held = this.held.get(definition.name);
    if (held)
      throw new InputError(
        `a saved schedule named "${definition.name}" exists but does not run (${held.problem}); update or remove it`,
      );
    // Editor schedules are checked as a whole list by the node (an anchor may be a later row).
    if (definition.dynamic) this.checkAnchorsWith(definition);
    this.define(definition);
    this.arm(definition);
    if (definition.dynamic) this.changed();
  }

  /**
   * Replaces a dynamic schedule (keeps its paused state and count), or brings back a saved one that
   * could not be restored. Static ones belong to the editor.
   */
  update(definition: ScheduleDefinition): void {
    const held = this.held.get(definition.name);
    const old = held ? undefined : this.require(definition.name);
    if (old && !old.dynamic)
      throw new InputError(`schedule "${old.name}" is set in the editor and cannot be changed`);
    checkDefinition(definition, this.dst, this.now());
    this.checkAnchorsWith(definition);
    if (old) {
      this.scheduler.remove(old.name);
      this.undefine(old);
    }
    if (held) {
      this.held.delete(definition.name);
      if (held.paused) this.paused.add(definition.name);
      if (held.run) this.counts.set(definition.name, held.run);
    }
    this.define(definition);
    this.arm(definition);
    this.changed();
  }

  remove(name: string): void {
    if (this.held.delete(name)) return this.changed();
    const old = this.require(name);
    if (!old.dynamic) throw new InputError(`schedule "${name}" is set in the editor and cannot be removed`);
    const dependent = this.dependents.get(name)?.values().next().value;
    if (dependent !== undefined)
      throw new InputError(`schedule "${name}" is the anchor of "${dependent}"; remove that first`);
    this.forget(old);
    this.changed();
  }

  /** Removes every dynamic schedule, also saved ones kept without running; returns their names. */
  removeDynamic(): string[] {
    const names: string[] = [];
    for (const definition of [...this.definitions.values()]) {
      if (!definition.dynamic) continue;
      this.forget(definition);
      names.push(definition.name);
    }
    names.push(...this.held.keys());
    this.held.clear();
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
    if (this.standby)
      throw new InputError(`the node is in standby: "${name}" can be triggered only on the active one`);
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
    for (const names of this.dependents.values()) for (const name of names) this.scheduler.remove(name);
    this.changed();
  }

  /** Relative schedules started by a `start` message (anchored to it), in definition order. */
  messageAnchored(): string[] {
    return [...(this.dependents.get(MESSAGE_ANCHOR) ?? [])];
  }

  /** Every relative schedule, in definition order. */
  relativeNames(): string[] {
    const names: string[] = [];
    for (const definition of this.definitions.values()) if (definition.relative) names.push(definition.name);
    return names;
  }

  /** Some relative schedule anchored to the start message is neither paused nor started yet. */
  waitingForStart(): boolean {
    if (this.relativeStart !== null) return false;
    for (const name of this.dependents.get(MESSAGE_ANCHOR) ?? []) if (!this.paused.has(name)) return true;
    return false;
  }

  has(name: string): boolean {
    return this.definitions.has(name);
  }

  /** Names of every schedule, running ones in definition order, then saved ones kept without running. */
  names(): string[] {
    return [...this.definitions.keys(), ...this.held.keys()];
  }

  info(name: string): ScheduleInfo {
    const held = this.held.get(name);
    if (held) return heldInfo(name, held);
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
      next: iso(entry?.nextAt),
      count: counts?.count ?? 0,
      lastFired: iso(counts?.last),
      description: describeAnchored(definition),
    };
  }

  list(): ScheduleInfo[] {
    return this.names().map((name) => this.info(name));
  }

  /** The next `n` firings of a schedule from now (relative ones need their anchor to fire, else []). */
  next(name: string, n: number): number[] {
    if (this.held.has(name)) return [];
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
    const dynamic: SavedDefinition[] = [];
    for (const d of this.definitions.values()) {
      if (!d.dynamic) continue;
      // One literal, optional keys set afterwards: this runs over every schedule at each save.
      const row: { -readonly [K in keyof SavedDefinition]: SavedDefinition[K] } = {
        name: d.name,
        expression: d.expression,
        timeZone: d.timeZone,
        relative: d.relative,
        topic: d.topic,
        payload: d.payload,
      };
      if (d.anchor) row.anchor = d.anchor;
      if (d.runFor) row.runFor = d.runFor;
      dynamic.push(row);
    }
    const paused = [...this.paused];
    const runs: SavedRun[] = [...this.counts].map(([name, r]) => [name, r.count, r.last, r.lastScheduled]);
    for (const [name, held] of this.held) {
      dynamic.push(held.row);
      if (held.paused) paused.push(name);
      if (held.run) runs.push([name, held.run.count, held.run.last, held.run.lastScheduled]);
    }
    return {
      version: 2,
      savedAt: this.now(),
      anchor: this.relativeStart,
      anchors: [...this.starts].filter(([name]) => name !== MESSAGE_ANCHOR),
      dynamic,
      paused,
      known: [...this.definitions.keys()],
      runs,
    };
  }

  /** `restoring(state)` all at once (tests, small states). */
  restore(state: unknown): RestoreReport {
    const steps = this.restoring(state);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /**
   * Brings back a persisted state (call before start()), yielding after each schedule's work so the
   * caller can spread it over the event loop: dynamic schedules, paused names, the relative anchors,
   * firing counts, and — with `fireOnceLate` — one late firing for each schedule that was due while
   * Node-RED was not running (sent by catchUp()). Anchors are resolved over the whole saved set (a
   * schedule may be anchored to one saved after it). A saved schedule that cannot run (its expression
   * no longer parses, its anchor is missing or in a cycle, its name is not a name) is kept as saved,
   * saved again, listed with its problem, and reported; one whose name an editor schedule now has
   * gives way to the editor's.
   */
  *restoring(state: unknown): Generator<void, RestoreReport> {
    const report: RestoreReport = { problems: [], replaced: [] };
    const saved = readPersisted(state);
    if (!saved) {
      if (state !== undefined) report.problems.push('the saved schedules were not readable');
      return report;
    }
    const paused = new Set(saved.paused);
    const runs = new Map(
      saved.runs.map(([name, count, last, lastScheduled]) => [name, { count, last, lastScheduled }]),
    );
    const hold = (row: SavedDefinition, problem: string): void => {
      const name = row.name;
      this.held.set(name, { row, problem, paused: paused.has(name), run: runs.get(name) });
      report.problems.push(problem);
    };
    // Each row on its own: name, fields, expression (the costly part: a parse and a bounded search).
    const candidates = new Map<string, ScheduleDefinition>();
    const rows = new Map<string, SavedDefinition>();
    const now = this.now();
    for (const row of saved.dynamic) {
      const name = row.name;
      if (this.definitions.has(name)) {
        if (this.definitions.get(name)?.dynamic === false) report.replaced.push(name);
      } else if (!candidates.has(name) && !this.held.has(name)) {
        const definition: ScheduleDefinition = { ...row, dynamic: true };
        try {
          checkDefinition(definition, this.dst, now);
          candidates.set(name, definition);
          rows.set(name, row);
        } catch (err) {
          hold(row, `${name}: ${(err as Error).message}`);
        }
      }
      yield;
    }
    // Anchors over the whole set at once (linear).
    const unsound = unsoundAnchors(candidates, (name) => this.definitions.has(name));
    for (const name of candidates.keys()) {
      const problem = unsound.get(name);
      if (problem === undefined) continue;
      hold(rows.get(name) as SavedDefinition, problem);
      candidates.delete(name);
    }
    if (saved.anchor !== null) this.starts.set(MESSAGE_ANCHOR, saved.anchor);
    for (const [name, start] of saved.anchors)
      if (this.definitions.has(name) || candidates.has(name)) this.starts.set(name, start);
    for (const name of paused) if (this.definitions.has(name) || candidates.has(name)) this.paused.add(name);
    for (const definition of candidates.values()) {
      this.define(definition);
      this.arm(definition);
      yield;
    }
    // Static relative schedules were defined before their anchors' starts came back.
    for (const definition of this.definitions.values()) {
      if (definition.dynamic) continue;
      if (this.paused.has(definition.name)) this.scheduler.pause(definition.name);
      if (definition.relative && !this.scheduler.get(definition.name)) {
        this.arm(definition);
        yield;
      }
    }
    for (const [name, run] of runs) if (this.definitions.has(name)) this.counts.set(name, run);
    if (this.missed === 'fireOnceLate' && saved.savedAt !== null) yield* this.oweMissed(saved);
    return report;
  }

  /** Sends the late firings owed since the restart (once; call after start()). */
  catchUp(): void {
    const owed = this.owed;
    this.owed = [];
    // In standby the instance that is active sends them; a takeover covers the standby period only.
    if (this.standby) return;
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
  private *oweMissed(saved: ReadState): Generator<void> {
    const now = this.now();
    const last = new Map(saved.runs.map(([name, , , lastScheduled]) => [name, lastScheduled]));
    for (const name of saved.known) {
      if (!this.scheduler.get(name) || this.paused.has(name)) continue;
      const from = Math.max(saved.savedAt ?? 0, last.get(name) ?? -Infinity);
      const first = this.scheduler.firingAfter(name, from);
      if (first !== null && first < now - this.scheduler.lateToleranceMs)
        this.owed.push({ name, scheduledAt: first });
      yield;
    }
  }

  /** Throws an InputError if `candidate`, added or replacing its namesake, makes an anchor unsound. */
  private checkAnchorsWith(candidate: ScheduleDefinition): void {
    const problem = anchorProblemWith(candidate, (name) =>
      name === candidate.name ? candidate : this.definitions.get(name),
    );
    if (problem) throw new InputError(problem);
  }

  /** Enters a checked definition and indexes its anchor (not armed yet). */
  private define(definition: ScheduleDefinition): void {
    this.definitions.set(definition.name, definition);
    if (!definition.relative) return;
    const key = definition.anchor ?? MESSAGE_ANCHOR;
    let names = this.dependents.get(key);
    if (!names) this.dependents.set(key, (names = new Set()));
    names.add(definition.name);
  }

  /** Takes a definition out of the anchor index (its name stays defined). */
  private undefine(definition: ScheduleDefinition): void {
    if (!definition.relative) return;
    const key = definition.anchor ?? MESSAGE_ANCHOR;
    const names = this.dependents.get(key);
    names?.delete(definition.name);
    if (names?.size === 0) this.dependents.delete(key);
  }

  /** Removes a schedule and all it leaves behind (no checks). */
  private forget(definition: ScheduleDefinition): void {
    const name = definition.name;
    this.undefine(definition);
    this.definitions.delete(name);
    this.starts.delete(name);
    this.paused.delete(name);
    this.counts.delete(name);
    this.armedAt.delete(name);
    this.scheduler.remove(name);
  }

  /** Restarts (or starts) every relative schedule anchored to `anchor`, counting from `at`. */
  private startAnchored(anchor: string, at: number): void {
    this.starts.set(anchor, at);
    for (const name of this.dependents.get(anchor) ?? []) {
      const definition = this.definitions.get(name);
      if (definition) this.arm(definition);
    }
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
    if (this.standby || scheduledAt <= this.sentThrough(definition.name)) {
      // Not sent here, but its anchored schedules start as they do on the active instance.
      if (this.dependents.has(definition.name)) {
        this.startAnchored(definition.name, scheduledAt);
        this.changed();
      }
      this.options.onPassed?.();
      return;
    }
    this.emit(definition, scheduledAt, firedAt, nextAt, 'timer');
  }

  private arm(definition: ScheduleDefinition): void {
    this.scheduler.remove(definition.name);
    this.armedAt.set(definition.name, this.now());
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
    if (this.dependents.has(definition.name)) {
      this.startAnchored(definition.name, scheduledAt);
      this.changed();
    }
    this.options.onFired?.();
    return firing;
  }

  private select(name: string | undefined): string[] {
    if (name === undefined) return [...this.definitions.keys()];
    this.require(name);
    return [name];
  }

  private require(name: string): ScheduleDefinition {
    const definition = this.definitions.get(name);
    if (definition) return definition;
    const held = this.held.get(name);
    if (held)
      throw new InputError(
        `schedule "${name}" was kept from the saved state but does not run: ${held.problem}`,
      );
    throw new InputError(`no schedule named "${name}"`);
  }

  private now(): number {
    return this.clock ? this.clock.now() : Date.now();
  }

  private changed(): void {
    this.options.onChange?.();
  }
}

/** A saved schedule kept without running, as `list` shows it (its saved fields read defensively). */
function heldInfo(name: string, held: Held): ScheduleInfo {
  const row = held.row as unknown as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    name,
    expression: text(row.expression),
    timeZone: row.relative === true ? 'relative' : text(row.timeZone),
    relative: row.relative === true,
    anchor: text(row.anchor),
    runFor: typeof row.runFor === 'number' ? row.runFor : 0,
    topic: text(row.topic),
    payload: row.payload,
    dynamic: true,
    paused: held.paused,
    armed: false,
    next: null,
    count: held.run?.count ?? 0,
    lastFired: iso(held.run?.last),
    description: 'not running: kept from the saved state',
    problem: held.problem,
  };
}
