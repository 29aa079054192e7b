/**
 * A node's status after its call failed, in a real Node-RED runtime against a hostile HTTPS server
 * whose health check answers while every other call hangs: the call times out, the connection's
 * probe passes again a moment later, and the node still shows that its last call timed out (not a
 * green "connected") until a call of its succeeds.
 */
import assert from 'node:assert/strict';
import type { AiveroClient } from '../../src/backends/aivero';
import type { ServerNode } from '../../src/kit/node-red';
import { startHostileFront, type HostileFront } from '../aivero/hostile-front';
import { nextMessage, statusOf, waitFor } from '../support/flow';
import { helper, loadFlow } from '../support/node-red';
import { actionNode, AIVERO, flow } from './aivero-helpers';

const SESSION = '6b1f0a4e-0000-4000-8000-000000000001';
const SET_STATE = 'UpdateRecordingSessionState';

describe('aivero-action: status after a failed call', function () {
  this.timeout(30_000);
  let front: HostileFront;
  let hanging = true;

  before(async () => {
    front = await startHostileFront();
    front.rules.push((req) => {
      if (req.operation !== SET_STATE) return undefined; // health, schema: answered at once
      if (hanging) return { hang: true };
      return { json: { data: { updateRecordingSession: { id: SESSION } } } };
    });
  });
  after(async () => {
    await front.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('shows the timeout after the health probe passes again, until a call succeeds', async () => {
    await loadFlow(
      AIVERO,
      flow(
        {
          id: 'srv',
          type: 'aivero-server',
          endpoint: front.url,
          auth: 'admin',
          tlsMode: 'ca',
          ca: front.ca,
          timeout: 1,
        },
        actionNode({ state: 'Stopped', session: SESSION }),
      ),
      { srv: { adminSecret: 'status-admin-secret' } },
    );
    const server = helper.getNode('srv') as unknown as ServerNode<AiveroClient>;
    const act = helper.getNode('act');
    await waitFor(() => (server.connection.state === 'connected' ? true : undefined));

    const caught = nextMessage(helper.getNode('caught'));
    act.receive({ _msgid: 'slow-1' });
    const error = (await caught).error as { message: string };
    assert.match(error.message, /did not answer within 1000 ms/);
    const failedAt = front.seen.length;

    // The timeout moved the connection to a retry; its probe (health, one query) answers at once.
    await waitFor(() =>
      server.connection.state === 'connected' &&
      front.seen.slice(failedAt).some((r) => r.operation === 'AiveroHealth')
        ? true
        : undefined,
    );
    // What the node shows once its status settled with the connection back.
    const shown = await waitFor(() => {
      const s = statusOf(act);
      return s && (s.text === 'timeout' || s.fill === 'green') ? s : undefined;
    });
    assert.deepEqual(shown, { fill: 'red', shape: 'dot', text: 'timeout' });

    hanging = false;
    const out = nextMessage(helper.getNode('out'));
    act.receive({ _msgid: 'fast-1' });
    assert.equal((await out)._msgid, 'fast-1');
    await waitFor(() => (statusOf(act)?.fill === 'green' ? true : undefined));
    assert.equal(statusOf(act)?.text, 'Stopped');
  });
});
