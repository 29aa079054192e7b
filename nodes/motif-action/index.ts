/**
 * motif-action: any motif API operation, for one camera or all, with optional wait-until-done.
 * `fields.ts` says what the node is told, `request.ts` plans the call from it; the backend performs
 * it (fan-out over cameras and waiting included). Everything else is the node kit's.
 */
import {
  ALL_CAMERAS,
  callAcceptingAlready,
  callForCameras,
  describePath,
  findEndpoint,
  waitForCameras,
  waitKindFor,
  type MotifClient,
  type MotifWaitKind,
} from '../../src/backends/motif';
import { defineActionNode } from '../../src/kit/action-node';
import { registerMotifAdmin } from './admin';
import { FIELDS } from './fields';
import { planCall, type PlannedCall } from './request';

interface State {
  wait: boolean;
  waitTimeoutMs: number;
  /** Translated once: a catalog look-up per message costs more than the rest of the status work. */
  waitText: Record<MotifWaitKind, string>;
  /** A start on a camera already recording, a stop where none records: answered, not an error. */
  alreadyOk: boolean;
}

type Plan = PlannedCall & { waitKind: MotifWaitKind | undefined };

interface Answer {
  answer: unknown;
  already: boolean;
}

export default defineActionNode<typeof FIELDS, MotifClient, Plan, Answer, State>({
  type: 'motif-action',
  fields: FIELDS,
  server: { field: 'server', type: 'motif-server' },
  meta: 'motif',
  admin: registerMotifAdmin,
  prepare: (ctx) => {
    const operation = ctx.values.operation;
    if (operation) ctx.check('operation', () => findEndpoint(operation) ?? failUnknown(operation));
    return {
      wait: ctx.values.wait,
      alreadyOk: ctx.values.alreadyOk,
      waitTimeoutMs: Math.round((ctx.values.waitTimeout ?? 600) * 1000),
      waitText: {
        stopped: ctx.t('motif-action.status.wait-stopped'),
        copied: ctx.t('motif-action.status.wait-copied'),
        exported: ctx.t('motif-action.status.wait-exported'),
      },
    };
  },
  plan: (values, msg, state) => {
    const call = planCall(values, msg.payload);
    return { ...call, waitKind: state.wait ? waitKindFor(call.endpoint) : undefined };
  },
  operation: (plan) => plan.endpoint.id,
  perform: async (client, plan, call, state) => {
    const options = { signal: call.signal };
    const answer: Answer = state.alreadyOk
      ? await callAcceptingAlready(client, plan.endpoint, plan.camera, plan.params, plan.body, options)
      : {
          answer: await callForCameras(client, plan.endpoint, plan.camera, plan.params, plan.body, options),
          already: false,
        };
    if (plan.waitKind) {
      call.waiting(state.waitText[plan.waitKind]);
      await waitForCameras(client, plan.waitKind, plan.camera, {
        timeoutMs: state.waitTimeoutMs,
        signal: call.signal,
      });
    }
    return answer;
  },
  reply: (plan, result) => ({
    payload: result.answer,
    meta: {
      method: plan.endpoint.method,
      path: describePath(plan.endpoint, plan.camera, plan.params),
      camera: plan.camera === ALL_CAMERAS ? 'all' : plan.camera,
      ...(plan.waitKind ? { waitedFor: plan.waitKind } : {}),
      ...(result.already ? { already: true } : {}),
    },
    status: plan.endpoint.label,
  }),
});

function failUnknown(operation: string): never {
  throw new Error(`"${operation.slice(0, 60)}" is not a motif operation`);
}
