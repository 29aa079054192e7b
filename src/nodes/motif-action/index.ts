/**
 * motif-action: any motif API operation, for one camera or all, with optional wait-until-done.
 * Thin glue: `request.ts` plans the call from config + msg, the shared motif client (owned by the
 * motif-server config node) performs it, and this file routes results, errors and status.
 */
import { setMaxListeners } from 'node:events';
import type { MotifClient } from '../../backends/motif/client';
import { endpointPath, type MotifEndpoint } from '../../backends/motif/endpoints';
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
import {
  ALL_CAMERAS,
  planCall,
  waitKindFor,
  type MotifActionConfig,
  type MotifActionMsg,
  type PlannedCall,
} from './request';

interface MotifActionNodeConfig extends NodeDef, MotifActionConfig {
  server: string;
  wait: boolean;
  waitTimeout: string | number;
}

async function camerasFor(client: MotifClient, call: PlannedCall, signal: AbortSignal): Promise<string[]> {
  if (call.camera !== ALL_CAMERAS) return call.camera ? [call.camera] : [];
  const cameras = await client.cameras({ signal });
  return cameras.map((c) => c.serial);
}

async function perform(client: MotifClient, call: PlannedCall, signal: AbortSignal): Promise<unknown> {
  if (call.camera !== ALL_CAMERAS) {
    const params = call.camera ? { ...call.params, serial: call.camera } : call.params;
    return client.call(call.endpoint.id, params, call.body, { signal });
  }
  // No all-cameras form of this operation: run it on each camera, results keyed by serial.
  const results: Record<string, unknown> = {};
  for (const serial of await camerasFor(client, call, signal)) {
    results[serial] = await client.call(call.endpoint.id, { ...call.params, serial }, call.body, { signal });
  }
  return results;
}

function describeCall(endpoint: MotifEndpoint, call: PlannedCall): string {
  const params =
    call.camera && call.camera !== ALL_CAMERAS ? { ...call.params, serial: call.camera } : call.params;
  try {
    return endpointPath(endpoint, call.camera === ALL_CAMERAS ? { ...params, serial: '*' } : params);
  } catch {
    return endpoint.id;
  }
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
          const result = await perform(client, call, abort.signal);
          server.connection.reportSuccess();
          const waitKind = config.wait ? waitKindFor(call.endpoint) : undefined;
          if (waitKind) {
            view.set('busy', t(`motif-action.status.wait-${waitKind}`));
            // An all-cameras operation (no camera in its path) waits for every camera.
            const waitOn = call.camera ? call : { ...call, camera: ALL_CAMERAS };
            for (const serial of await camerasFor(client, waitOn, abort.signal)) {
              await client.waitUntil(waitKind, serial, { timeoutMs: waitTimeoutMs, signal: abort.signal });
            }
          }
          msg.payload = result;
          msg.motif = {
            operation: call.endpoint.id,
            method: call.endpoint.method,
            path: describeCall(call.endpoint, call),
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
