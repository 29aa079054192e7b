/**
 * recorder-experiment's configuration. The participants are a list the field table passes
 * through: `participants.ts` reads and checks its rows (one row per system: which server, which
 * cameras, session or recording). Commands come in msg.action / msg.payload, not as overrides.
 */
import { field } from '../../src/kit/fields';

export const FIELDS = {
  name: field.name(),
  /** The experiment's name in the manifest and the recordings; empty: msg.experiment, else "experiment". */
  experiment: field.text({ label: 'experiment name', msg: 'experiment', maxLength: 100 }),
  /** Rows read by `readParticipants` (participants.ts). */
  participants: field.list({ label: 'participants', start: [] }),
  /** A participant that does not start: stop the others, or go on without it. */
  onFailure: field.text({
    label: 'a participant fails to start',
    default: 'stop',
    choices: ['stop', 'continue'],
  }),
  /** Node-RED stops (or the flow is redeployed) while an experiment runs. */
  onClose: field.text({
    label: 'Node-RED stops mid-experiment',
    default: 'stop',
    choices: ['stop', 'leave'],
  }),
  /** A named motif output pulsed at start and at each mark ('' = none). */
  pulseOutput: field.text({ label: 'sync pulse output', maxLength: 128 }),
  pulseMs: field.number({ label: 'pulse length', default: 100, min: 1, max: 10_000, integer: true }),
  /** Seconds between clock checks while running. */
  clockEvery: field.number({ label: 'clock check every', default: 60, min: 5, max: 3600 }),
};
