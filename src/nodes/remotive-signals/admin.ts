/**
 * Editor look-up for remotive-signals, behind Node-RED's permission check: the namespaces and
 * signal names of a deployed broker. Always answers JSON (`[{namespace, signals}]`, or
 * `{error}` with a status), never an HTML error page; errors are redacted by the connection.
 */
import type { RemotiveClient } from '../../backends/remotive';
import { toRecorderError } from '../../common/errors';
import type { RED, ServerNode } from '../../common/node-red';

export function registerRemotiveAdmin(RED: RED): void {
  RED.httpAdmin.get(
    '/recorders/remotive/:brokerId/signals',
    RED.auth.needsPermission('remotive-signals.read'),
    (req, res) => {
      const found = RED.nodes.getNode(String(req.params.brokerId)) as unknown as
        (ServerNode<RemotiveClient> & { type?: string }) | null;
      if (!found || found.type !== 'remotive-broker' || !found.connection) {
        res.status(404).json({ error: 'deploy the remotive-broker first' });
        return;
      }
      found.connection
        .run((client) => client.listSignals())
        .then(
          (namespaces) => res.json(namespaces),
          (err: unknown) => res.status(502).json({ error: toRecorderError(err).message }),
        )
        // Both branches answer; res.json throws only for a response already ended, which none is here.
        .catch(() => undefined);
    },
  );
}
