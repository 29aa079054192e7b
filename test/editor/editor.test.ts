/**
 * The editor as a user sees it: Node-RED with the package and every example deployed against the
 * simulators, driven by headless Chromium. Every node type of the package must open its edit
 * dialog and show its help without a script error, and the examples' nodes must show a status.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { prepareUserDir, writeFlows } from '../../src/devtools/start';
import { simulatorTargets } from '../../src/devtools/targets';
import { startSimulators } from '../../src/simulators/cli';
import type { SimulatorHandle } from '../../src/simulators/types';
import { nodeRedPackageDir } from '../support/node-red';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string> };
};
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** What the page's global `RED` offers that the test uses. */
interface EditorApi {
  nodes: {
    eachNode(cb: (n: { id: string; type: string }) => void): void;
    eachConfig(cb: (n: { id: string; type: string }) => void): void;
    node(id: string): unknown;
  };
  editor: { edit(n: unknown): void; editConfig(name: string, type: string, id: string): void };
  tray: { close(): void };
  sidebar: { help: { show(type: string): void } };
}

describe('editor in a browser', function () {
  this.timeout(120_000);
  let handles: SimulatorHandle[] = [];
  let red: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let userDir: string;
  const pageErrors: string[] = [];

  before(async () => {
    assert.ok(
      fs.existsSync(CHROMIUM),
      `Chromium is needed for the editor test (${CHROMIUM}); .ci/run installs it`,
    );
    handles = await startSimulators(['all'], { 'motif-port': '0', 'remotive-port': '0' });
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-editor-'));
    const port = await freePort();
    prepareUserDir(userDir, port);
    writeFlows(userDir, simulatorTargets(handles));
    red = spawn(process.execPath, [path.join(nodeRedPackageDir, 'red.js'), '--userDir', userDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${seen}`)), 60_000);
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
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => typeof (globalThis as { RED?: unknown }).RED !== 'undefined');
    await page.waitForTimeout(1500);
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

  it('loads every example tab without a script error', async () => {
    const types = await page.evaluate(() => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      const seen: string[] = [];
      RED.nodes.eachNode((n) => seen.push(n.type));
      RED.nodes.eachConfig((n) => seen.push(n.type));
      return seen;
    });
    assert.ok(types.length > 10, `deployed nodes: ${types.length}`);
    assert.deepEqual(pageErrors, []);
  });

  for (const type of Object.keys(pkg['node-red'].nodes)) {
    it(`opens the ${type} edit dialog and help`, async () => {
      const id = await page.evaluate((t) => {
        const RED = (globalThis as unknown as { RED: EditorApi }).RED;
        let found: string | undefined;
        RED.nodes.eachNode((n) => {
          if (!found && n.type === t) found = n.id;
        });
        RED.nodes.eachConfig((n) => {
          if (!found && n.type === t) found = n.id;
        });
        return found;
      }, type);
      assert.ok(id, `an example uses ${type}`);
      await page.evaluate(
        ([t, nodeId]) => {
          const RED = (globalThis as unknown as { RED: EditorApi }).RED;
          const node = RED.nodes.node(nodeId);
          if ((node as { _def?: { category?: string } })._def?.category === 'config') {
            RED.editor.editConfig('', t, nodeId);
          } else RED.editor.edit(node);
        },
        [type, id] as [string, string],
      );
      const prefix = (await page.evaluate((nodeId) => {
        const RED = (globalThis as unknown as { RED: EditorApi }).RED;
        return (RED.nodes.node(nodeId) as { _def?: { category?: string } })._def?.category === 'config'
          ? 'node-config-input'
          : 'node-input';
      }, id as string)) as string;
      await page.waitForSelector(`#${prefix}-name`, { state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(os.tmpdir(), `recorders-editor-${type}.png`) });
      await page.evaluate(() => (globalThis as unknown as { RED: EditorApi }).RED.tray.close());
      await page.waitForTimeout(300);
      await page.evaluate(
        (t) => (globalThis as unknown as { RED: EditorApi }).RED.sidebar.help.show(t),
        type,
      );
      const helpBox = page.locator('.red-ui-sidebar-help-stack .red-ui-help').first();
      await page.waitForFunction(
        () =>
          (document.querySelector('.red-ui-sidebar-help-stack .red-ui-help')?.textContent ?? '').length > 100,
        undefined,
        { timeout: 10_000 },
      );
      const help = await helpBox.innerText();
      assert.ok(help.length > 100, `${type} has help text (${help.length} characters)`);
      assert.deepEqual(pageErrors, [], `no script error while editing ${type}`);
    });
  }
});
