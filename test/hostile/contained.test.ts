/**
 * Node-RED's own failures around our nodes stay contained: a message nested so deeply that the
 * runtime's copy for the Catch node would throw inside `done(err)` still reaches the Catch node
 * (never an unhandled rejection, on which stock Node-RED exits), and a node that could not start
 * still answers every message.
 */
import assert from 'node:assert/strict';
import { nextMessage } from '../support/flow';
import { helper, nodeModule } from '../support/node-red';
import { runHostile, TARGET } from './harness';

describe('contained failures', function () {
  this.timeout(60_000);
  afterEach(async () => {
    await helper.unload();
  });

  it('a message too deep for Node-RED to copy still reaches the Catch node, its deep part left out', async () => {
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
      const caught = nextMessage(helper.getNode('caught'));
      const msg = { _msgid: 'deep-1', topic: 'kept', payload: deep };
      target.receive(msg);
      const received = await caught;
      assert.equal(received._msgid, 'deep-1');
      assert.equal(received.topic, 'kept');
      assert.match(String(received.payload), /^\[left out: nested deeper than 1000 levels\]$/);
      assert.match((received.error as { message: string }).message, /no motif-server is configured/);
      assert.equal(msg.payload, deep, 'the message itself is as it was');
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
