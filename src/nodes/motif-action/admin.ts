/**
 * Editor look-ups for motif nodes, behind Node-RED's permission checks: the operation catalogue
 * (so the editor's grouped list is the runtime's own table, with which node field feeds each path
 * parameter and whether "wait until done" applies) and the cameras of a deployed server. Every
 * answer is JSON, failures included: `{ error }` with a short message, never an HTML stack trace.
 */
import { MOTIF_ENDPOINTS, type MotifClient, type MotifEndpoint } from '../../backends/motif';
import { toRecorderError } from '../../common/errors';
import type { RED, ServerNode } from '../../common/node-red';
import { pathParamSource, waitKindFor } from './request';

/** One path parameter of an operation and the motif-action field (and msg property) that fills it. */
export interface OperationField {
  param: string;
  field: string;
  label: string;
}

/** An operation as the editor gets it: the endpoint plus what the editor must not re-derive. */
export type OperationInfo = MotifEndpoint & {
  fields: OperationField[];
  waitable: boolean;
  wait: string | null;
};

export function operationCatalogue(): OperationInfo[] {
  return MOTIF_ENDPOINTS.map((endpoint) => {
    const wait = waitKindFor(endpoint) ?? null;
    return {
      ...endpoint,
      fields: endpoint.pathParams.map((param) => {
        const source = pathParamSource(endpoint, param);
        return { param, field: source.prop, label: source.label };
      }),
      waitable: wait !== null,
      wait,
    };
  });
}

const MAX_ERROR = 200;

function clip(text: string): string {
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text;
}

/** Called once per runtime start, from the node module's init. */
export function registerMotifAdmin(RED: RED): void {
  const catalogue = operationCatalogue();
  RED.httpAdmin.get(
    '/recorders/motif/operations',
    RED.auth.needsPermission('motif-action.read'),
    (_req, res) => {
      res.json(catalogue);
    },
  );
  RED.httpAdmin.get(
    '/recorders/motif/:id/cameras',
    RED.auth.needsPermission('motif-action.read'),
    (req, res) => {
      try {
        const found = RED.nodes.getNode(String(req.params.id)) as unknown as ServerNode<MotifClient> | null;
        if (!found || found.type !== 'motif-server' || !found.connection) {
          res.status(404).json({ error: 'no deployed motif-server with this id: deploy it first' });
          return;
        }
        // Through the call bracket: the outcome is recorded and the error redacted like any call.
        found.connection
          .run((client) => client.cameras())
          .then(
            (cameras) => res.json(cameras.map((c) => c.serial)),
            (err: unknown) => res.status(502).json({ error: clip(toRecorderError(err).message) }),
          )
          // Both branches answer; res.json throws only for a response already ended, which none is here.
          .catch(() => undefined);
      } catch (err) {
        // Whatever throws at once (a node in a strange state) is still an answer the editor can show.
        res.status(502).json({ error: clip(toRecorderError(err).message) });
      }
    },
  );
}
