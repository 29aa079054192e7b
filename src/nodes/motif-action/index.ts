/**
 * motif-action: any motif API operation, for one camera or all, with optional wait-until-done.
 * Thin glue: `request.ts` plans the call from config + msg, the shared motif client (owned by the
 * motif-server config node) performs it, and this file routes results, errors and status.
 */
import { setMaxListeners } from 'node:events';
import { ALL_CAMERAS, callForCameras, describePath, waitForCameras } from '../../backends/motif';
import type { Disposer } from '../../common/disposer';
import {
  configNode,
  onInput,
  registerNode,
  translator,
  useConnection,
  type Node,
  type NodeDef,
  type RED,
} from '../../common/node-red';
import { status } from '../../common/status';
import type { MotifServerNode } from '../motif-server';
import { registerMotifAdmin } from './admin';
import { planCall, waitKindFor, type MotifActionConfig, type MotifActionMsg } from './request';

interface MotifActionNodeConfig extends NodeDef, MotifActionConfig {
  server: string;
  wait: boolean;
  waitTimeout: string | number;
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerMotifAdmin(RED);
  registerNode<MotifActionNodeConfig>(RED, 'motif-action', (node: Node, config, life: Disposer) => {
    const server = configNode<MotifServerNode>(RED, config.server, 'motif-server');
    const waitTimeoutMs = Math.max(1, Number(config.waitTimeout) || 600) * 1000;
    const abort = new AbortController();
    // Every call under way listens on this one signal (close cancels them all): no listener cap.
    setMaxListeners(0, abort.signal);
    life.add(() => abort.abort());
    let busy = 0;
    const view = useConnection(node, server.connection, life, t, (shape, connected) =>
      connected && busy > 0 ? status('busy', t('motif-action.status.working')) : shape,
    );

    onInput(
      node,
      async (msg, send) => {
        const call = planCall(config, msg as MotifActionMsg);
        const client = server.connection.client();
        const started = Date.now();
        busy++;
        view.set('busy', call.endpoint.label);
        try {
          const result = await callForCameras(client, call.endpoint, call.camera, call.params, call.body, {
            signal: abort.signal,
          });
          server.connection.reportSuccess();
          const waitKind = config.wait ? waitKindFor(call.endpoint) : undefined;
          if (waitKind) {
            view.set('busy', t(`motif-action.status.wait-${waitKind}`));
            // An all-cameras operation (no camera in its path) waits for every camera.
            await waitForCameras(client, waitKind, call.camera, {
              timeoutMs: waitTimeoutMs,
              signal: abort.signal,
            });
          }
          msg.payload = result;
          msg.motif = {
            operation: call.endpoint.id,
            method: call.endpoint.method,
            path: describePath(call.endpoint, call.camera, call.params),
            camera: call.camera === ALL_CAMERAS ? 'all' : call.camera,
            server: server.address,
            durationMs: Date.now() - started,
            ...(waitKind ? { waitedFor: waitKind } : {}),
          };
          view.set('connected', call.endpoint.label);
          send(msg);
        } catch (err) {
          server.connection.reportFailure(err);
          throw err;
        } finally {
          busy--;
        }
      },
      (error) => view.set('error', error.statusText),
    );
  });
}
