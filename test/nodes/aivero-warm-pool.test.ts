/**
 * Aivero connections made ready when the server node starts, not on the first message: after the
 * probe, one call from every aivero-action at once opens no new TLS connection. Counted on the
 * simulator's side (the connections it accepted).
 */
import assert from 'node:assert/strict';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import type { ServerNode } from '../../src/kit/node-red';
import { nextMessage, waitFor } from '../support/flow';
import { helper, loadFlow, type FlowNode } from '../support/node-red';
import { AIVERO, actionNode, credentials, serverNode, startSim } from './aivero-helpers';

describe('aivero connections made ready at start', function () {
  this.timeout(60_000);
  let sim: AiveroSimulator;

  before(async () => {
    sim = await startSim();
    await helper.startServer();
  });
  after(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  it('the first call of every action node at once opens no connection after the probe passed', async () => {
    const actions = 5;
    const flow: FlowNode[] = [
      { id: 'tab', type: 'tab' },
      serverNode(sim),
      ...Array.from({ length: actions }, (_, i) =>
        actionNode({ id: `act${i}`, operation: 'listSessions', wires: [[`out${i}`]] }),
      ),
      ...Array.from({ length: actions }, (_, i) => ({ id: `out${i}`, type: 'helper', z: 'tab' })),
    ];
    await loadFlow(AIVERO, flow, credentials(sim));
    const server = helper.getNode('srv') as unknown as ServerNode<unknown>;
    await waitFor(() => server.connection.state === 'connected' || undefined, 20_000);
    const ready = sim.connectionsAccepted;
    assert.ok(ready >= actions, `one connection per node using the server after the probe (${ready})`);
    const answers = Array.from({ length: actions }, (_, i) => nextMessage(helper.getNode(`out${i}`), 10_000));
    for (let i = 0; i < actions; i++) helper.getNode(`act${i}`).receive({ payload: null });
    await Promise.all(answers);
    assert.equal(sim.connectionsAccepted, ready, 'no TLS handshake on the first messages');
  });
});
