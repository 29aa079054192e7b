/**
 * motif-action: any motif API operation, for one camera or all, with optional wait-until-done.
 * `fields.ts` says what the node is told, `request.ts` plans the call from it; the backend performs
 * it (fan-out over cameras and waiting included). Everything else is the node kit's.
 */
import {
  ALL_CAMERAS,
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
}

type Plan = PlannedCall & { waitKind: MotifWaitKind | undefined };

export default defineActionNode<typeof FIELDS, MotifClient, Plan, unknown, State>({
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
    const answer = await callForCameras(client, plan.endpoint, plan.camera, plan.params, plan.body, {
      signal: call.signal,
    });
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
    payload: result,
    meta: {
      method: plan.endpoint.method,
      path: describePath(plan.endpoint, plan.camera, plan.params),
      camera: plan.camera === ALL_CAMERAS ? 'all' : plan.camera,
      ...(plan.waitKind ? { waitedFor: plan.waitKind } : {}),
    },
    status: plan.endpoint.label,
  }),
});

function failUnknown(operation: string): never {
  throw new Error(`"${operation.slice(0, 60)}" is not a motif operation`);
}
