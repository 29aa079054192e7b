/**
 * One editor session for the browser tests: the simulators, Node-RED (as a program, with the
 * package and every example deployed against the simulators, plus any extra nodes a test adds) and
 * headless Chromium on its editor. Every wait is for a condition, never for a fixed time.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDashboardSystems } from '../../src/devtools/demo';
import { prepareUserDir, writeFlows } from '../../src/devtools/start';
import { simulatorTargets } from '../../src/devtools/targets';
import { startSimulators } from '../../src/simulators/cli';
import { simulators } from '../../src/simulators/registry';
import type { SimulatorHandle } from '../../src/simulators/types';
import { nodeRedPackageDir } from '../support/node-red';

export const root = path.resolve(__dirname, '..', '..', '..');
export const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string> };
};
/** The node types of the package. */
export const TYPES = Object.keys(pkg['node-red'].nodes);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Generous bounds: the suite must pass on a fully loaded machine. */
export const STARTUP_MS = 120_000;
export const STEP_MS = 30_000;

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface SessionOptions {
  /** Nodes added to the deployed flows (a tab of their own, hostile servers…). */
  extraNodes?: FlowNode[];
  extraCredentials?: Record<string, Record<string, string>>;
  /** Deploys the dashboard pages too, against systems of their own (as `npm start` does). */
  dashboard?: boolean;
}

export interface EditorSession {
  page: Page;
  /** Script errors the page reported. */
  pageErrors: string[];
  /** The flows Node-RED was started with. */
  flows: FlowNode[];
  /** What Node-RED printed so far (for failure messages). */
  log(): string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`Node-RED did not print "${text}":\n${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited (${code}) before "${text}":\n${seen}`));
    });
  });
}

export async function startEditorSession(options: SessionOptions = {}): Promise<EditorSession> {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `Chromium is needed for the editor test (${CHROMIUM}); .ci/run installs it`,
  );
  // Every simulator on a free port, so sessions (and suites) can run side by side.
  const ports = Object.fromEntries(
    Object.entries(simulators)
      .filter(([, load]) => load().options.some((o) => o.name === 'port'))
      .map(([name]) => [`${name}-port`, '0']),
  );
  const handles: SimulatorHandle[] = await startSimulators(['all'], ports);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-editor-'));
  const dashboardHandles: SimulatorHandle[] = [];
  let red: ChildProcess | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    if (red && red.exitCode === null && red.signalCode === null) {
      const exited = new Promise((resolve) => red?.once('exit', resolve));
      red.kill('SIGINT');
      await exited;
    }
    await Promise.all([...handles, ...dashboardHandles].map((h) => h.close()));
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    if (options.dashboard) {
      const systems = await startDashboardSystems(path.join(userDir, 'dashboard-aivero-ca.pem'), {
        motif: 0,
        remotive: 0,
        aivero: 0,
      });
      dashboardHandles.push(...systems.handles);
    }
    const port = await freePort();
    prepareUserDir(userDir, port);
    writeFlows(
      userDir,
      simulatorTargets(handles),
      options.dashboard ? simulatorTargets(dashboardHandles) : undefined,
    );
    const flowFile = path.join(userDir, 'flows.json');
    const credFile = path.join(userDir, 'flows_cred.json');
    const flows = [
      ...(JSON.parse(fs.readFileSync(flowFile, 'utf8')) as FlowNode[]),
      ...(options.extraNodes ?? []),
    ];
    fs.writeFileSync(flowFile, JSON.stringify(flows, null, 2));
    const credentials = {
      ...(JSON.parse(fs.readFileSync(credFile, 'utf8')) as Record<string, Record<string, string>>),
      ...(options.extraCredentials ?? {}),
    };
    fs.writeFileSync(credFile, JSON.stringify(credentials, null, 2));

    red = spawn(process.execPath, [path.join(nodeRedPackageDir, 'red.js'), '--userDir', userDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    red.stdout?.on('data', keep);
    red.stderr?.on('data', keep);
    await waitForOutput(red, 'Started flows', STARTUP_MS);

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
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(STEP_MS);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load', timeout: STARTUP_MS });
    // The editor is ready when every deployed node of ours is in RED.nodes and no dialog is loading.
    const expected = flows.filter((n) => TYPES.includes(n.type)).map((n) => n.id);
    await page.waitForFunction(
      (ids) => {
        const RED = (globalThis as unknown as { RED?: EditorApi }).RED;
        if (!RED?.nodes?.node || !RED.nodes.getType) return false;
        return ids.every((id) => RED.nodes.node(id) !== null && RED.nodes.node(id) !== undefined);
      },
      expected,
      { timeout: STARTUP_MS, polling: 100 },
    );
    return { page, pageErrors, flows, close, log: () => output };
  } catch (err) {
    await close();
    throw err;
  }
}

