/**
 * Every example tab deployed together, as `npm start` does (each tab with its own simulators from
 * example-systems.ts, one MQTT broker), and every inject a user would press pressed: no tab may
 * leave another's start failing with "already recording", nor report any other error. Injects
 * whose name says "(long run)" start something meant to run for hours and are left alone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { startExampleSystems, type ExampleSystems } from '../../src/devtools/example-systems';
import { assembleFlows, listExamples, type FlowNode } from '../../src/devtools/flows';
import { startMqttBroker } from '../../src/devtools/mqtt-broker';
import { simulatorTargets } from '../../src/devtools/targets';
import type { SimulatorHandle } from '../../src/simulators/types';
import { helper, loadFlow, redeploy } from '../support/node-red';
import { BUILT_IN, modulesFor } from './runtime';

const examplesDir = path.resolve(__dirname, '..', '..', '..', 'examples');
const LONG_RUN = /\(long run\)/i;
/** Injects that end something are pressed after the others have shown output. */
const ENDING = /\b(stop|close|pause|clear|off|disconnect)\b/i;

describe('all example tabs deployed together', function () {
  this.timeout(120_000);
  let systems: ExampleSystems | undefined;
  let mqtt: SimulatorHandle | undefined;

  before(async () => {
    mqtt = await startMqttBroker(0);
    await helper.startServer();
  });
  after(async () => {
    await helper.unload();
    await helper.stopServer();
    await mqtt?.close();
    await systems?.close();
  });

  it('every tab runs on its own systems: pressing all the buttons reports no conflict or error', async () => {
    const files = listExamples(examplesDir);
    systems = await startExampleSystems(files);
    const { flows, credentials } = assembleFlows(files, simulatorTargets(mqtt ? [mqtt] : []), {
      perFile: systems.targets,
    });
    // No two tabs share a motif, RemotiveLabs or Aivero config node.
    const configs = flows.filter((n) => /-(server|broker)$/.test(n.type) && n.type !== 'mqtt-broker');
    const users = new Map<string, Set<string>>();
    for (const n of flows)
      for (const ref of [n.server, n.broker])
        if (typeof ref === 'string' && configs.some((c) => c.id === ref))
          users.set(ref, new Set([...(users.get(ref) ?? []), String(n.z)]));
    for (const [id, tabs] of users) assert.equal(tabs.size, 1, `${id} is used by ${tabs.size} tabs`);

    const flow: FlowNode[] = flows.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z } : n));
    // The test helper loads a built-in core module (catch, status) once per node of that type and
    // fails on the second: load the modules with one node of each, then deploy the whole set.
    const builtIns = [...new Map(flow.filter((n) => BUILT_IN.has(n.type) && n.type !== 'tab').map((n) => [n.type, n])).values()];
    await loadFlow(modulesFor(flow), [{ id: 'boot', type: 'tab' }, ...builtIns.map((n) => ({ id: `boot-${n.type}`, type: n.type, z: 'boot', wires: [] }))]);
    await redeploy(flow, credentials);
    const tabOf = new Map(flow.map((n) => [n.id, n.z]));
    const label = new Map(flow.filter((n) => n.type === 'tab').map((n) => [n.id, String(n.label)]));
    const outputs: { tab: string; msg: Record<string, unknown> }[] = [];
    for (const n of flow.filter((f) => f.type === 'helper')) {
      helper.getNode(n.id).on('input', (msg: Record<string, unknown>) =>
        outputs.push({ tab: label.get(String(tabOf.get(n.id))) ?? '?', msg }),
      );
    }
    const injects = flow.filter((f) => f.type === 'inject' && !LONG_RUN.test(String(f.name ?? '')));
    // Let connections settle (MQTT subscriptions, streams), as they would before a user clicks.
    await new Promise((r) => setTimeout(r, 1500));
    for (const n of injects.filter((f) => !ENDING.test(String(f.name ?? '')))) helper.getNode(n.id).receive({});
    // Wait until every tab with a starting button has shown output (bounded).
    const tabsWithButtons = new Set(injects.map((n) => label.get(String(n.z))));
    const deadline = Date.now() + 30_000;
    const shown = (): Set<string> => new Set(outputs.filter((o) => !o.msg.error).map((o) => o.tab));
    while (Date.now() < deadline && [...tabsWithButtons].some((t) => t !== undefined && !shown().has(t))) {
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const n of injects.filter((f) => ENDING.test(String(f.name ?? '')))) helper.getNode(n.id).receive({});
    // Give slower branches (waits, schedules) a moment to report an error if they are going to.
    await new Promise((r) => setTimeout(r, 2000));
    const errors = outputs
      .filter((o) => o.msg.error)
      .map((o) => `${o.tab}: ${(o.msg.error as { message?: string }).message ?? String(o.msg.error)}`);
    assert.deepEqual(
      errors.filter((e) => /already recording|conflict|busy|in use/i.test(e)),
      [],
      'conflicts between tabs',
    );
    assert.deepEqual(errors, [], 'errors reported');
    const silent = [...tabsWithButtons].filter((t) => t !== undefined && !shown().has(t));
    assert.deepEqual(silent, [], 'tabs that showed no output');
  });
});
