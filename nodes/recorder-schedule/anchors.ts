/**
 * Anchors of relative schedules: a relative schedule starts when its anchor fires — a `start`
 * message (anchor '') or another schedule of the same node — and runs for `runFor` seconds (0 =
 * until stopped). This file checks a set of definitions: every named anchor exists, is not the
 * schedule itself, and no chain of anchors comes back to where it began (it would restart itself
 * forever). No Node-RED imports.
 */
import { InputError } from '../../src/common/errors';

/** The anchor key of message-anchored ("start" command) relative schedules. */
export const MESSAGE_ANCHOR = '';

/** Longest run time: 100 years in seconds (beyond it is a typo, not a protocol). */
export const MAX_RUN_FOR_S = 3_153_600_000;

export interface Anchored {
  readonly name: string;
  readonly relative: boolean;
  readonly anchor?: string;
  readonly runFor?: number;
}

const cap = (text: string): string => (text.length > 100 ? `${text.slice(0, 100)}…` : text);

/** The problem with one definition's own anchor fields (not needing the others), or null. */
export function anchorFieldProblem(d: Anchored): string | null {
  const anchor = d.anchor ?? MESSAGE_ANCHOR;
  if (typeof anchor !== 'string') return `schedule "${cap(d.name)}": the anchor must be a schedule name`;
  if (anchor !== MESSAGE_ANCHOR && !d.relative)
    return `schedule "${cap(d.name)}" is anchored to "${cap(anchor)}" but is not relative`;
  if (anchor === d.name) return `schedule "${cap(d.name)}" is anchored to itself`;
  const runFor = d.runFor ?? 0;
  if (typeof runFor !== 'number' || !Number.isFinite(runFor) || runFor < 0 || runFor > MAX_RUN_FOR_S)
    return `schedule "${cap(d.name)}": the run time must be 0 to ${MAX_RUN_FOR_S} seconds`;
  if (runFor > 0 && !d.relative) return `schedule "${cap(d.name)}" has a run time but is not relative`;
  return null;
}

/**
 * The first problem among all definitions' anchors (missing anchor schedule, or a cycle), or null.
 * A cycle is named by its members in order, so the message says which rows to change.
 */
export function anchorProblem(definitions: ReadonlyMap<string, Anchored>): string | null {
  for (const d of definitions.values()) {
    const own = anchorFieldProblem(d);
    if (own) return own;
    const anchor = d.anchor ?? MESSAGE_ANCHOR;
    if (anchor !== MESSAGE_ANCHOR && !definitions.has(anchor))
      return `schedule "${cap(d.name)}" is anchored to "${cap(anchor)}", which does not exist`;
  }
  // Each definition has at most one anchor: follow the chain; revisiting a name on it is a cycle.
  const done = new Set<string>();
  for (const start of definitions.keys()) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let name: string | undefined = start;
    while (name !== undefined && !done.has(name)) {
      if (onPath.has(name)) {
        const cycle = path.slice(path.indexOf(name)).concat(name);
        return `the anchors form a cycle: ${cap(cycle.map((n) => `"${n}"`).join(' → '))}`;
      }
      onPath.add(name);
      path.push(name);
      const anchor: string = definitions.get(name)?.anchor ?? MESSAGE_ANCHOR;
      name = anchor === MESSAGE_ANCHOR ? undefined : anchor;
    }
    for (const n of path) done.add(n);
  }
  return null;
}

/**
 * The anchor problem `candidate` brings into a sound set of definitions (`lookup`), added or
 * replacing its namesake, or null: its own fields, a missing anchor, or a chain of anchors that comes
 * back to it. Costs the length of its anchor chain, not the size of the set (adding N schedules one
 * by one stays linear).
 */
