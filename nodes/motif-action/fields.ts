/**
 * motif-action's fields. The override rule is the package's one rule: a configured value wins; a
 * field left empty ("from msg") takes the msg property named here. So a node configured "Set output"
 * on FAKE0 runs exactly that, whatever `msg.operation` or `msg.camera` say.
 */
import { field } from '../../src/kit/fields';

/** The longest path parameter motif takes (backends/motif/endpoints.ts MAX_SEGMENT_LENGTH). */
const NAME = 128;

export const FIELDS = {
  name: field.name(),
  server: field.node({ label: 'server', nodeType: 'motif-server' }),
  /** Checked against the endpoint table when the node starts (index.ts) and per message (request.ts). */
  operation: field.text({ label: 'operation', msg: 'operation', maxLength: 200 }),
  camera: field.text({ label: 'camera', msg: 'camera', maxLength: NAME }),
  output: field.text({ label: 'output name', msg: 'output', maxLength: NAME }),
  parameter: field.text({ label: 'parameter name', msg: 'parameter', maxLength: NAME }),
  task: field.text({ label: 'task name', msg: 'task', maxLength: NAME }),
  ioSerial: field.text({ label: 'IO device serial', msg: 'ioSerial', maxLength: NAME }),
  ioPort: field.text({ label: 'IO port', msg: 'ioPort', maxLength: NAME }),
  args: field.json({ label: 'arguments' }),
  /** Merge msg.payload into the arguments (a missing property in old flows means on). */
  payloadArgs: field.flag({ label: 'arguments from msg.payload', default: true }),
  /** Off: motif's answer as it is (a start on a recording camera is an error), as before this field. */
  alreadyOk: field.flag({ label: 'already done counts as success', default: false }),
  wait: field.flag({ label: 'wait until done', default: false }),
  /** Seconds. */
  waitTimeout: field.number({ label: 'wait timeout', default: 600, min: 0.1, max: 7 * 24 * 3600 }),
};
