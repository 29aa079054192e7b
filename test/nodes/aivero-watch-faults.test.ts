/**
 * aivero-watch and aivero-action's waits in a real Node-RED runtime against servers that misbehave:
 * a subscription that goes silent (the node must say "stalled", resubscribe and deliver what
 * changed meanwhile), a server flooding results (bounded messages, the latest state delivered, the
 * event loop free), and 300 messages waiting at once (one shared subscription, a closed node not
 * disturbing the others).
 */
import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { AiveroClient } from '../../src/backends/aivero';
import { startHostileServer, type HostileProtocol } from '../aivero/hostile-ws';
import { BlockMeter } from '../hostile/harness';
import { collect, waitFor, type Message } from '../support/flow';
import { helper, loadFlow, type FlowNode } from '../support/node-red';
import {
  actionNode,
  AIVERO,
  COLOR,
  credentials,
  flow,
  lastStatus,
  serverNode,
  startSim,
  watchNode,
} from './aivero-helpers';

const SESSION = '6b1f0a4e-0000-4000-8000-0000000000bb';
const PROTOCOLS: HostileProtocol[] = ['graphql-transport-ws', 'graphql-ws'];

function hostileServerNode(url: string): FlowNode {
  return { id: 'srv', type: 'aivero-server', endpoint: url, auth: 'none', tlsMode: 'verify', timeout: 5 };
}

const stateOf = (msg: Message | undefined): string | undefined => (msg?.payload as { state?: string })?.state;

