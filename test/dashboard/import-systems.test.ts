/**
 * The pieces `npm start` uses for examples imported from the menu: the cameras the examples name, a
 * taken port left alone, and the one certificate file Node-RED is told to trust besides the public CAs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { listExamples } from '../../src/devtools/flows';
import { EXAMPLE_PORTS, extraCaFile, namedCameras, portFree } from '../../src/devtools/import-systems';

const examples = path.resolve(__dirname, '..', '..', '..', 'examples');

describe('simulators for imported examples', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-import-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves every camera a motif example names, and the simulator default ones', () => {
    const cameras = namedCameras(listExamples(examples));
    for (const camera of ['FAKE0', 'FAKE1', 'M02-CAM0', 'M03-CAM0'])
      assert.ok(cameras.includes(camera), camera);
    assert.equal(new Set(cameras).size, cameras.length);
  });

  it('uses the ports the shipped config nodes name', () => {
    const named = (folder: string, type: string): unknown[] =>
      listExamples(path.join(examples, folder)).flatMap((f) =>
        (JSON.parse(fs.readFileSync(f, 'utf8')) as Array<Record<string, unknown>>)
          .filter((n) => n.type === type)
          .map((n) => n.port ?? n.url ?? n.endpoint),
      );
    assert.ok(
      named('remotive', 'remotive-broker').every((u) => u === `http://127.0.0.1:${EXAMPLE_PORTS.remotive}`),
    );
    assert.ok(named('aivero', 'aivero-server').every((u) => String(u).includes(`:${EXAMPLE_PORTS.aivero}/`)));
    assert.ok(named('motif', 'motif-server').every((p) => p === EXAMPLE_PORTS.motif));
  });

  it('sees a taken port as taken', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      assert.equal(await portFree(port), false);
    } finally {
      await new Promise((r) => server.close(r));
    }
    assert.equal(await portFree(port), true);
  });

  it("trusts the user's own extra CAs and the simulator's, in one file", () => {
    const mine = path.join(dir, 'mine.pem');
    const sim = path.join(dir, 'sim.pem');
    fs.writeFileSync(mine, 'MINE\n');
    fs.writeFileSync(sim, 'SIM\n');
    assert.equal(extraCaFile(dir, [path.join(dir, 'absent.pem')], undefined), undefined);
    assert.equal(
      extraCaFile(dir, [path.join(dir, 'absent.pem')], mine),
      mine,
      'nothing to add: theirs as it is',
    );
    const both = extraCaFile(dir, [sim], mine);
    assert.ok(both);
    assert.equal(fs.readFileSync(both, 'utf8'), 'MINE\nSIM\n');
    const only = extraCaFile(dir, [sim], undefined);
    assert.ok(only);
    assert.equal(fs.readFileSync(only, 'utf8'), 'SIM\n');
  });
});
