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
): Promise<EmbeddedNodeRed> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-bench-'));
  prepareUserDir(userDir, 0);
  for (const name of extraModules) {
    const from = path.dirname(require.resolve(`${name}/package.json`));
    fs.symlinkSync(from, path.join(userDir, 'node_modules', name), 'dir');
  }
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
