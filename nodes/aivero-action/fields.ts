/** What an aivero-action is told: one table for the runtime and the editor's defaults. */
import { field } from '../../src/kit/fields';

/** Operations, grouped as the editor shows them. */
export const OPERATION_GROUPS = {
  Cameras: ['findCamera', 'listCameras'],
  Sessions: ['createSession', 'getSession', 'listSessions', 'deleteSession'],
  State: ['setState'],
} as const;

export type Operation = (typeof OPERATION_GROUPS)[keyof typeof OPERATION_GROUPS][number];
export const OPERATIONS: readonly Operation[] = Object.values(OPERATION_GROUPS).flat();
export const STATES = ['Scheduled', 'Standby', 'Started', 'Stopped'] as const;

export const FIELDS = {
  name: field.text({ label: 'name', maxLength: 200 }),
  server: field.node({ label: 'server', nodeType: 'aivero-server' }),
  /** Empty = from msg.operation. */
  operation: field.text({ label: 'operation', default: 'setState', choices: OPERATIONS, msg: 'operation' }),
  /** The state setState writes; empty = from msg.state. */
  state: field.text({ label: 'state', default: 'Started', choices: STATES, msg: 'state', maxLength: 40 }),
  /** Session id for setState, getSession, deleteSession; empty = from msg.session. */
  session: field.text({ label: 'session id', msg: 'session', maxLength: 100 }),
  /** Camera for findCamera (and builder rows without one): empty = from msg.camera {model, serial}. */
  cameraModel: field.text({ label: 'camera model', maxLength: 40 }),
  cameraSerial: field.text({ label: 'camera serial', maxLength: 200 }),
  /** The session builder's result (JSON): name, window, limits, target state, records with streams. */
  sessionSpec: field.json({ label: 'session' }),
  /** listSessions filters; msg.payload {state, name, limit} overrides them. */
  listState: field.text({ label: 'state filter', choices: ['', ...STATES] }),
  listName: field.text({ label: 'name filter', maxLength: 200 }),
  /** Empty = msg.payload.limit, else the backend's 100. */
  limit: field.number({ label: 'limit', default: undefined, min: 1, max: 1000, integer: true }),
  /** After setState / createSession: wait until the session reaches `waitState`. */
  wait: field.flag({ label: 'wait', default: false }),
  /** Empty = the state just written. */
  waitState: field.text({ label: 'wait for state', choices: ['', ...STATES] }),
  waitTimeout: field.number({ label: 'wait timeout', default: 30, min: 0.1, max: 86_400 }),
};
