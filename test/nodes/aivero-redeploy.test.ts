/**
 * 100 full redeploys of a flow with an aivero-server, an aivero-action that has just made a call
 * and waited on a session, and aivero-watch nodes on every protocol: no socket, timer or listener
 * may be left behind.
 */
import assert from 'node:assert/strict';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { nextMessage, waitFor } from '../support/flow';
import { assertNoLeakAfterRedeploys } from '../support/leaks';
import { helper, loadFlow, redeploy } from '../support/node-red';
import {
  actionNode,
  AIVERO,
  credentials,
  flow,
  serverNode,
  SPEC,
  startSim,
  watchNode,
} from './aivero-helpers';

describe('aivero nodes: redeploys', function () {
  this.timeout(180_000);
  let sim: AiveroSimulator;

  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await helper.unload();
    await sim.close();
  });

  it('100 redeploys leave no socket, timer or listener behind', async () => {
    const nodes = flow(
      serverNode(sim),
      actionNode({
        operation: 'createSession',
        sessionSpec: JSON.stringify({ ...SPEC, state: 'Standby', always: true, endDate: undefined }),
        wait: true,
      }),
      watchNode({ id: 'w1', scope: 'all', protocol: 'graphql-transport-ws' }),
      watchNode({ id: 'w2', scope: 'all', protocol: 'graphql-ws' }),
      watchNode({ id: 'w3', scope: 'all', protocol: 'poll' }),
    );
    await loadFlow(AIVERO, nodes, credentials(sim));
    const listenersBefore = process.listenerCount('exit') + process.listenerCount('uncaughtException');
    let round = 0;
    await assertNoLeakAfterRedeploys(async () => {
      round++;
      await redeploy(
        nodes.map((n) => (n.id === 'act' ? { ...n, name: `round ${round}` } : n)),
        credentials(sim),
      );
      // Every few rounds a real call (and a wait on the session) is under way when the next deploy comes.
      if (round % 10 === 1) {
        const got = nextMessage(helper.getNode('out'), 10_000);
        helper.getNode('act').receive({});
        await got;
      }
    });
    assert.ok(
      process.listenerCount('exit') + process.listenerCount('uncaughtException') <= listenersBefore + 2,
    );
    // The simulator saw every live query end: nothing subscribed is left but the current flow's two
    // watches (the waits' shared subscription closes once nobody has waited for a while).
    await waitFor(() => (sim.liveQueryCount <= 2 ? true : undefined), 10_000).catch(() =>
      assert.fail(`live queries left: ${sim.liveQueryCount}`),
    );
  });
});
