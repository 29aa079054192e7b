/**
 * The aivero editor dialogs in a real browser: Node-RED with the aivero examples deployed against
 * the simulator, every aivero node opened and closed with Done. The exported node must not change
 * (the session builder round-trips its JSON), no script error may occur, and server text reaches
 * the DOM only as text. An aivero-server of an older flow, with its extra headers in the plain field,
 * moves them into its credential on Done: after the deploy they are still sent, and no longer in the
 * flow.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { assembleFlows, listExamples } from '../../src/devtools/flows';
import { startMqttBroker } from '../../src/devtools/mqtt-broker';
import { prepareUserDir } from '../../src/devtools/start';
import { simulatorTargets } from '../../src/devtools/targets';
import { startSimulators } from '../../src/simulators/cli';
import type { SimulatorHandle } from '../../src/simulators/types';
import { openDialog, pressDone } from '../editor/session';
import { waitFor } from '../support/flow';
import { nodeRedPackageDir } from '../support/node-red';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples', 'aivero');
/** The header an older flow kept in its aivero-server's plain field. */
const LEGACY_ID = 'legacy-headers-server';
const LEGACY_TOKEN = 'legacy-proxy-token-8642';
const LEGACY_HEADERS = JSON.stringify({ 'X-Proxy-Token': LEGACY_TOKEN });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface EditorApi {
  nodes: {
    eachNode(cb: (n: { id: string; type: string }) => void): void;
    eachConfig(cb: (n: { id: string; type: string }) => void): void;
    node(id: string): unknown;
    convertNode(n: unknown, opts?: unknown): Record<string, unknown>;
    dirty(): boolean;
  };
  editor: { edit(n: unknown): void; editConfig(name: string, type: string, id: string): void };
}

