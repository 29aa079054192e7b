/** What an aivero-action is told: one table for the runtime and the editor (defaults, rules, lists). */
import {
  AIVERO_OPERATION_GROUPS,
  AIVERO_OPERATIONS,
  DOC_ENUMS,
  REALSENSE_ALIGN_TARGETS,
  REALSENSE_COLOR_RESOLUTIONS,
  REALSENSE_DEPTH_RESOLUTIONS,
  REALSENSE_FRAME_RATES,
  SESSION_STATES,
  type AiveroOperation,
} from '../../src/backends/aivero';
import { field } from '../../src/kit/fields';

/** Operations, grouped as the editor shows them: the backend's table. */
export const OPERATION_GROUPS = AIVERO_OPERATION_GROUPS;
export type Operation = AiveroOperation;
export const OPERATIONS = AIVERO_OPERATIONS;
const STATES = SESSION_STATES;
/** What each operation reads besides the server (the editor shows and checks only these). */
const WAIT = ['wait', 'waitState', 'waitTimeout'];
const USES: Record<Operation, readonly string[]> = {
  findCamera: ['cameraModel', 'cameraSerial'],
  listCameras: [],
  createSession: ['cameraModel', 'cameraSerial', 'sessionSpec', ...WAIT],
  getSession: ['session'],
  listSessions: ['listState', 'listName', 'limit'],
  deleteSession: ['session'],
  setState: ['state', 'session', 'alreadyOk', ...WAIT],
};
const resolution = ([width, height]: readonly [number, number]): string => `${width}x${height}`;

export const FIELDS = {
  name: field.name(),
  server: field.node({ label: 'server', nodeType: 'aivero-server' }),
  /** Empty = from msg.operation. */
  operation: field.text({
    label: 'operation',
    default: 'setState',
    choices: OPERATIONS,
    groups: OPERATION_GROUPS,
    uses: USES,
    msg: 'operation',
  }),
  /** The state setState writes; empty = from msg.state. */
  state: field.text({ label: 'state', default: 'Started', choices: STATES, msg: 'state', maxLength: 40 }),
  /** Session id for setState, getSession, deleteSession; empty = from msg.session. */
  session: field.text({ label: 'session id', msg: 'session', maxLength: 100 }),
  /** Camera for findCamera (and builder rows without one): empty = from msg.camera {model, serial}. */
  cameraModel: field.text({ label: 'camera model', maxLength: 40, suggestions: DOC_ENUMS.cameraModel }),
  cameraSerial: field.text({ label: 'camera serial', maxLength: 200 }),
  /** The session builder's result (JSON): name, window, limits, target state, records with streams. */
  sessionSpec: field.json({
    label: 'session',
    // What the builder's lists offer: the backend's documented enums and RealSense limits.
    parts: {
      states: STATES,
      cameraModels: DOC_ENUMS.cameraModel,
      streamTypes: DOC_ENUMS.streamType,
      encoders: DOC_ENUMS.encoder,
      alignTargets: REALSENSE_ALIGN_TARGETS,
      colorResolutions: REALSENSE_COLOR_RESOLUTIONS.map(resolution),
      depthResolutions: REALSENSE_DEPTH_RESOLUTIONS.map(resolution),
      frameRates: REALSENSE_FRAME_RATES,
    },
  }),
  /** listSessions filters; msg.payload {state, name, limit} overrides them. */
  listState: field.text({ label: 'state filter', choices: ['', ...STATES] }),
  listName: field.text({ label: 'name filter', maxLength: 200 }),
  /** Empty = msg.payload.limit, else the backend's 100. */
  limit: field.number({ label: 'limit', default: undefined, min: 1, max: 1000, integer: true }),
  /**
   * setState to the state the session is in: off (as before this field) writes it again; on reads
   * the state first and answers with msg.aivero.already = true, writing nothing.
   */
  alreadyOk: field.flag({ label: 'already in that state counts as done', default: false }),
  /** After setState / createSession: wait until the session reaches `waitState`. */
  wait: field.flag({ label: 'wait', default: false }),
  /** Empty = the state just written. */
  waitState: field.text({ label: 'wait for state', choices: ['', ...STATES] }),
  waitTimeout: field.number({ label: 'wait timeout', default: 30, min: 0.1, max: 86_400 }),
};
