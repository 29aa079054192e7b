/**
 * remotive-playback's fields: the one place for their defaults, read by the runtime and the
 * editor. Text fields left empty are "from msg": the named msg property (or the same field of an
 * object msg.payload) supplies the value. A configured value always wins over a message.
 */
import { MAX_PATH_LENGTH, PLAYBACK_OPERATIONS, type PlaybackOperation } from '../../src/backends/remotive';
import { field } from '../../src/kit/fields';

export const OPERATIONS = PLAYBACK_OPERATIONS;
export type Operation = PlaybackOperation;
/** The node setting that reads the operation from the last segment of `msg.topic`. */
export const FROM_TOPIC = 'topic';

export const FIELDS = {
  name: field.text({ label: 'name', maxLength: 200 }),
  broker: field.node({ label: 'broker', nodeType: 'remotive-broker' }),
  operation: field.text({
    label: 'operation',
    default: 'play',
    msg: 'operation',
    required: true,
    choices: [...OPERATIONS, FROM_TOPIC],
  }),
  path: field.text({ label: 'path', msg: 'path', maxLength: MAX_PATH_LENGTH }),
  recursive: field.flag({ label: 'recursive', default: false }),
  force: field.flag({ label: 'force', default: false }),
  offset: field.text({ label: 'offset', msg: 'offset', maxLength: 40 }),
  start: field.text({ label: 'loop start', msg: 'start', maxLength: 40 }),
  end: field.text({ label: 'loop end', msg: 'end', maxLength: 40 }),
  closeOnStop: field.flag({ label: 'on stop', default: false }),
};
