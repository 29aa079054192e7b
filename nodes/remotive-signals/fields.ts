/** remotive-signals's fields: the one place for their defaults, read by the runtime and the editor. */
import { MAX_NAME_LENGTH } from '../../src/backends/remotive';
import type { Migration } from '../../src/kit/migrations';
import { field } from '../../src/kit/fields';

export const FIELDS = {
  name: field.name(),
  broker: field.node({ label: 'broker', nodeType: 'remotive-broker' }),
  namespace: field.text({ label: 'namespace', required: true, maxLength: MAX_NAME_LENGTH }),
  /** Names separated by commas or new lines (the editor writes one per line). */
  signals: field.text({ label: 'signals', required: true, maxLength: 200_000 }),
  onChange: field.flag({ label: 'on change', default: false }),
  output: field.text({ label: 'output', default: 'batch', choices: ['batch', 'signal'] }),
  /** At most this many messages per second (per signal in signal mode); 0 = no limit. */
  rate: field.number({ label: 'rate limit', default: 0, min: 0, max: 100_000 }),
  /** Stalled when no batch arrives for this long, s; 0 = never (signals only flow during playback). */
  stall: field.number({ label: 'stall time', default: 0, min: 0, max: 86_400 }),
};

/** Most signals one subscription may name: the editor's picker never comes close. */
export const MAX_SIGNALS = 5000;

/** How this node's configuration changed, oldest first (runtime and editor apply the same steps). */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 2,
    why: 'signals: a list became one text, a name per line',
    steps: [{ kind: 'lines', field: 'signals' }],
  },
];
