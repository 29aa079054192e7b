/**
 * Editor look-up for remotive-signals: the namespaces and signal names of a deployed broker
 * (`[{namespace, signals}]`), through the connection, so errors are redacted like any call's.
 */
import type { RemotiveClient } from '../../src/backends/remotive';
import type { RED } from '../../src/kit/node-red';
import { adminRoute, deployedServer } from '../../src/kit/admin';

export function registerRemotiveAdmin(RED: RED): void {
  adminRoute(RED, '/recorders/remotive/:brokerId/signals', 'remotive-signals.read', ({ brokerId }) =>
    deployedServer<RemotiveClient>(RED, brokerId, 'remotive-broker').connection.run((client) =>
      client.listSignals(),
    ),
  );
}
