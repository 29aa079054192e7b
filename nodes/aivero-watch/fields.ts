/** What an aivero-watch is told: one table for the runtime and the editor's defaults. */
import { WATCH_PROTOCOLS } from '../../src/backends/aivero';
import { field } from '../../src/kit/fields';

export const SCOPES = ['session', 'all'] as const;
/** What each message carries: the change, or every session's latest state (a table's rows). */
export const OUTPUTS = ['change', 'list'] as const;
/** "auto" tries the backend's protocols in its order. */
export const PROTOCOLS = ['auto', ...WATCH_PROTOCOLS] as const;

export const FIELDS = {
  name: field.name(),
  server: field.node({ label: 'server', nodeType: 'aivero-server' }),
  /** One session (its id configured or from msg.session) or every session. */
  scope: field.text({
    label: 'watch',
    default: 'session',
    choices: SCOPES,
    uses: { session: ['session'], all: [] },
  }),
  session: field.text({ label: 'session id', msg: 'session', maxLength: 100 }),
  /** Start watching at deploy (else on msg.action "start"). */
  autoStart: field.flag({ label: 'start at deploy', default: true }),
  /** Send the states found when the watch starts (previous: null). */
  initial: field.flag({ label: 'send current states', default: true }),
  /** `change`: payload the change; `list`: payload every session's latest state, msg.change the change. */
  output: field.text({ label: 'output', default: 'change', choices: OUTPUTS }),
  protocol: field.text({ label: 'protocol', default: 'auto', choices: PROTOCOLS }),
  /** Polling interval when WebSockets do not work (s). */
  pollInterval: field.number({ label: 'poll interval', default: 2, min: 0.05, max: 3600 }),
  /** A subscription silent this long (no result, no answer to a ping) is stalled and renewed, s (0 = never). */
  stallTimeout: field.number({ label: 'stalled after', default: 20, min: 0, max: 3600 }),
};
