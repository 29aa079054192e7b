/**
 * Connections made ready when the server node starts, not on the first message: after the probe,
 * a "start recording" on every camera at once opens no new TLS connection. Counted on the
 * simulator's side (the TLS connections it accepted).
 */
import assert from 'node:assert/strict';
import type { MotifSimulator } from '../../src/simulators/motif';
import type { ServerNode } from '../../src/kit/node-red';
import { helper, loadFlow, nodeModule, type FlowNode } from '../support/node-red';
import { nextMessage, waitFor } from '../support/flow';
import { clientFor, startSimulator } from './helpers';

describe('motif connections made ready at start', function () {
  let sim: MotifSimulator;

  beforeEach(async () => {
    sim = await startSimulator({ cameras: ['FAKE0', 'FAKE1', 'FAKE2'] });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('warm() opens one connection per call at once, at most the pool size', async () => {
    const client = clientFor(sim, { connections: 4 });
    try {
      await client.warm(3);
      assert.equal(sim.tlsConnections, 3);
      await client.warm(10);
      assert.equal(sim.tlsConnections, 4, 'never more than the pool holds');
      await Promise.all([client.version(), client.version(), client.version(), client.version()]);
      assert.equal(sim.tlsConnections, 4, 'calls use the ready connections');
    } finally {
      await client.close();
    }
  });

  describe('in Node-RED', function () {
    beforeEach(async () => {
      await helper.startServer();
    });
    afterEach(async () => {
      await helper.unload();
      await helper.stopServer();
    });

    it('the first start on every camera opens no new connection after the probe passed', async () => {
      const cameras = ['FAKE0', 'FAKE1', 'FAKE2'];
      const flow: FlowNode[] = [
        { id: 'tab', type: 'tab' },
        {
          id: 'srv',
          type: 'motif-server',
          host: '127.0.0.1',
          port: sim.port,
          tlsMode: 'fingerprint',
          fingerprint: sim.fingerprint256,
          timeout: 2,
        },
        ...cameras.map((camera, i) => ({
          id: `start${i}`,
          type: 'motif-action',
          z: 'tab',
          server: 'srv',
          operation: 'camera/<serial>/recording/start',
          camera,
          args: '',
          payloadArgs: false,
          wires: [[`out${i}`]],
        })),
        ...cameras.map((_, i) => ({ id: `out${i}`, type: 'helper', z: 'tab' })),
      ];
      await loadFlow([nodeModule('motif-server'), nodeModule('motif-action')], flow, {
        srv: { apiKey: sim.apiKey },
      });
      const server = helper.getNode('srv') as unknown as ServerNode<unknown>;
      await waitFor(() => server.connection.state === 'connected' || undefined);
      const ready = sim.tlsConnections;
      assert.equal(ready, cameras.length, 'one connection per camera after the probe');
      const acks = cameras.map((_, i) => nextMessage(helper.getNode(`out${i}`)));
      cameras.forEach((_, i) => helper.getNode(`start${i}`).receive({ payload: null }));
      await Promise.all(acks);
      assert.equal(sim.tlsConnections, ready, 'no TLS handshake on the first message');
      for (const camera of cameras) assert.notEqual(sim.state.cameras.get(camera)?.recording.status, 'idle');
    });
  });
});
