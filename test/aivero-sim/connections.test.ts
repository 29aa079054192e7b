/** The simulator counts the connections it accepts (the scale benchmark reads it), not requests. */
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { startSim } from './helpers';

/** One GraphQL request over `agent`; resolves once the whole answer has been read. */
function cameras(sim: AiveroSimulator, agent: https.Agent): Promise<void> {
  const body = JSON.stringify({ query: '{ cameras { id } }' });
  return new Promise((resolve, reject) => {
    const req = https.request(
      sim.url,
      {
        method: 'POST',
        agent,
        ca: sim.ca,
        headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': sim.adminSecret },
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

describe('aivero simulator: connections accepted', function () {
  this.timeout(60000);

  it('counts one per connection: keep-alive requests share one, a second client opens another', async () => {
    const sim = await startSim();
    // One socket each, kept alive: the requests of one agent travel on the same connection.
    const first = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const second = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal(sim.connectionsAccepted, 0);
      for (let i = 0; i < 3; i++) await cameras(sim, first);
      assert.equal(sim.connectionsAccepted, 1, 'three requests on one kept-alive connection');
      await cameras(sim, second);
      assert.equal(sim.connectionsAccepted, 2);
    } finally {
      first.destroy();
      second.destroy();
      await sim.close();
    }
  });
});
