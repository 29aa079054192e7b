/**
 * aivero-action: find cameras, create a session with its records and streams, set its state, get,
 * list and delete sessions; optionally wait until the session reaches a state. Thin glue: `plan.ts`
 * reads config + msg, the shared client (owned by aivero-server) performs the call through the
 * connection's `run`, and this file routes results, errors and status.
 */
import { setMaxListeners } from 'node:events';
import type { AiveroClient, CallOptions } from '../../backends/aivero';
import { readConfig } from '../../common/fields';
import {
  attachConnection,
  configNode,
  onInput,
  registerNode,
  translator,
  type NodeDef,
  type RED,
  type ServerNode,
} from '../../common/node-red';
import { registerAiveroAdmin } from './admin';
import { FIELDS } from './fields';
import { planCall, type ActionValues, type Plan } from './plan';
import { waitForState, type Reached } from './wait';

interface Outcome {
  result: unknown;
  /** The session the call was about, for msg.session (chaining into the next aivero node). */
  session?: string;
  /** The state written or reached, for the status. */
  state?: string;
  warnings?: string[];
  status: string;
}

async function perform(client: AiveroClient, plan: Plan, options: CallOptions): Promise<Outcome> {
  switch (plan.operation) {
    case 'findCamera': {
      const camera = await client.findCamera(plan.camera.model, plan.camera.serial, options);
      return { result: camera, status: 'found' };
    }
    case 'listCameras': {
      const cameras = await client.listCameras(options);
      return { result: cameras, status: `${cameras.length} cameras` };
    }
    case 'createSession': {
      const created = await client.createSession(plan.spec, options);
      return {
        result: created,
        session: created.sessionId,
        state: created.state,
        warnings: created.warnings,
        status: created.state,
      };
    }
    case 'getSession': {
      const session = await client.getSession(plan.session, options);
      return {
        result: session,
        session: session.id,
        state: String(session.state),
        status: String(session.state),
      };
    }
    case 'listSessions': {
      const sessions = await client.listSessions({
        ...options,
        state: plan.state,
        name: plan.name,
        limit: plan.limit,
      });
      return { result: sessions, status: `${sessions.length} sessions` };
    }
    case 'deleteSession': {
      const deleted = await client.deleteSession(plan.session, options);
      return { result: deleted, session: deleted.id, status: 'deleted' };
    }
    case 'setState': {
      const set = await client.setState(plan.session, plan.state, options);
      return { result: set, session: set.id, state: set.state, status: set.state };
    }
  }
}

/** What to wait for after this call, if anything. */
function waitTarget(values: ActionValues, plan: Plan, outcome: Outcome): string | undefined {
  if (!values.wait || !outcome.session) return undefined;
  if (plan.operation !== 'setState' && plan.operation !== 'createSession') return undefined;
  return values.waitState || outcome.state;
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerAiveroAdmin(RED);
  registerNode<NodeDef>(RED, 'aivero-action', (node, config, life) => {
    const configured = readConfig(FIELDS, config as unknown as Record<string, unknown>, 'aivero-action');
    const server = configNode<ServerNode<AiveroClient>>(RED, configured.server, 'aivero-server');
    const abort = new AbortController();
    // Every call under way listens on this one signal (close cancels them all): no listener cap.
    setMaxListeners(0, abort.signal);
    life.add(() => abort.abort());
    const status = attachConnection(node, server.connection, life, t);
    const waitMs = (configured.waitTimeout ?? 30) * 1000;

    onInput(
      node,
      async (msg, send) => {
        const { plan: current, values } = planCall(configured, msg);
        const started = performance.now();
        status.set('busy', t(`aivero-action.operation.${current.operation}`));
        const { outcome, reached } = await server.connection.run(async (client) => {
          const outcome = await perform(client, current, { signal: abort.signal });
          const target = waitTarget(values, current, outcome);
          let reached: Reached | undefined;
          if (target && outcome.session) {
            status.set('busy', t('aivero-action.status.waiting', { state: target }));
            reached = await waitForState(client, outcome.session, target, waitMs, abort.signal);
          }
          return { outcome, reached };
        }, current.operation);
        msg.payload = outcome.result;
        if (outcome.session) msg.session = outcome.session;
        msg.aivero = {
          operation: current.operation,
          server: server.address,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          ...(outcome.session ? { session: outcome.session } : {}),
          ...(outcome.state ? { state: outcome.state } : {}),
          ...(outcome.warnings && outcome.warnings.length ? { warnings: outcome.warnings } : {}),
          ...(reached ? { reached: reached.state, waitedMs: reached.waitedMs } : {}),
        };
        if (outcome.warnings?.length)
          status.set('warning', t('aivero-action.status.warnings', { count: outcome.warnings.length }));
        else status.set('connected', reached ? reached.state : outcome.status);
        send(msg);
      },
      (error) => status.fail(error),
    );
  });
}
