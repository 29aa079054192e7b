/**
 * The dashboard example files and how `npm start` assembles and keeps them: every widget hangs on a
 * group of a page of the one shared dashboard, only Dashboard 2, core and our node types are used,
 * the user's edits survive a restart while the simulator config nodes follow the new simulators, and
 * devDependency node packages other than Dashboard 2 stay out of the palette. Dashboard 2's ui-text
 * renders its value as HTML: every one on the pages escapes it, as Node-RED evaluates its Value.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  DASHBOARD_DIR,
  listExamples,
  readExample,
  type ConfigTarget,
  type FlowNode,
} from '../../src/devtools/flows';
import {
  demoFlows,
  devNodeExcludes,
  refreshFlows,
  simulatorDetails,
  tabSummary,
  writeFlows,
} from '../../src/devtools/start';
import type { SimulatorHandle } from '../../src/simulators/types';
import { nodeRedRuntime } from '../support/node-red';

const root = path.resolve(__dirname, '..', '..', '..');
const dir = path.join(root, 'examples', DASHBOARD_DIR);
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const ours = Object.keys(
  readJson<{ 'node-red': { nodes: Record<string, string> } }>(path.join(root, 'package.json'))['node-red']
    .nodes,
);
const dashboardTypes = Object.keys(
  readJson<{ 'node-red': { nodes: Record<string, string> } }>(
    require.resolve('@flowfuse/node-red-dashboard/package.json', { paths: [root] }),
  )['node-red'].nodes,
);
/** The JSONata Node-RED evaluates a widget's Value with. */
const jsonata = createRequire(nodeRedRuntime)('jsonata') as (expression: string) => {
  evaluate(input: unknown): Promise<unknown>;
};
const CORE = new Set([
  'tab',
  'comment',
  'inject',
  'function',
  'change',
  'switch',
  'rbe',
  'catch',
  'debug',
  'join',
  'mqtt in',
  'mqtt out',
  'mqtt-broker',
]);

function targets(port: number, key: string): ConfigTarget[] {
  return [
    {
      type: 'motif-server',
      props: { host: '127.0.0.1', port, tlsMode: 'fingerprint', fingerprint: 'AA' },
      credentials: { apiKey: key },
    },
    {
      type: 'remotive-broker',
      props: { url: `http://127.0.0.1:${port + 1}`, ca: '', timeout: 10 },
      credentials: {},
    },
  ];
}

describe('dashboard example flows', () => {
  const files = listExamples(dir, true);

  it('are left out of the plain example list and found with the dashboard', () => {
    assert.ok(files.length >= 4, `dashboard pages: ${files.length}`);
    assert.ok(
      !listExamples(path.join(root, 'examples')).some((f) =>
        f.includes(`${path.sep}${DASHBOARD_DIR}${path.sep}`),
      ),
    );
  });

  for (const file of files) {
    it(`${path.basename(file)}: one tab and page, widgets on its groups, known node types`, () => {
      const nodes = readExample(file);
      const byId = new Map(nodes.map((n) => [n.id, n]));
      assert.equal(nodes.filter((n) => n.type === 'tab').length, 1);
      assert.ok(nodes.some((n) => n.type === 'comment'));
      assert.equal(nodes.filter((n) => n.type === 'ui-page').length, 1);
      assert.equal(new Set(nodes.map((n) => n.id)).size, nodes.length, 'unique ids');
      for (const n of nodes) {
        assert.ok(
          ours.includes(n.type) || dashboardTypes.includes(n.type) || CORE.has(n.type),
          `node type ${n.type}`,
        );
        if (n.type === 'ui-page')
          assert.equal(byId.get(n.ui as string)?.type, 'ui-base', `${n.id}: page on the base`);
        if (n.type === 'ui-page')
          assert.equal(byId.get(n.theme as string)?.type, 'ui-theme', `${n.id}: theme`);
        if (n.type === 'ui-group')
          assert.equal(byId.get(n.page as string)?.type, 'ui-page', `${n.id}: group on the page`);
        if (n.type.startsWith('ui-') && n.type !== 'ui-notification' && 'group' in n)
          assert.equal(byId.get(n.group as string)?.type, 'ui-group', `${n.id}: widget in a group`);
        for (const port of (n.wires as string[][] | undefined) ?? [])
          for (const to of port) assert.ok(byId.has(to), `${n.id} is wired to ${to}, which is in the file`);
      }
    });
  }

  it('no page holds a function node (core nodes and our nodes do the work)', () => {
    const pages = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.equal(pages.length, 6);
    for (const name of pages) {
      const functions = readExample(path.join(dir, name)).filter((n) => n.type === 'function');
      assert.deepEqual(
        functions.map((n) => n.name),
        [],
        `${name}: function nodes`,
      );
    }
  });

  it("show every text widget's value as text: HTML in a name is escaped, numbers and unicode kept", async () => {
    const name = '<b>x</b><img src=http://127.0.0.1:9/x> & café';
    const texts = files.flatMap((f) => readExample(f).filter((n) => n.type === 'ui-text'));
    assert.ok(texts.length >= 10, `ui-text widgets: ${texts.length}`);
    for (const n of texts) {
      assert.equal(n.valueType, 'jsonata', `${n.id}: its Value is evaluated`);
      const shown = async (payload: unknown): Promise<unknown> =>
        jsonata(String(n.value)).evaluate({ payload, topic: 't' });
      assert.equal(
        await shown(name),
        '&lt;b&gt;x&lt;/b&gt;&lt;img src=http://127.0.0.1:9/x&gt; &amp; café',
        n.id,
      );
      assert.equal(await shown(42), '42', n.id);
      assert.equal(await shown(undefined), undefined, n.id);
    }
  });

  it('share one dashboard and one theme, with the same content in every file', () => {
    const bases = files.map((f) =>
      readExample(f).filter((n) => n.type === 'ui-base' || n.type === 'ui-theme'),
    );
    for (const b of bases) assert.deepEqual(b, bases[0]);
    const { flows } = demoFlows(targets(1, 'k'), targets(3, 'k'));
    assert.equal(flows.filter((n) => n.type === 'ui-base').length, 1);
    assert.equal(flows.filter((n) => n.type === 'ui-theme').length, 1);
  });
});

