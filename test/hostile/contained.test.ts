/**
 * Node-RED's own failures around our nodes stay contained: a message nested so deeply that the
 * runtime's clone throws inside `done(err)` must not become an unhandled rejection (stock Node-RED
 * exits on one), and a node that could not start still answers every message.
 */
import assert from 'node:assert/strict';
import { helper, nodeModule } from '../support/node-red';
import { runHostile, TARGET } from './harness';

describe('contained failures', function () {
  this.timeout(60_000);
  afterEach(async () => {
    await helper.unload();
  });

  it('a message too deep for Node-RED to clone: no unhandled rejection, the error is logged', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      await helper.load(
        [nodeModule('motif-server'), nodeModule('motif-action')] as never,
        [
          { id: 'tab', type: 'tab' },
          {
            id: TARGET,
            type: 'motif-action',
            z: 'tab',
            x: 1,
            y: 1,
            server: 'missing',
            operation: 'version',
            wires: [[]],
          },
          {
            id: 'catch',
            type: 'catch',
            z: 'tab',
            x: 1,
            y: 1,
            scope: [TARGET],
            uncaught: false,
            wires: [['caught']],
          },
          { id: 'caught', type: 'helper', z: 'tab', x: 1, y: 1 },
        ] as never,
      );
      const target = helper.getNode(TARGET);
      const logged = new Promise<void>((resolve) => {
        const spy = target.error as unknown as { callCount: number };
        const poll = (): void => {
          if (spy.callCount > 1) resolve();
          else setTimeout(poll, 10);
        };
        poll();
      });
      target.receive({ payload: deep });
      await logged;
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('a node whose config node is missing answers every message with a ConfigError', async () => {
    const result = await runHostile({
      modules: [nodeModule('motif-server'), nodeModule('motif-action')],
      nodes: [{ id: TARGET, type: 'motif-action', server: 'nope', operation: 'version' }],
      messages: [0, 1, 2].map((i) => ({ _msgid: `m${i}` })),
    });
    assert.equal(result.caught, 3);
    for (const text of result.errors) assert.match(text, /no motif-server is configured/);
  });
});