export function anchorProblemWith(
  candidate: Anchored,
  lookup: (name: string) => Anchored | undefined,
): string | null {
  const own = anchorFieldProblem(candidate);
  if (own) return own;
  const path = [candidate.name];
  const seen = new Set(path);
  let anchor = candidate.anchor ?? MESSAGE_ANCHOR;
  while (anchor !== MESSAGE_ANCHOR) {
    if (anchor === candidate.name) {
      const cycle = path.concat(candidate.name);
      return `the anchors form a cycle: ${cap(cycle.map((n) => `"${n}"`).join(' → '))}`;
    }
    const next = lookup(anchor);
    if (!next) {
      const whose = path[path.length - 1] ?? candidate.name;
      return `schedule "${cap(whose)}" is anchored to "${cap(anchor)}", which does not exist`;
    }
    // A set that was sound has no cycle of its own; the guard only keeps a corrupt one finite.
    if (seen.has(anchor)) return null;
    seen.add(anchor);
    path.push(anchor);
    anchor = next.anchor ?? MESSAGE_ANCHOR;
  }
  return null;
}

/**
 * Which of `rows` can run, their anchors resolved over the whole set at once (a row may be anchored
 * to a row saved after it), beside the `sound` definitions already running. Returns the problem of
 * each row that cannot: a missing anchor, a cycle, or an anchor that itself cannot run. Linear: each
 * row's chain is followed until it reaches a row already decided.
 */
export function unsoundAnchors(
  rows: ReadonlyMap<string, Anchored>,
  sound: (name: string) => boolean,
): Map<string, string> {
  const problems = new Map<string, string>();
  const decided = new Set<string>();
  for (const start of rows.keys()) {
    if (decided.has(start)) continue;
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let ending: { bad: false } | { bad: true; anchor: string; missing: boolean } | { cycleFrom: number } = {
      bad: false,
    };
    // Follow the chain until it ends (message anchor, a running schedule), reaches a row already
    // decided, leaves the set, or loops.
    let name: string | undefined = start;
    while (name !== undefined) {
      const at = onPath.get(name);
      if (at !== undefined) {
        ending = { cycleFrom: at };
        break;
      }
      if (decided.has(name)) {
        if (problems.has(name)) ending = { bad: true, anchor: name, missing: false };
        break;
      }
      const row = rows.get(name);
      if (!row) {
        if (!sound(name)) ending = { bad: true, anchor: name, missing: true };
        break;
      }
      onPath.set(name, path.length);
      path.push(name);
      const anchor = row.anchor ?? MESSAGE_ANCHOR;
      name = anchor === MESSAGE_ANCHOR ? undefined : anchor;
    }
    const cycleFrom = 'cycleFrom' in ending ? ending.cycleFrom : -1;
    const cycle =
      cycleFrom < 0
        ? ''
        : cap(
            path
              .slice(cycleFrom)
              .concat(path[cycleFrom] as string)
              .map((n) => `"${n}"`)
              .join(' → '),
          );
    // Each row inherits the fate of its anchor: the path is decided from its end backwards.
    for (let i = path.length - 1; i >= 0; i--) {
      const member = path[i] as string;
      decided.add(member);
      const next = path[i + 1];
      if (cycleFrom >= 0 && i >= cycleFrom)
        problems.set(member, `schedule "${cap(member)}": the anchors form a cycle: ${cycle}`);
      else if (next !== undefined && (cycleFrom >= 0 || ('bad' in ending && ending.bad)))
        problems.set(member, `schedule "${cap(member)}" is anchored to "${cap(next)}", which cannot run`);
      else if ('bad' in ending && ending.bad)
        problems.set(
          member,
          `schedule "${cap(member)}" is anchored to "${cap(ending.anchor)}", which ${ending.missing ? 'does not exist' : 'cannot run'}`,
        );
    }
  }
  return problems;
}

/** Throws an InputError for the first anchor problem (commands; the editor list uses ConfigError). */
export function checkAnchors(definitions: ReadonlyMap<string, Anchored>): void {
  const problem = anchorProblem(definitions);
  if (problem) throw new InputError(problem);
}
