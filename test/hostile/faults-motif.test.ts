/**
 * motif faults with the nodes in a real Node-RED runtime: the server killed and started again
 * (the flow recovers without a redeploy, every node of that server shows the same state while it is
 * down), and a half-open link (a proxy that stops forwarding: calls time out, the connection shows
 * it, and calls work again once the link does).
 */
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import type { Node } from 'node-red';
import { MotifSimulator } from '../../src/simulators/motif/server';
import { StallProxy } from '../remotive/proxy';
import { helper, loadFlow, nodeModule, type FlowNode } from '../support/node-red';

const MODULES = [nodeModule('motif-server'), nodeModule('motif-action')];
type Shape = { fill?: string; shape?: string; text?: string };

function lastStatus(node: Node): Shape | undefined {
  const spy = node.status as unknown as { getCalls(): Array<{ thisValue: unknown; args: [Shape] }> };
  const mine = spy.getCalls().filter((c) => c.thisValue === node);
  return mine.at(-1)?.args[0];
}

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function flow(port: number, fingerprint: string): FlowNode[] {
  const action = (id: string, y: number): FlowNode => ({
    id,
    type: 'motif-action',
    z: 'tab',
    x: 100,
    y,
    server: 'srv',
    operation: 'version',
    wires: [['out']],
  });
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'srv',
      type: 'motif-server',
      host: '127.0.0.1',
      port,
      tlsMode: 'fingerprint',
      fingerprint,
      timeout: 1,
    },
    action('a1', 100),
    action('a2', 200),
    { id: 'out', type: 'helper', z: 'tab', x: 300, y: 100 },
    {
      id: 'catch',
      type: 'catch',
      z: 'tab',
      x: 100,
      y: 300,
      scope: null,
      uncaught: false,
      wires: [['caught']],
    },
    { id: 'caught', type: 'helper', z: 'tab', x: 300, y: 300 },
  ];
}

/** Send one message to a1; resolve with 'output' or the caught error's text. */
function ask(): Promise<string> {
  return new Promise((resolve) => {
    const out = helper.getNode('out') as unknown as EventEmitter;
    const caught = helper.getNode('caught') as unknown as EventEmitter;
    const id = `m-${Math.random()}`;
    const onOut = (msg: { _msgid: string }): void => {
      if (msg._msgid !== id) return;
      off();
      resolve('output');
    };
    const onCaught = (msg: { _msgid: string; error: { message: string } }): void => {
      if (msg._msgid !== id) return;
      off();
      resolve(msg.error.message);
    };
    const off = (): void => {
      out.off('input', onOut);
      caught.off('input', onCaught);
    };
    out.on('input', onOut);
    caught.on('input', onCaught);
    helper.getNode('a1').receive({ _msgid: id, payload: 1 });
  });
}

describe('motif faults in Node-RED', function () {
  this.timeout(90_000);
  afterEach(async () => {
    await helper.unload();
  });

  it('server killed and started again: one state on every node while down, recovery without a redeploy', async () => {
    let sim = await MotifSimulator.start({ streams: { enabled: false } });
    const { port, apiKey, fingerprint256 } = sim;
    try {
      await loadFlow(MODULES, flow(port, fingerprint256), { srv: { apiKey } });
      assert.equal(await ask(), 'output');
      await sim.close();
      assert.match(await ask(), /Connection|reach|refused/i);
      const a1 = helper.getNode('a1');
      const a2 = helper.getNode('a2');
      const down = await until(() => {
        const s1 = lastStatus(a1);
        const s2 = lastStatus(a2);
        return s1?.fill === 'red' && s2?.fill === 'red' ? [s1, s2] : undefined;
      }, 'both nodes red');
      assert.equal(down[0].shape, down[1].shape, 'the same state on both nodes');
      sim = await MotifSimulator.start({ port, apiKey, streams: { enabled: false } });
      // Whatever the backoff has reached, the next calls reach the restarted server.
      await until(
        async () => ((await ask()) === 'output' ? true : undefined),
        'a call through after the restart',
      );
      await until(() => (lastStatus(a2)?.fill === 'green' ? true : undefined), 'the other node green again');
    } finally {
      await sim.close();
    }
  });

  it('half-open link: calls time out, the nodes show it, and work again when the link does', async () => {
    const sim = await MotifSimulator.start({ streams: { enabled: false } });
    const proxy = await StallProxy.start(sim.port);
    try {
      await loadFlow(MODULES, flow(proxy.port, sim.fingerprint256), { srv: { apiKey: sim.apiKey } });
      assert.equal(await ask(), 'output');
      proxy.blackhole();
      const started = Date.now();
      assert.match(await ask(), /TimeoutError|did not answer|timed? ?out/i);
      assert.ok(Date.now() - started < 10_000, 'the timeout ends the call, not the stall');
      await until(
        () => (lastStatus(helper.getNode('a2'))?.fill === 'red' ? true : undefined),
        'the other node red',
      );
      proxy.restore();
      await until(
        async () => ((await ask()) === 'output' ? true : undefined),
        'a call through after the link is back',
      );
    } finally {
      await proxy.close();
      await sim.close();
    }
  });
});