describe('npm start flow file', () => {
  let userDir: string;
  beforeEach(() => (userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-start-'))));
  afterEach(() => fs.rmSync(userDir, { recursive: true, force: true }));

  it('keeps the user edits and points the simulator config nodes at the new simulators', () => {
    writeFlows(userDir, targets(1000, 'old'), targets(2000, 'old-dash'));
    const file = path.join(userDir, 'flows.json');
    const edited = readJson<FlowNode[]>(file).map((n) =>
      n.type === 'tab' ? { ...n, label: `mine ${n.id}` } : n,
    );
    fs.writeFileSync(file, JSON.stringify(edited));
    const tabs = refreshFlows(userDir, targets(1100, 'new'), targets(2100, 'new-dash'));
    const after = readJson<FlowNode[]>(file);
    assert.equal(tabs, edited.filter((n) => n.type === 'tab').length);
    assert.ok(after.filter((n) => n.type === 'tab').every((n) => String(n.label).startsWith('mine ')));
    assert.equal(after.find((n) => n.id === 'sim-motif-server')?.port, 1100);
    assert.equal(after.find((n) => n.id === 'dash-sim-motif-server')?.port, 2100);
    const creds = readJson<Record<string, Record<string, string>>>(path.join(userDir, 'flows_cred.json'));
    assert.equal(creds['sim-motif-server'].apiKey, 'new');
    assert.equal(creds['dash-sim-motif-server'].apiKey, 'new-dash');
  });

  it('has nothing to keep on the first start', () => {
    assert.equal(refreshFlows(userDir, targets(1, 'k')), undefined);
  });

  it('leaves devDependency node packages out of the palette, except Dashboard 2', () => {
    const excluded = devNodeExcludes();
    assert.ok(excluded.includes('node-red-contrib-cron-plus'), JSON.stringify(excluded));
    assert.ok(!excluded.some((e) => e.includes('dashboard')));
  });

  it('prints one line per example tab and keeps every key and address in the details', () => {
    const handle = (name: string, port: number): SimulatorHandle => ({
      name,
      endpoints: { api: `https://127.0.0.1:${port}` },
      info: { 'api key': `key-of-${name}-${port}` },
      close: () => Promise.resolve(),
    });
    const handles = [
      { tab: 'motif: record all cameras', handle: handle('motif', 40001) },
      { tab: 'experiment', handle: handle('motif', 40002) },
      { tab: 'experiment', handle: handle('aivero', 40003) },
    ];
    assert.deepEqual(tabSummary(handles), [
      '  motif: record all cameras — motif :40001',
      '  experiment — motif :40002, aivero :40003',
    ]);
    const details = simulatorDetails([handle('mqtt', 1883)], [handle('motif', 6084)], handles).split('\n');
    for (const line of [
      'simulator mqtt api: https://127.0.0.1:1883',
      'dashboard simulator motif api key: key-of-motif-6084',
      'tab "experiment": aivero api key: key-of-aivero-40003',
      'tab "experiment": motif api: https://127.0.0.1:40002',
      'tab "motif: record all cameras": motif api key: key-of-motif-40001',
    ])
      assert.ok(details.includes(line), `${line} missing from\n${details.join('\n')}`);
  });
});
