/**
 * motif-schedule's configuration, read with the common field reader (one place for the editor's
 * and the runtime's defaults). The task list is an array the field table does not describe: each
 * task is read by `readDeclaration` (tasks.ts), its default is an empty list.
 */
import { TASK_KINDS } from '../../src/backends/motif';
import { field } from '../../src/kit/fields';
import { ROLE_FIELDS } from '../../src/kit/follow-leader';

export const FIELDS = {
  name: field.text({ label: 'name' }),
  /** The task declarations, read by `readDeclaration` (tasks.ts). */
  tasks: field.list({ label: 'task list', parts: { kinds: TASK_KINDS } }),
  server: field.node({ label: 'server', nodeType: 'motif-server' }),
  /** Zone of the motif machine for next-firing previews; '' = this runtime's zone. */
  timeZone: field.text({ label: 'time zone', maxLength: 64 }),
  /**
   * The role at deploy: 'standby' leaves the server's tasks to the active instance (no create, replace
   * or delete) until an `active` message; 'leader' follows a retained MQTT leader topic
   * (src/kit/leadership.ts). Flows without it are active.
   */
  ...ROLE_FIELDS,
  /** Seconds between checks that the server still has the tasks; 0 = only on deploy and reconnect. */
  checkInterval: field.number({ label: 'check interval', default: 60, min: 0, max: 86_400 }),
};

/** More tasks than any protocol needs; a hand-edited flow with more is a mistake. */
export const MAX_TASKS = 500;
