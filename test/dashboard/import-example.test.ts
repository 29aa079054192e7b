/**
 * An example imported from the editor's menu into the running demo, as shipped (its config node at
 * 127.0.0.1:50051): `npm start` serves a RemotiveLabs simulator on that port (import-systems.ts), so
 * the example's buttons do their job there instead of every node turning red "unreachable". The
 * import is what the editor sends when the user imports the file and deploys: the running flows plus
 * the example's nodes as they are in the file, then the example's inject pressed through the admin API.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RemotiveClient } from '../../src/backends/remotive';
import { startImportSystems, type ImportSystems } from '../../src/devtools/import-systems';
import { startDemo, type Demo } from './demo';

const EXAMPLE = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'examples',
  'remotive',
  '01 - List files, open the first session and play.json',
);

async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('an example imported into the running demo', function () {
  this.timeout(90_000);
  let imported: ImportSystems | undefined;
  let demo: Demo | undefined;
  let client: RemotiveClient | undefined;

  before(async () => {
    imported = await startImportSystems(['remotive']);
    assert.deepEqual(imported.skipped, {}, 'port 50051 must be free for this test');
    demo = await startDemo();
    client = new RemotiveClient({ url: 'http://127.0.0.1:50051' });
  });

  after(async () => {
    await client?.close();
    await demo?.stop();
    await Promise.all((imported?.handles ?? []).map((h) => h.close()));
  });

  it('RemotiveLabs example 01 as shipped lists, opens and plays on the demo, and closes again', async () => {
    assert.ok(demo && client);
    const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Array<Record<string, unknown>>;
    const broker = example.find((n) => n.type === 'remotive-broker');
    assert.equal(broker?.url, 'http://127.0.0.1:50051', 'the example as shipped');
    const headers = { 'content-type': 'application/json', 'node-red-api-version': 'v1' };
    const running = (await (await fetch(`${demo.url}/flows`, { headers })).json()) as unknown[];
    const deployed = await fetch(`${demo.url}/flows`, {
      method: 'POST',
      headers: { ...headers, 'node-red-deployment-type': 'full' },
      body: JSON.stringify([...running, ...example]),
    });
    assert.ok(deployed.ok, `deploy: ${deployed.status} ${await deployed.text()}`);
    const press = async (id: string): Promise<void> => {
      // The broker connects when its first user starts: pressed until the flow is there.
      const pressed = await until(`the inject "${id}"`, async () => {
        const r = await fetch(`${demo?.url}/inject/${id}`, { method: 'POST' });
        return r.ok ? r : undefined;
      });
      assert.ok(pressed.ok);
    };
    await press('start');
    const playing = await until('a session playing on the simulator at 50051', async () =>
      (await client?.currentStatuses())?.find((s) => s.mode === 'playing'),
    );
    assert.match(playing.path, /\.recordingsession\.yaml$/);
    await press('stop');
    await until('the session closed', async () => (await client?.currentStatuses())?.length === 0);
    assert.doesNotMatch(demo.log(), /unreachable/i, 'no node reported the broker unreachable');
  });
});
