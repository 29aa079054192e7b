/**
 * A real Node-RED runtime inside the benchmark process (not the test helper, whose sinon spies on
 * every send and status would slow the node path down): our package installed in a throw-away user
 * directory, the flow deployed from files, no editor or HTTP routes.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Node } from 'node-red';
import { prepareUserDir } from '../src/devtools/start';

export interface EmbeddedNodeRed {
  getNode(id: string): Node;
  stop(): Promise<void>;
}

interface RuntimeApi {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNode(id: string): Node | null };
}

export async function startNodeRed(
  flow: Array<Record<string, unknown>>,
  credentials: Record<string, Record<string, string>>,
  /** Other node packages to load, linked from our node_modules (a baseline such as cron-plus). */
  extraModules: string[] = [],
  /** Baseline node types of the benchmarks themselves: type → compiled file under dist/bench. */
  baselineNodes: Record<string, string> = {},
): Promise<EmbeddedNodeRed> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-bench-'));
  prepareUserDir(userDir, 0);
  for (const name of extraModules) {
    const from = path.dirname(require.resolve(`${name}/package.json`));
    fs.symlinkSync(from, path.join(userDir, 'node_modules', name), 'dir');
  }
  if (Object.keys(baselineNodes).length > 0) installBaselines(userDir, baselineNodes);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as RuntimeApi;
  const server = http.createServer();
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    logging: { console: { level: 'error', metrics: false, audit: false } },
    editorTheme: { tours: false },
  });
  await RED.start();
  // Flows start after start() resolves; wait until every node of the flow is running.
  const deadline = Date.now() + 15_000;
  while (flow.some((n) => n.type !== 'tab' && !RED.nodes.getNode(String(n.id)))) {
    if (Date.now() > deadline) throw new Error('the benchmark flow did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    getNode(id) {
      const node = RED.nodes.getNode(id);
      if (!node) throw new Error(`node ${id} is not deployed`);
      return node;
    },
    async stop() {
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** A throw-away node package in the user directory whose files load the compiled baselines. */
function installBaselines(userDir: string, nodes: Record<string, string>): void {
  const dir = path.join(userDir, 'node_modules', 'recorders-bench-baselines');
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [type, file] of Object.entries(nodes)) {
    const target = path.join(__dirname, file);
    fs.writeFileSync(
      path.join(dir, `${type}.js`),
      `module.exports = require(${JSON.stringify(target)}).default;\n`,
    );
    // Node-RED wants an editor file beside each node; the benchmark never opens an editor.
    fs.writeFileSync(path.join(dir, `${type}.html`), '');
    files[type] = `${type}.js`;
  }
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'recorders-bench-baselines', version: '0.0.0', 'node-red': { nodes: files } }),
  );
}
