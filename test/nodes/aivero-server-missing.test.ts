/**
 * An aivero-server without the credential its authentication needs (an example imported from the
 * menu carries none): every user node's status names what to fill in, not just "not configured".
 */
import assert from 'node:assert/strict';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { waitFor } from '../support/flow';
import { helper, loadFlow } from '../support/node-red';
import {
  actionNode,
  AIVERO,
  credentials,
  flow,
  lastStatus,
  serverNode,
  startSim,
  watchNode,
} from './aivero-helpers';

describe('aivero-server: a missing credential in the status', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;

  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  const cases = [
    { what: 'no admin secret', server: {}, secret: '', status: 'admin secret missing' },
    { what: 'no JWT', server: { auth: 'jwt' }, secret: '', status: 'JWT missing' },
    { what: 'no CA certificate', server: { ca: '' }, secret: undefined, status: 'CA certificate missing' },
  ];
  for (const c of cases)
    it(`${c.what}: the user nodes say "${c.status}", red`, async () => {
      await loadFlow(
        AIVERO,
        flow(serverNode(sim, c.server), actionNode(), watchNode({ scope: 'all' })),
        credentials(sim, c.secret ?? sim.adminSecret),
      );
      for (const id of ['act', 'watch']) {
        const status = await waitFor(() => {
          const s = lastStatus(helper.getNode(id));
          return s?.fill === 'red' ? s : undefined;
        });
        assert.match(status.text ?? '', new RegExp(c.status), `${id}: ${JSON.stringify(status)}`);
      }
    });
});