describe('aivero nodes against misbehaving servers', function () {
  this.timeout(90_000);
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await helper.unload();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  for (const protocol of PROTOCOLS) {
    it(`aivero-watch over ${protocol}: a silent subscription shows "stalled", is resubscribed, and the change made meanwhile arrives once`, async () => {
      const server = await startHostileServer({
        protocol,
        script: (n) => (n === 0 ? 'silent' : 'normal'),
        sessionId: SESSION,
        state: 'Standby',
      });
      cleanups.push(() => server.close());
      await loadFlow(
        AIVERO,
        flow(hostileServerNode(server.url), watchNode({ session: SESSION, protocol, stallTimeout: 1 })),
      );
      const watch: Node = helper.getNode('watch');
      const seen = collect(helper.getNode('wout'));
      await waitFor(() => (seen.length === 1 ? true : undefined));
      const silentSince = Date.now();
      server.state = 'Started';
      await waitFor(() => (/status\.stalled/.test(lastStatus(watch)?.text ?? '') ? true : undefined), 5000);
      const stalledAfterMs = Date.now() - silentSince;
      console.log(`      ${protocol}: "stalled" shown after ${stalledAfterMs} ms (Stalled after: 1 s)`);
      // The limit (1 s) plus one check interval (0.25 s), with room for a loaded machine.
      assert.ok(stalledAfterMs >= 950 && stalledAfterMs < 3000, `"stalled" after ${stalledAfterMs} ms`);
      assert.notEqual(lastStatus(watch)?.fill, 'green');
      await waitFor(() => (seen.length === 2 ? true : undefined), 5000);
      assert.deepEqual(
        seen.map((m) => `${(m.payload as { previous: string | null }).previous ?? '-'}>${stateOf(m)}`),
        ['->Standby', 'Standby>Started'],
      );
      // Live again (under the test helper the catalog is not loaded: the key shows, cut to fit).
      await waitFor(() => (/status\.subscribed/.test(lastStatus(watch)?.text ?? '') ? true : undefined));
      assert.equal(lastStatus(watch)?.fill, 'green');
      assert.equal(server.connections, 2);
    });
  }

  for (const protocol of PROTOCOLS) {
    it(`aivero-watch over ${protocol}: a flood of results is coalesced, the latest state wins, the event loop stays free`, async () => {
      const floodMs = 2000;
      const server = await startHostileServer({
        protocol,
        script: (n) => (n === 0 ? 'flood' : 'normal'),
        sessionId: SESSION,
        state: 'Stopped',
        floodMs,
      });
      cleanups.push(() => server.close());
      const meter = new BlockMeter();
      await loadFlow(AIVERO, flow(hostileServerNode(server.url), watchNode({ session: SESSION, protocol })));
      const seen = collect(helper.getNode('wout'));
      // Measured from here: loading the runtime is not the flood's cost (the watch starts a turn later).
      meter.enable();
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
      cleanups.push(async () => clearInterval(sampler));
      cleanups.push(async () => meter.disable());
      await waitFor(
        () => (server.floodsDone === 1 && stateOf(seen[seen.length - 1]) === 'Stopped' ? true : undefined),
        floodMs + 15_000,
      );
      meter.disable();
      clearInterval(sampler);
      const rssGrowthMb = (rssPeak - rssBefore) / 1024 / 1024;
      console.log(
        `      ${protocol} flood: ${server.flooded} results sent, ${seen.length} messages, ` +
          `longest block ${meter.maxBlockMs.toFixed(1)} ms, RSS +${rssGrowthMb.toFixed(1)} MB`,
      );
      assert.ok(server.flooded > 2000, `the server flooded (${server.flooded} results)`);
      // Coalesced to at most one result per 100 ms: about 20 in the flood, plus its start and end.
      assert.ok(seen.length <= floodMs / 100 + 10, `${seen.length} messages for a ${floodMs} ms flood`);
      for (let i = 1; i < seen.length; i++) {
        const change = seen[i].payload as { previous: string; state: string };
        assert.equal(change.previous, stateOf(seen[i - 1]), 'each message follows the one before');
        assert.notEqual(change.state, change.previous);
      }
      assert.ok(meter.maxBlockMs < 100, `the event loop blocked for ${meter.maxBlockMs.toFixed(1)} ms`);
      assert.ok(rssGrowthMb < 100, `RSS grew by ${rssGrowthMb.toFixed(1)} MB`);
    });
  }

  describe('aivero-action waits', () => {
    let sim: AiveroSimulator;
    let direct: AiveroClient;
    before(async () => {
      sim = await startSim();
      direct = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca } });
    });
    after(async () => {
      await direct?.close();
      await sim?.close();
    });

    it('300 messages waiting at once share one subscription; closing one node leaves the others waiting', async () => {
      const cameraId = (await sim.cameras())[0].id;
      const ids: string[] = [];
      for (const name of ['many-a', 'many-b', 'many-c'])
        ids.push(
          (
            await direct.createSession({
              name,
              state: 'Standby',
              always: true,
              records: [{ camera: { id: cameraId }, streams: [COLOR] }],
            })
          ).sessionId,
        );
      const waiting = {
        operation: 'setState',
        state: 'Standby',
        wait: true,
        waitState: 'Started',
        waitTimeout: 60,
      };
      const nodes = [
        // 300 writes queue up in the simulator's one database connection: a generous call timeout.
        serverNode(sim, { timeout: 60 }),
        actionNode({ ...waiting }),
        actionNode({ ...waiting, id: 'other', wires: [['wout']] }),
      ];
      await loadFlow(AIVERO, flow(...nodes), credentials(sim));
      const socketsBefore = sim.webSocketsOpened;
      let peakLiveQueries = 0;
      const sampler = setInterval(() => (peakLiveQueries = Math.max(peakLiveQueries, sim.liveQueryCount)), 5);
      cleanups.push(async () => clearInterval(sampler));
      const out = collect(helper.getNode('out'));
      const act = helper.getNode('act');
      // The other node's message first: the subscription that appears is its wait's.
      helper.getNode('other').receive({ session: ids[0] });
      await waitFor(() => (sim.liveQueryCount > 0 ? true : undefined), 20_000);
      for (let i = 0; i < 299; i++) act.receive({ session: ids[i % 3], n: i });
      // The other node is closed (removed) while the 299 write and wait: its wait ends, theirs go on.
      await (helper.getNode('other') as unknown as { close(removed: boolean): Promise<void> }).close(true);
      // A device flipping the sessions to Started; a message whose own write lands after a flip
      // waits for the next one.
      await waitFor(
        () => {
          sim
            .query(`UPDATE recording_sessions SET state = 'Started' WHERE id = ANY($1::uuid[])`, [ids])
            .catch(() => undefined); // polled again on the next round
          return out.length === 299 ? true : undefined;
        },
        50_000,
        200,
      );
      clearInterval(sampler);
      const opened = sim.webSocketsOpened - socketsBefore;
      console.log(`      300 waits: ${opened} WebSockets, at most ${peakLiveQueries} live queries at once`);
      assert.deepEqual(
        out.map((m) => (m.aivero as { reached: string }).reached),
        new Array(299).fill('Started'),
      );
      assert.ok(opened <= 3, `${opened} WebSockets for 300 waits`);
      assert.ok(peakLiveQueries <= 2, `${peakLiveQueries} live queries at once for 300 waits`);
    });
  });
});
