/**
 * One schedule of recorder-schedule as the table runs it, the check it passes before anything is
 * changed or armed, and its description in words. No Node-RED imports.
 */
import { InputError } from '../../src/common/errors';
import { CronSchedule, describe, durationWords, type DstPolicy } from '../../src/schedule';
import { anchorFieldProblem } from './anchors';
import { scheduleNameProblem as nameProblem } from '../../src/common/formats';

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

/** A name quoted for an error: control characters spelled out, capped. */
const quoted = (name: string): string => JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);

/**
 * Checks the name, the anchor fields, and parses the expression with the zone it will run in and
 * searches its next firing once (bounded), so errors name the field, or the search limit, before
 * anything is changed or armed.
 */
export function checkDefinition(definition: ScheduleDefinition, dst: DstPolicy, now = Date.now()): void {
  const badName = nameProblem(definition.name);
  if (badName)
    throw new InputError(
      typeof definition.name === 'string' && definition.name !== '' && definition.name !== '*'
        ? `${quoted(definition.name)}: ${badName}`
        : badName,
    );
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
export function describeAnchored(definition: ScheduleDefinition): string {
  const words = describe(definition.expression, { relative: definition.relative });
  if (!definition.relative || (!definition.anchor && !definition.runFor)) return words;
  const start = definition.anchor ? `each firing of "${definition.anchor}"` : 'the start message';
  const run = definition.runFor ? `, for ${durationWords(definition.runFor * 1000)}` : '';
  return `${words} (start = ${start}${run})`;
}
