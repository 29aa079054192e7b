/**
 * Every example flow, as `npm start` deploys it: assembled against the running simulators, loaded
 * into a real Node-RED runtime, every inject pressed once (those that stop something last). Each tab
 * must produce output and no tab may report an error.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { assembleFlows, listExamples, readExample, type FlowNode } from '../../src/devtools/flows';
import { startMqttBroker } from '../../src/devtools/mqtt-broker';
import { simulatorTargets } from '../../src/devtools/targets';
import { startExampleSystems, type ExampleSystems } from '../../src/devtools/example-systems';
import type { SimulatorHandle } from '../../src/simulators/types';
import { helper, loadFlow } from '../support/node-red';
import { BUILT_IN, CORE, modulesFor, pkg } from './runtime';

const root = path.resolve(__dirname, '..', '..', '..');
const examplesDir = path.join(root, 'examples');

describe('example flows', function () {
  this.timeout(60_000);
  const files = listExamples(examplesDir);
  let handles: SimulatorHandle[] = [];

  it('are importable: a JSON array with one tab, a comment and only core or package nodes', () => {
    assert.ok(files.length >= 4, `examples found: ${files.length}`);
    const ours = new Set(Object.keys(pkg['node-red'].nodes));
    for (const file of files) {
      const nodes = readExample(file);
      const name = path.relative(examplesDir, file);
      assert.equal(nodes.filter((n) => n.type === 'tab').length, 1, `${name}: one tab`);
      assert.ok(nodes.some((n) => n.type === 'comment'), `${name}: a comment explains it`);
      for (const n of nodes) {
        assert.ok(ours.has(n.type) || n.type in CORE || BUILT_IN.has(n.type), `${name}: unexpected node type ${n.type}`);
      }
      const ids = nodes.map((n) => n.id);
      assert.equal(new Set(ids).size, ids.length, `${name}: unique ids`);
    }
  });

  describe('run against the simulators', () => {
    // Fresh simulators per example, and as in `npm start` the tab's own (example-systems.ts):
    // one example's recording must not make the next one fail.
    let systems: ExampleSystems | undefined;
    beforeEach(async () => {
      handles = [await startMqttBroker(0)];
      await helper.startServer();
    });
    afterEach(async () => {
      await helper.unload();
      await helper.stopServer();
      await Promise.all(handles.map((h) => h.close()));
      await systems?.close();
      systems = undefined;
    });

    for (const file of listExamples(examplesDir)) {
      const name = path.relative(examplesDir, file);
      it(name, async () => {
        systems = await startExampleSystems([file]);
        const { flows, credentials } = assembleFlows([file], simulatorTargets(handles), { perFile: systems.targets });
        // Debug nodes become helper nodes so the test can see what reaches them.
        const flow: FlowNode[] = flows.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z } : n));
        await loadFlow(modulesFor(flow), flow, credentials);
        const outputs: Record<string, unknown>[] = [];
        for (const n of flow.filter((f) => f.type === 'helper')) {
          helper.getNode(n.id).on('input', (msg: Record<string, unknown>) => outputs.push(msg));
        }
        // Let connections settle (MQTT subscriptions, streams) as they would before a user clicks.
        await new Promise((r) => setTimeout(r, 1000));
        // Injects that end something (stop, close, pause) are pressed last, after the flow has shown output.
        const ending = (n: FlowNode): boolean => /\b(stop|close|pause|clear|off|disconnect)\b/i.test(String(n.name ?? ''));
        const injects = flow.filter((f) => f.type === 'inject');
        for (const n of injects.filter((f) => !ending(f))) helper.getNode(n.id).receive({});
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && outputs.filter((m) => !m.error).length === 0) {
          await new Promise((r) => setTimeout(r, 100));
        }
        for (const n of injects.filter(ending)) helper.getNode(n.id).receive({});
        // Give slower branches (waits, schedules) a moment to report an error if they are going to.
        await new Promise((r) => setTimeout(r, 1500));
        const errors = outputs.filter((m) => m.error).map((m) => (m.error as { message: string }).message);
        assert.deepEqual(errors, [], `${name}: errors reported`);
        assert.ok(outputs.length > 0, `${name}: the flow produced output`);
      });
    }
  });
});