describe('aivero editor dialogs in a browser', function () {
  this.timeout(180_000);
  let handles: SimulatorHandle[] = [];
  let red: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let userDir: string;
  let port: number;
  const pageErrors: string[] = [];
  /** The headers of every request to the older flow's server. */
  const seen: IncomingHttpHeaders[] = [];
  let proxy: Server | undefined;

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `Chromium is needed for the editor test (${CHROMIUM})`);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivero-editor-'));
    handles = await startSimulators(['aivero'], {
      'aivero-port': '0',
      'aivero-cert-out': path.join(userDir, 'aivero-ca.pem'),
    });
    handles.push(await startMqttBroker(0));
    proxy = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(req.url?.endsWith('/healthz') ? 'OK' : '{"errors":[{"message":"not Hasura"}]}');
    });
    const server = proxy;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1/graphql`;
    port = await freePort();
    prepareUserDir(userDir, port);
    const { flows, credentials } = assembleFlows(listExamples(EXAMPLES), simulatorTargets(handles));
    flows.push(
      { id: 'legacy-tab', type: 'tab', label: 'older flow' },
      {
        id: LEGACY_ID,
        type: 'aivero-server',
        name: 'older flow',
        endpoint: proxyUrl,
        auth: 'none',
        role: '',
        headers: LEGACY_HEADERS,
        tlsMode: 'verify',
        ca: '',
        timeout: 2,
      },
      {
        id: 'legacy-headers-user',
        type: 'aivero-action',
        z: 'legacy-tab',
        name: '',
        server: LEGACY_ID,
        operation: 'listCameras',
        x: 200,
        y: 100,
        wires: [[]],
      },
    );
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials));
    red = spawn(process.execPath, [path.join(nodeRedPackageDir, 'red.js'), '--userDir', userDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${seen}`)), 90_000);
      red?.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('Started flows')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => typeof (globalThis as { RED?: unknown }).RED !== 'undefined');
    // The flows arrive after the editor's scripts: wait until the examples' nodes are there.
    await page.waitForFunction(
      () => {
        const RED = (globalThis as unknown as { RED: EditorApi }).RED;
        let n = 0;
        RED.nodes.eachNode(() => {
          n++;
        });
        return n > 10;
      },
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(500);
  });

  after(async () => {
    await browser?.close();
    if (red && red.exitCode === null) {
      const exited = new Promise((resolve) => red?.once('exit', resolve));
      red.kill('SIGINT');
      await exited;
    }
    await Promise.all(handles.map((h) => h.close()));
    if (proxy) {
      proxy.closeAllConnections();
      await new Promise((r) => proxy?.close(r));
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('every aivero node: open + Done changes nothing in its exported JSON', async () => {
    const ids = await page.evaluate(() => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      const out: Array<{ id: string; type: string }> = [];
      const take = (n: { id: string; type: string }): void => {
        // The older flow's server is changed by Done on purpose (its headers move): tested below.
        if (n.type.startsWith('aivero-') && n.id !== 'legacy-headers-server')
          out.push({ id: n.id, type: n.type });
      };
      RED.nodes.eachNode(take);
      RED.nodes.eachConfig(take);
      return out;
    });
    assert.ok(
      ids.filter((n) => n.type === 'aivero-action').length >= 10,
      `aivero nodes: ${ids.length}; page errors: ${pageErrors.join(' / ')}`,
    );
    for (const { id, type } of ids) {
      const before = await page.evaluate((nodeId) => {
        const RED = (globalThis as unknown as { RED: EditorApi }).RED;
        return JSON.stringify(RED.nodes.convertNode(RED.nodes.node(nodeId)));
      }, id);
      const config = type === 'aivero-server';
      await page.evaluate(
        ([t, nodeId, isConfig]) => {
          const RED = (globalThis as unknown as { RED: EditorApi }).RED;
          if (isConfig) RED.editor.editConfig('', t, nodeId);
          else RED.editor.edit(RED.nodes.node(nodeId));
        },
        [type, id, config] as [string, string, boolean],
      );
      const prefix = config ? 'node-config-input' : 'node-input';
      await page.waitForSelector(`#${prefix}-name`, { state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(400); // the builder's value lists arrive from the runtime
      await page.$eval(config ? '#node-config-dialog-ok' : '#node-dialog-ok', (el) =>
        (el as HTMLElement).click(),
      );
      await page.waitForSelector(`#${prefix}-name`, { state: 'detached', timeout: 10_000 });
      const after = await page.evaluate((nodeId) => {
        const RED = (globalThis as unknown as { RED: EditorApi }).RED;
        return JSON.stringify(RED.nodes.convertNode(RED.nodes.node(nodeId)));
      }, id);
      assert.equal(after, before, `${type} ${id} changed by open + Done`);
      assert.deepEqual(pageErrors, [], `no script error while editing ${type}`);
    }
  });

  it('the session builder shows the saved streams with the RealSense values', async () => {
    const id = await page.evaluate(() => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      let found: string | undefined;
      RED.nodes.eachNode((n) => {
        const node = n as unknown as { operation?: string; sessionSpec?: string };
        if (!found && n.type === 'aivero-action' && node.operation === 'createSession' && node.sessionSpec)
          found = n.id;
      });
      return found;
    });
    assert.ok(id);
    await page.evaluate((nodeId) => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      RED.editor.edit(RED.nodes.node(nodeId));
    }, id);
    await page.waitForSelector('#aivero-spec-streams', { state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(os.tmpdir(), 'aivero-session-builder.png') });
    const rows = await page.locator('#aivero-spec-streams .aivero-row-type').count();
    assert.ok(rows >= 1, `stream rows: ${rows}`);
    const resolutions = await page
      .locator('#aivero-spec-streams .aivero-row-resolution')
      .first()
      .locator('option')
      .allTextContents();
    assert.ok(resolutions.includes('1280x720'), resolutions.join(','));
    const before = await page.locator('#aivero-spec-streams .aivero-row-type').count();
    await page.$eval('#aivero-preset-depth', (el) => (el as HTMLElement).click());
    assert.equal(await page.locator('#aivero-spec-streams .aivero-row-type').count(), before + 1);
    await page.$eval('#node-dialog-cancel', (el) => (el as HTMLElement).click());
    assert.deepEqual(pageErrors, []);
  });

  it("an older flow's extra headers move into the credential on Done and are still sent after the deploy", async () => {
    // Running from the flow file, the plain field's header is sent.
    await waitFor(() => (seen.some((h) => h['x-proxy-token'] === LEGACY_TOKEN) ? true : undefined), 30_000);
    const prefix = await openDialog(page, LEGACY_ID);
    const input = page.locator('#node-config-input-extraHeaders');
    assert.equal(await input.getAttribute('type'), 'password', 'header values are typed like a secret');
    assert.equal(await input.inputValue(), LEGACY_HEADERS, 'the plain field is offered in the credential');
    await pressDone(page, prefix);
    const edited = await page.evaluate((id) => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      const node = RED.nodes.node(id) as { headers?: string; credentials?: { extraHeaders?: string } };
      return { headers: node.headers, credential: node.credentials?.extraHeaders };
    }, LEGACY_ID);
    assert.deepEqual(edited, { headers: '', credential: LEGACY_HEADERS });
    await page.$eval('#red-ui-header-button-deploy', (el) => (el as HTMLElement).click());
    // The examples may hold nodes the editor asks about before a deploy: confirm.
    const asked = await page.waitForFunction(() => {
      if (document.querySelector('#red-ui-deploy-dialog-confirm-deploy-deploy')) return 'confirm';
      return (globalThis as unknown as { RED: EditorApi }).RED.nodes.dirty() ? false : 'deployed';
    });
    if ((await asked.jsonValue()) === 'confirm') {
      await page.$eval('#red-ui-deploy-dialog-confirm-deploy-deploy', (el) => (el as HTMLElement).click());
      await page.waitForFunction(() => !(globalThis as unknown as { RED: EditorApi }).RED.nodes.dirty());
    }
    // Deployed: the node of the older flow has been replaced, and the flow file no longer holds the header.
    const from = seen.length;
    const saved = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    assert.ok(saved.includes(LEGACY_ID));
    assert.equal(saved.includes(LEGACY_TOKEN), false, 'flows.json has the header');
    const exported = await (await fetch(`http://127.0.0.1:${port}/flows`)).text();
    assert.ok(exported.includes(LEGACY_ID));
    assert.equal(exported.includes(LEGACY_TOKEN), false, 'GET /flows has the header');
    // The node restarted from the credential and still sends the header.
    await waitFor(
      () => (seen.slice(from).some((h) => h['x-proxy-token'] === LEGACY_TOKEN) ? true : undefined),
      30_000,
    );
    assert.deepEqual(pageErrors, []);
  });
});
