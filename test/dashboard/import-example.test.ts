/**
 * An example imported from the editor's menu into the running demo, as shipped (its config node at
 * 127.0.0.1:50051 or :8443): `npm start` serves simulators on those ports (import-systems.ts) and
 * has Node-RED trust the Aivero one's certificate, so the example's buttons do their job there
 * instead of every node turning red "unreachable". The import is what the editor sends when the user
 * imports the file and deploys: the running flows plus the example's nodes as they are in the file
 * (for Aivero with the admin secret typed into its config node, which an example can not carry),
 * then the example's inject pressed through the admin API, as its button does.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AiveroClient } from '../../src/backends/aivero';
import { RemotiveClient } from '../../src/backends/remotive';
import { extraCaFile, startImportSystems, type ImportSystems } from '../../src/devtools/import-systems';
import { until } from './browser';
import { startDemo, type Demo } from './demo';

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'examples');
const REMOTIVE_EXAMPLE = path.join(
  EXAMPLES,
  'remotive',
  '01 - List files, open the first session and play.json',
);
const AIVERO_EXAMPLE = path.join(
  EXAMPLES,
  'aivero',
  '01 - Schedule a recording session with color and depth.json',
);
type FlowNode = Record<string, unknown>;

describe('an example imported into the running demo', function () {
  this.timeout(90_000);
  let dir: string;
  let imported: ImportSystems | undefined;
  let demo: Demo | undefined;
  let remotive: RemotiveClient | undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-import-'));
    const ca = path.join(dir, 'import-aivero-ca.pem');
    imported = await startImportSystems(['remotive', 'aivero'], { aivero: { 'cert-out': ca } });
    assert.deepEqual(imported.skipped, {}, 'ports 50051 and 8443 must be free for this test');
    const extra = extraCaFile(dir, [ca], process.env.NODE_EXTRA_CA_CERTS);
    assert.ok(extra);
    demo = await startDemo({ env: { NODE_EXTRA_CA_CERTS: extra } });
    remotive = new RemotiveClient({ url: 'http://127.0.0.1:50051' });
  });

  after(async () => {
    await remotive?.close();
    await demo?.stop();
    await Promise.all((imported?.handles ?? []).map((h) => h.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Imports the example's nodes next to the running flows and deploys, as the editor does. */
  async function importAndDeploy(example: FlowNode[]): Promise<void> {
    assert.ok(demo);
    const headers = { 'content-type': 'application/json', 'node-red-api-version': 'v1' };
    const running = (await (await fetch(`${demo.url}/flows`, { headers })).json()) as unknown[];
    const deployed = await fetch(`${demo.url}/flows`, {
      method: 'POST',
      headers: { ...headers, 'node-red-deployment-type': 'full' },
      body: JSON.stringify([...running, ...example]),
    });
    assert.ok(deployed.ok, `deploy: ${deployed.status} ${await deployed.text()}`);
  }

  /** Presses an inject of the deployed flow, until the flow is there. */
  async function press(id: string): Promise<void> {
    const pressed = await until(`the inject "${id}"`, async () => {
      const r = await fetch(`${demo?.url}/inject/${id}`, { method: 'POST' });
      return r.ok ? r : undefined;
    });
    assert.ok(pressed.ok);
  }

  const read = (file: string): FlowNode[] => JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[];

  it('RemotiveLabs example 01 as shipped lists, opens and plays on the demo, and closes again', async () => {
    assert.ok(demo && remotive);
    const example = read(REMOTIVE_EXAMPLE);
    assert.equal(
      example.find((n) => n.type === 'remotive-broker')?.url,
      'http://127.0.0.1:50051',
      'as shipped',
    );
    await importAndDeploy(example);
    await press('start');
    const playing = await until('a session playing on the simulator at 50051', async () =>
      (await remotive?.currentStatuses())?.find((s) => s.mode === 'playing'),
    );
    assert.match(playing.path, /\.recordingsession\.yaml$/);
    await press('stop');
    await until('the session closed', async () => (await remotive?.currentStatuses())?.length === 0);
    assert.doesNotMatch(demo.log(), /unreachable/i, 'no node reported the broker unreachable');
  });

  it('Aivero example 01 as shipped ("verify" TLS trust), with the admin secret typed in, schedules its session on the demo', async () => {
    assert.ok(demo && imported);
    const handle = imported.handles.find((h) => h.name === 'aivero');
    assert.ok(handle);
    const secret = handle.info['admin secret'];
    assert.ok(secret, 'the simulator prints its admin secret');
    const example = read(AIVERO_EXAMPLE).map((n) => {
      // The tab's ids would clash with the RemotiveLabs example's: the editor's import renews them.
      const renamed: FlowNode = { ...n, id: `av-${String(n.id)}` };
      if (typeof n.z === 'string') renamed.z = `av-${n.z}`;
      if (typeof n.server === 'string') renamed.server = `av-${n.server}`;
      if (Array.isArray(n.wires))
        renamed.wires = (n.wires as string[][]).map((port) => port.map((to) => `av-${to}`));
      if (n.type === 'aivero-server') renamed.credentials = { adminSecret: secret };
      return renamed;
    });
    const server = example.find((n) => n.type === 'aivero-server');
    assert.deepEqual(
      [server?.endpoint, server?.tlsMode],
      ['https://127.0.0.1:8443/v1/graphql', 'verify'],
      'as shipped',
    );
    await importAndDeploy(example);
    const ca = fs.readFileSync(path.join(dir, 'import-aivero-ca.pem'), 'utf8');
    const client = new AiveroClient({ endpoint: handle.endpoints.graphql, adminSecret: secret, tls: { ca } });
    try {
      await press('av-start');
      // Inserted Stopped, then Scheduled from "now": the device starts it at once.
      const session = await until("the example's session scheduled on the simulator at 8443", async () =>
        (await client.listSessions()).find(
          (s) => s.name === 'mysession' && ['Scheduled', 'Started'].includes(String(s.state)),
        ),
      );
      assert.ok(session.id);
      await press('av-stop');
      await until('the session stopped early', async () =>
        (await client.listSessions()).some((s) => s.name === 'mysession' && String(s.state) === 'Stopped'),
      );
    } finally {
      await client.close();
    }
    assert.doesNotMatch(demo.log(), /certificate|unreachable/i, 'no TLS or connection failure');
  });
});
