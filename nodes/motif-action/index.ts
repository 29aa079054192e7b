/**
 * motif-action: any motif API operation, for one camera or all, with optional wait-until-done.
 * Thin glue: `fields.ts` says what the node is told (a configured value wins over msg), `request.ts`
 * plans the call, the backend performs it (fan-out over cameras included) through the server's
 * connection, and the layered status shows connection, standing warning and this node's activity.
 */
import { setMaxListeners } from 'node:events';
import {
  ALL_CAMERAS,
  callForCameras,
  describePath,
  findEndpoint,
  waitForCameras,
  waitKindFor,
  type MotifClient,
} from '../../src/backends/motif';
import type { Disposer } from '../../src/common/disposer';
import { ConfigError } from '../../src/common/errors';
import { readConfig, resolveInput } from '../../src/common/fields';
import {
  attachConnection,
  configNode,
  onInput,
  registerNode,
  translator,
  type Node,
  type NodeDef,
  type RED,
  type ServerNode,
} from '../../src/common/node-red';
import { Activity } from './activity';
import { registerMotifAdmin } from './admin';
import { FIELDS } from './fields';
import { planCall } from './request';

export default function (RED: RED): void {
  const t = translator(RED);
  registerMotifAdmin(RED);
  registerNode<NodeDef>(RED, 'motif-action', (node: Node, config, life: Disposer) => {
    const configured = readConfig(FIELDS, config as unknown as Record<string, unknown>, 'motif-action');
    if (configured.operation && !findEndpoint(configured.operation))
      throw new ConfigError(
        `motif-action: operation "${configured.operation.slice(0, 60)}" is not a motif operation`,
        'operation',
        'invalid operation',
      );
    const server = configNode<ServerNode<MotifClient>>(RED, configured.server, 'motif-server');
    const waitTimeoutMs = Math.round((configured.waitTimeout ?? 600) * 1000);
    const abort = new AbortController();
    // Every call under way listens on this one signal (close cancels them all): no listener cap.
    setMaxListeners(0, abort.signal);
    life.add(() => abort.abort());
    const status = attachConnection(node, server.connection, life, t);
    // Translated once: a catalog look-up per message costs more than the rest of the status work.
    const waitText = {
      stopped: t('motif-action.status.wait-stopped'),
      copied: t('motif-action.status.wait-copied'),
      exported: t('motif-action.status.wait-exported'),
    };
    const activity = new Activity(status, t('motif-action.status.working'));
    life.add(() => activity.dispose());

    onInput(
      node,
      async (msg, send) => {
        const call = planCall(resolveInput(FIELDS, configured, msg), msg.payload);
        const waitKind = configured.wait ? waitKindFor(call.endpoint) : undefined;
        const started = Date.now();
        activity.begin(started);
        try {
          const result = await server.connection.run(async (client) => {
            const answer = await callForCameras(client, call.endpoint, call.camera, call.params, call.body, {
              signal: abort.signal,
            });
            if (waitKind) {
              activity.waiting(waitText[waitKind]);
              await waitForCameras(client, waitKind, call.camera, {
                timeoutMs: waitTimeoutMs,
                signal: abort.signal,
              });
            }
            return answer;
          });
          msg.payload = result;
          const motif: Record<string, unknown> = {
            operation: call.endpoint.id,
            method: call.endpoint.method,
            path: describePath(call.endpoint, call.camera, call.params),
            camera: call.camera === ALL_CAMERAS ? 'all' : call.camera,
            server: server.address,
            durationMs: Date.now() - started,
          };
          if (waitKind) motif.waitedFor = waitKind;
          msg.motif = motif;
          activity.end(call.endpoint.label);
          send(msg);
        } catch (err) {
          activity.abandon();
          throw err;
        }
      },
      (error) => activity.fail(error),
    );
  });
}
