/** remotive-status's fields: the one place for their defaults, read by the runtime and the editor. */
import { MAX_PATH_LENGTH } from '../../src/backends/remotive';
import { field } from '../../src/kit/fields';

export const FIELDS = {
  name: field.name(),
  broker: field.node({ label: 'broker', nodeType: 'remotive-broker' }),
  /** Only this session; empty: every open session. */
  path: field.text({ label: 'session', maxLength: MAX_PATH_LENGTH }),
  /** Recording length (e.g. 1:00) for progress; empty: no progress. */
  length: field.text({ label: 'length', maxLength: 40 }),
};
