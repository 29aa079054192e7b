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

/** Throws an InputError for the first anchor problem (commands; the editor list uses ConfigError). */
export function checkAnchors(definitions: ReadonlyMap<string, Anchored>): void {
  const problem = anchorProblem(definitions);
  if (problem) throw new InputError(problem);
}
