/**
 * The editor's schedule list of recorder-schedule, read into definitions the way the runtime runs
 * them (not in the field table: an array of rows, each checked when added), and the check of its
 * anchors as a whole. No Node-RED imports, so tests read the examples' rows exactly as the node does.
 */
import { ConfigError } from '../../src/common/errors';
import { anchorProblem } from './anchors';
import { MAX_SCHEDULES } from './fields';
import type { ScheduleDefinition } from './table';

interface StaticSchedule {
  name: string;
  expression: string;
  timeZone?: string;
  relative?: boolean;
  anchor?: string;
  runFor?: number | string;
  topic?: string;
  payload?: string;
  payloadType?: string;
}

/** The editor's schedule list (not in the field table: an array of rows, each checked when added). */
export function staticDefinitions(raw: unknown): ScheduleDefinition[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw new ConfigError('recorder-schedule: the schedule list is not a list', 'schedules');
  if (raw.length > MAX_SCHEDULES)
    throw new ConfigError(
      `recorder-schedule: more than ${MAX_SCHEDULES} schedules (${raw.length})`,
      'schedules',
    );
  return (raw as StaticSchedule[])
    .map((s) => (typeof s === 'object' && s !== null ? s : ({} as StaticSchedule)))
    .map((s) => ({
      name: String(s.name ?? '').trim(),
      expression: String(s.expression ?? '').trim(),
      timeZone: String(s.timeZone ?? '').trim(),
      relative: Boolean(s.relative),
      ...(String(s.anchor ?? '').trim() ? { anchor: String(s.anchor).trim() } : {}),
      ...(runForOf(s.runFor) ? { runFor: runForOf(s.runFor) } : {}),
      topic: String(s.topic ?? '') || String(s.name ?? ''),
      payload: s.payload ?? '',
      payloadType: s.payloadType || 'str',
      dynamic: false,
    }));
}

/** The editor's run time (seconds, a number or its text; blank = until stopped). NaN is caught by the table. */
function runForOf(raw: unknown): number {
  if (raw === undefined || raw === null || String(raw).trim() === '') return 0;
  return Number(raw);
}

/**
 * Anchors of the editor's list as a whole (a row may be anchored to a later one): a missing anchor
 * or a cycle is a configuration error naming the schedules, not a row to skip.
 */
export function checkStaticAnchors(definitions: readonly ScheduleDefinition[]): void {
  const problem = anchorProblem(new Map(definitions.map((d) => [d.name, d])));
  if (problem) throw new ConfigError(`recorder-schedule: ${problem}`, 'schedules', 'bad anchor');
}
