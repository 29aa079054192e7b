/**
 * Editor look-up for remotive-signals, behind Node-RED's permission check: the namespaces and
 * signal names of a deployed broker.
 */
import { toRecorderError } from '../../common/errors';
import type { RED } from '../../common/node-red';
import type { RemotiveBrokerNode } from '../remotive-broker';

export function registerRemotiveAdmin(RED: RED): void {
  RED.httpAdmin.get(
    '/recorders/remotive/:brokerId/signals',
    RED.auth.needsPermission('remotive-signals.read'),
    (req, res) => {
      const broker = RED.nodes.getNode(String(req.params.brokerId)) as unknown as RemotiveBrokerNode | null;
      if (!broker?.connection) {
        res.status(404).json({ error: 'deploy the remotive-broker first' });
        return;
      }
      let listing: Promise<Array<{ namespace: string; signals: string[] }>>;
      try {
        listing = broker.connection.client().listSignals();
      } catch (err) {
        res.status(502).json({ error: toRecorderError(err).message });
        return;
      }
      listing.then(
        (namespaces) => res.json(namespaces),
        (err: unknown) => res.status(502).json({ error: toRecorderError(err).message }),
      );
    },
  );
}
