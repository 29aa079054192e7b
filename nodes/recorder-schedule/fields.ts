/**
 * recorder-schedule's configuration, read with the common field reader (one place for the
 * editor's and the runtime's defaults). The editor's schedule list is an array the field table
 * does not describe: it is read by `staticDefinitions` (index.ts), its default is an empty list.
 * Commands come in msg.payload / msg.topic (commands.ts), not as field overrides.
 */
import { field } from '../../src/kit/fields';
import { ROLE_FIELDS } from '../../src/kit/follow-leader';

export const FIELDS = {
  name: field.text({ label: 'name' }),
  /** The editor's schedules, read by `staticDefinitions` (static-list.ts); a new node starts with one. */
  schedules: field.list({
    label: 'schedules',
    start: [
      {
        name: 'schedule1',
        expression: '0 0 * * * *',
        timeZone: '',
        relative: false,
        topic: '',
        payload: '',
        payloadType: 'date',
      },
    ],
  }),
  dst: field.text({ label: 'daylight saving', default: 'auto', choices: ['auto', 'once', 'both'] }),
  missed: field.text({ label: 'missed firings', default: 'skip', choices: ['skip', 'fireOnceLate'] }),
  /**
   * The role at deploy: 'standby' computes the firings and sends none until an `active` message
   * (another instance with the same flow is the active one); 'leader' follows a retained MQTT
   * leader topic (src/kit/leadership.ts). Flows without it are active.
   */
  ...ROLE_FIELDS,
  /** Context store for what a restart needs: '' = Node-RED's default store, 'none' = keep nothing. */
  store: field.text({ label: 'context store', maxLength: 100 }),
};

/** More editor schedules than the benchmark's 50,000 are a mistake. */
export const MAX_SCHEDULES = 100_000;
