/**
 * motif-stream example 01 serves the latest frame over HTTP with core nodes only: a JPEG once the
 * stream has delivered one, a clear 503 before that. Run in Node-RED as a program, whose HTTP
 * routes are the real ones a browser reaches.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { assembleFlows } from '../../src/devtools/flows';
import { startExampleSystems, type ExampleSystems } from '../../src/devtools/example-systems';
import { startNodeRedProcess, type NodeRedProcess } from '../support/fleet/node-red-process';

const file = path.join(__dirname, '..', '..', '..', 'examples', 'motif-stream', '01 - Live view (JPEG over HTTP).json');

describe('motif-stream example 01: live view over HTTP', function () {
  this.timeout(90_000);
  let systems: ExampleSystems;
  let red: NodeRedProcess | undefined;

  before(async () => {
    systems = await startExampleSystems([file]);
  });
  afterEach(async () => {
    await red?.stop();
    red = undefined;
  });
  after(async () => systems.close());

  async function start(withStream: boolean): Promise<string> {
    const { flows, credentials } = assembleFlows([file], [], { perFile: systems.targets });
    const flow = flows.filter((n) => withStream || n.type !== 'motif-stream');
    red = await startNodeRedProcess({ name: 'live-view', flow, credentials });
    return `http://127.0.0.1:${red.port}/motif/live.jpg`;
  }

  it('answers 503 "no frame yet" before any frame came', async () => {
    const res = await fetch(await start(false));
    assert.equal(res.status, 503);
    assert.match(String(res.headers.get('content-type')), /^text\/plain/);
    assert.equal(await res.text(), 'no frame yet');
  });

  it('serves the latest frame as a JPEG once the stream runs', async () => {
    const url = await start(true);
    // The stream needs a moment to connect: ask until the flow has a frame (503 until then).
    const deadline = Date.now() + 20_000;
    let res = await fetch(url);
    while (res.status !== 200 && Date.now() < deadline) {
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 100));
      res = await fetch(url);
    }
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const jpeg = Buffer.from(await res.arrayBuffer());
    assert.equal(jpeg.subarray(0, 2).toString('hex'), 'ffd8');
  });
});
