/**
 * Versioned configurations: the steps apply by shape (an old flow, a moved-on one and a current one
 * read the same), and each node type's migration lets an old flow deploy and work.
 */
import assert from 'node:assert/strict';
import { currentVersion, migrateConfig, type Migration } from '../../src/kit/migrations';
import { RemotiveClient } from '../../src/backends/remotive';
import { RemotiveSimulator } from '../../src/simulators/remotive';
import { nextMessage } from '../support/flow';
import { helper, loadFlow, nodeModule } from '../support/node-red';

const STEPS: Migration[] = [
  { version: 2, why: 'renamed', steps: [{ kind: 'rename', from: 'old', to: 'new' }] },
  { version: 3, why: 'a list became lines', steps: [{ kind: 'lines', field: 'names' }] },
  { version: 4, why: 'a value renamed', steps: [{ kind: 'values', field: 'mode', map: { fast: 'latest' } }] },
];

describe('versioned configurations', function () {
  it('bring a version-1 configuration to today, recording the version', () => {
    const saved = { old: 'x', names: ['a', 'b'], mode: 'fast', other: 1 };
    assert.deepEqual(migrateConfig(saved, STEPS), {
      new: 'x',
      names: 'a\nb',
      mode: 'latest',
      other: 1,
      configVersion: 4,
    });
    assert.deepEqual(
      saved,
      { old: 'x', names: ['a', 'b'], mode: 'fast', other: 1 },
      'the saved one is left as it is',
    );
    assert.equal(currentVersion(STEPS), 4);
  });

  it('leave a current configuration as it is, whatever version it claims', () => {
    const current = { new: 'y', names: 'a\nb', mode: 'every', configVersion: 1 };
    assert.deepEqual(migrateConfig(current, STEPS), { ...current, configVersion: 4 });
  });

  it('keep the new property when a flow has both (the editor moved it on, an old tool wrote the old one)', () => {
    assert.equal(migrateConfig({ old: 'stale', new: 'kept' }, STEPS).new, 'kept');
    assert.equal('old' in migrateConfig({ old: 'stale', new: 'kept' }, STEPS), false);
  });

  it('do nothing for a node type without migrations', () => {
    const saved = { a: 1 };
    assert.equal(migrateConfig(saved, []), saved);
  });
});

describe('remotive-signals version 2: the signals as one text, a name per line', function () {
  let sim: RemotiveSimulator;
  beforeEach(async () => {
    sim = await RemotiveSimulator.start({ statusIntervalMs: 50, tickMs: 20 });
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  it('an old flow with the signals as a list deploys and subscribes to each of them', async () => {
    await loadFlow(
      [nodeModule('remotive-broker'), nodeModule('remotive-signals')],
      [
        { id: 'tab', type: 'tab' },
        { id: 'brk', type: 'remotive-broker', url: sim.url, ca: '', timeout: 2 },
        {
          id: 'sig',
          type: 'remotive-signals',
          z: 'tab',
          broker: 'brk',
          namespace: 'chassis',
          signals: ['Speed', ' SteeringAngle '],
          output: 'batch',
          wires: [['out']],
        },
        { id: 'out', type: 'helper', z: 'tab' },
      ],
    );
    const client = new RemotiveClient({ url: sim.url });
    try {
      await client.open('drive/city-loop.recordingsession.yaml');
      await client.play('drive/city-loop.recordingsession.yaml');
      const msg = await nextMessage(helper.getNode('out'));
      assert.deepEqual(Object.keys(msg.payload as object).sort(), ['Speed', 'SteeringAngle']);
    } finally {
      await client.close();
    }
  });
});
