/**
 * aivero-action: find cameras, create a session with its records and streams, set its state, get,
 * list and delete sessions; optionally wait until the session reaches a state. `plan.ts` reads
 * config + msg; the backend's operation table performs the call (and the wait, on the client's
 * shared live query); the kit does the rest.
 */
import { runAiveroOperation, type AiveroClient, type AiveroOutcome } from '../../src/backends/aivero';
import { defineActionNode } from '../../src/kit/action-node';
import { FIELDS } from './fields';
import { planCall, type Plan } from './plan';

interface State {
  waitMs: number;
  waiting: (state: string) => string;
  warningsText: (count: number) => string;
}

type Call = Plan & { wait: boolean; waitState: string };

export default defineActionNode<typeof FIELDS, AiveroClient, Call, AiveroOutcome, State>({
  type: 'aivero-action',
  fields: FIELDS,
  server: { field: 'server', type: 'aivero-server' },
  meta: 'aivero',
  prepare: (ctx) => ({
    waitMs: (ctx.values.waitTimeout ?? 30) * 1000,
    waiting: (state) => ctx.t('aivero-action.status.waiting', { state }),
    warningsText: (count) => ctx.t('aivero-action.status.warnings', { count }),
  }),
  plan: (values, msg) => ({ ...planCall(values, msg), wait: values.wait, waitState: values.waitState }),
  operation: (call) => call.operation,
  perform: (client, call, { signal, waiting }, state) =>
    runAiveroOperation(client, call, {
      signal,
      wait: call.wait ? { state: call.waitState, timeoutMs: state.waitMs } : undefined,
      waiting: (target) => waiting(state.waiting(target)),
    }),
  reply: (_call, outcome, state) => {
    const warnings = outcome.warnings ?? [];
    return {
      payload: outcome.result,
      props: outcome.session ? { session: outcome.session } : undefined,
      meta: {
        ...(outcome.session ? { session: outcome.session } : {}),
        ...(outcome.state ? { state: outcome.state } : {}),
        ...(outcome.already ? { already: true } : {}),
        ...(warnings.length ? { warnings } : {}),
        ...(outcome.reached ? { reached: outcome.reached.state, waitedMs: outcome.reached.waitedMs } : {}),
      },
      status: warnings.length ? state.warningsText(warnings.length) : outcome.summary,
      statusKind: warnings.length ? 'warning' : 'connected',
    };
  },
});
