/**
 * The aivero editor dialogs in a real browser: Node-RED with the aivero examples deployed against
 * the simulator, every aivero node opened and closed with Done. The exported node must not change
 * (the session builder round-trips its JSON), no script error may occur, and server text reaches
 * the DOM only as text.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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
import { nodeRedPackageDir } from '../support/node-red';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples', 'aivero');

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
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `Chromium is needed for the editor test (${CHROMIUM})`);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivero-editor-'));
    handles = await startSimulators(['aivero'], {
      'aivero-port': '0',
      'aivero-cert-out': path.join(userDir, 'aivero-ca.pem'),
    });
    handles.push(await startMqttBroker(0));
    const port = await freePort();
    prepareUserDir(userDir, port);
    const { flows, credentials } = assembleFlows(listExamples(EXAMPLES), simulatorTargets(handles));
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
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('every aivero node: open + Done changes nothing in its exported JSON', async () => {
    const ids = await page.evaluate(() => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      const out: Array<{ id: string; type: string }> = [];
      const take = (n: { id: string; type: string }): void => {
        if (n.type.startsWith('aivero-')) out.push({ id: n.id, type: n.type });
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
});
