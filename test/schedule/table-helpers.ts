/** recorder-schedule's table on a manual clock, for the table's tests. */
import { ScheduleTable, type Firing, type ScheduleDefinition } from '../../nodes/recorder-schedule/table';
import type { MissedPolicy } from '../../src/schedule';
import type { ManualClock } from './manual-clock';

/** An editor schedule in UTC whose topic and payload are its name. */
export function definition(
  name: string,
  expression: string,
  extra: Partial<ScheduleDefinition> = {},
): ScheduleDefinition {
  return {
    name,
    expression,
    timeZone: 'UTC',
    relative: false,
    topic: name,
    payload: name,
    dynamic: false,
    ...extra,
  };
}

/** A table on `clock` that collects its firings in `fired`. */
export function table(clock: ManualClock, fired: Firing[], missed: MissedPolicy = 'skip'): ScheduleTable {
  return new ScheduleTable({ clock, missed, onFire: (f) => fired.push(f) });
}