/** What the page's global `RED` offers that the tests use. */
export interface EditorNode {
  id: string;
  type: string;
  z?: string;
  valid?: boolean;
  validationErrors?: string[];
  _def?: { category?: string; defaults?: Record<string, { value?: unknown }> };
  [key: string]: unknown;
}

export interface EditorApi {
  nodes: {
    eachNode(cb: (n: EditorNode) => void): void;
    eachConfig(cb: (n: EditorNode) => void): void;
    node(id: string): EditorNode | null;
    getType(type: string): unknown;
    convertNode(n: EditorNode, opts?: unknown): Record<string, unknown>;
    createCompleteNodeSet(opts?: unknown): Array<Record<string, unknown>>;
    import(nodes: unknown, opts?: unknown): unknown;
    add(n: EditorNode): EditorNode;
    id(): string;
  };
  editor: {
    edit(n: unknown): void;
    editConfig(name: string, type: string, id: string): void;
    validateNode(n: unknown): boolean;
    getEditStack(): unknown[];
  };
  view: { createNode(type: string, x?: number, y?: number, z?: string): { node: EditorNode } };
  workspaces: { active(): string; show(id: string): void };
  tray: { close(): void };
  sidebar: { help: { show(type: string): void } };
}

/** How many dialogs of ours were built so far. */
export function preparedCount(page: Page): Promise<number> {
  return page.evaluate(
    () => (globalThis as unknown as { RecordersEditor: EditorModule }).RecordersEditor.prepared().count,
  );
}

/** Waits until a dialog after the `count`th is built (for node `id` when given). */
export async function waitPrepared(page: Page, count: number, id?: string): Promise<void> {
  await page.waitForFunction(
    ([nodeId, n]) => {
      const p = (globalThis as unknown as { RecordersEditor: EditorModule }).RecordersEditor.prepared();
      return p.count > n && (nodeId === '' || p.id === nodeId);
    },
    [id ?? '', count] as [string, number],
  );
}

/** What the tests read of the shared editor module. */
interface EditorModule {
  prepared(): { id: string | null; count: number };
}

/** Opens a node's edit dialog (config nodes with editConfig) and waits until it is built. */
export async function openDialog(page: Page, id: string): Promise<'node-input' | 'node-config-input'> {
  const before = await preparedCount(page);
  const prefix = await page.evaluate((nodeId) => {
    const RED = (globalThis as unknown as { RED: EditorApi }).RED;
    const node = RED.nodes.node(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    if (node._def?.category === 'config') {
      RED.editor.editConfig('', node.type, nodeId);
      return 'node-config-input' as const;
    }
    RED.editor.edit(node);
    return 'node-input' as const;
  }, id);
  const ok = prefix === 'node-config-input' ? '#node-config-dialog-ok' : '#node-dialog-ok';
  await page.waitForSelector(`${ok}:visible`);
  // Built: Node-RED fetches a node's credentials first, then runs its oneditprepare.
  await waitPrepared(page, before, id);
  await page.waitForSelector(`#${prefix}-name`, { state: 'attached' });
  // motif-action fills its operation list from the runtime: Done before that would skip the field.
  await page.waitForFunction(() => {
    const select = document.querySelector('#node-input-operation');
    return !select || select.tagName !== 'SELECT' || (select as HTMLSelectElement).options.length > 0;
  });
  return prefix;
}

/** Presses Done (or Add/Update for config nodes) and waits until no dialog is open. */
export async function pressDone(page: Page, prefix: 'node-input' | 'node-config-input'): Promise<void> {
  // Through the DOM: Node-RED 5 lays a shade over a tray while it settles, which swallows a pointer click.
  await page.$eval(prefix === 'node-config-input' ? '#node-config-dialog-ok' : '#node-dialog-ok', (el) =>
    (el as HTMLElement).click(),
  );
  await waitNoDialog(page);
}

/** Cancels the open dialog(s) and waits until none is open. */
export async function closeDialogs(page: Page): Promise<void> {
  await page.evaluate(() => {
    const RED = (globalThis as unknown as { RED: EditorApi }).RED;
    if (RED.editor.getEditStack().length > 0) RED.tray.close();
  });
  await waitNoDialog(page);
}

export async function waitNoDialog(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      return RED.editor.getEditStack().length === 0 && !document.querySelector('.red-ui-tray');
    },
    undefined,
    { polling: 50 },
  );
}
