/**
 * Editor look-ups for motif nodes, behind Node-RED's permission checks: the operation catalogue
 * (so the editor's grouped list is the runtime's own table) and the cameras of a deployed server.
 */
import { MOTIF_ENDPOINTS } from '../../backends/motif/endpoints';
import { toRecorderError } from '../../common/errors';
import type { RED } from '../../common/node-red';
import type { MotifServerNode } from '../motif-server';

/** Called once per runtime start, from the node module's init. */
export function registerMotifAdmin(RED: RED): void {
  RED.httpAdmin.get(
    '/recorders/motif/operations',
    RED.auth.needsPermission('motif-action.read'),
    (_req, res) => {
      res.json(MOTIF_ENDPOINTS);
    },
  );
  RED.httpAdmin.get(
    '/recorders/motif/:id/cameras',
    RED.auth.needsPermission('motif-action.read'),
    (req, res) => {
      const server = RED.nodes.getNode(String(req.params.id)) as unknown as MotifServerNode | null;
      if (!server?.connection) {
        res.status(404).json({ error: 'deploy the motif-server first' });
        return;
      }
      server.connection
        .client()
        .cameras()
        .then(
          (cameras) => res.json(cameras.map((c) => c.serial)),
          (err: unknown) => res.status(502).json({ error: toRecorderError(err).message }),
        );
    },
  );
}
