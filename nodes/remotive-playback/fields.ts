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

/**
 * What each operation reads besides the broker (the editor shows and checks only these). From
 * msg.operation or msg.topic, any of them may be asked for.
 */
const ANY = ['path', 'offset', 'start', 'end', 'force', 'keepOpen'];
const USES: Record<Operation | typeof FROM_TOPIC | '', readonly string[]> = {
  list: ['path', 'recursive'],
  open: ['path', 'force', 'keepOpen'],
  play: ['path', 'offset'],
  pause: ['path', 'offset'],
  seek: ['path', 'offset'],
  close: ['path'],
  repeat: ['path', 'start', 'end'],
  status: ['path'],
  [FROM_TOPIC]: ANY,
  '': ANY,
};

export const FIELDS = {
  name: field.name(),
  broker: field.node({ label: 'broker', nodeType: 'remotive-broker' }),
  operation: field.text({
    label: 'operation',
    default: 'play',
    msg: 'operation',
    required: true,
    choices: [...OPERATIONS, FROM_TOPIC],
    uses: USES,
  }),
  path: field.text({ label: 'path', msg: 'path', maxLength: MAX_PATH_LENGTH }),
  recursive: field.flag({ label: 'recursive', default: false }),
  force: field.flag({ label: 'force', default: false }),
  /** Open on a session that is open already: a success that leaves it as it is (else the broker's error). */
  keepOpen: field.flag({ label: 'if already open', default: false }),
  offset: field.text({ label: 'offset', msg: 'offset', maxLength: 40 }),
  start: field.text({ label: 'loop start', msg: 'start', maxLength: 40 }),
  end: field.text({ label: 'loop end', msg: 'end', maxLength: 40 }),
  closeOnStop: field.flag({ label: 'on stop', default: false }),
};
