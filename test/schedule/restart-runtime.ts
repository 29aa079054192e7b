/**
 * A real Node-RED runtime in a child process, for restart tests: our package in the given user
 * directory, its flows.json deployed, the context stores of settings.json (written by the test).
 * Driven over the IPC channel (`fork`): the parent sends `{ receive: msg }` for the node `sched`;
 * the child answers `{ ready: true }` once the flow runs and `{ output, msg }` for every message the
 * node sends. The test ends it with SIGKILL: nothing here gets a chance to clean up.
 *   node restart-runtime.js <userDir>
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Node } from 'node-red';
import { prepareUserDir } from '../../src/devtools/start';

interface SendEvent {
  msg: unknown;
  source: { id: string; port: number };
}

interface RuntimeApi {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  nodes: { getNode(id: string): Node | null };
  hooks: { add(name: string, hook: (events: SendEvent[]) => void): void };
}

async function main(): Promise<void> {
  const userDir = process.argv[2];
  if (!userDir || !process.send) throw new Error('usage: fork restart-runtime.js <userDir> (with IPC)');
  prepareUserDir(userDir, 0);
  const settings = JSON.parse(fs.readFileSync(path.join(userDir, 'settings.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as RuntimeApi;
  RED.init(http.createServer(), {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    editorTheme: { tours: false },
    ...settings,
  });
  // Before the flows start: a firing sent while the node starts (a missed one) is seen too. The
  // node's outputs are wired to debug nodes, so every send passes this hook.
  RED.hooks.add('onSend', (events) => {
    for (const event of events) {
      if (event.source.id === 'sched')
        process.send?.({ output: event.source.port, msg: JSON.parse(JSON.stringify(event.msg)) as unknown });
    }
  });
  await RED.start();
  let node: Node | null = null;
  while (!(node = RED.nodes.getNode('sched'))) await new Promise((r) => setTimeout(r, 20));
  const target = node;
  process.on('message', (message: { receive?: Record<string, unknown> }) => {
    if (message.receive) target.receive(message.receive);
  });
  process.send({ ready: true });
}

// A failure goes to the parent test, which fails with it and ends this process.
main().catch((err: unknown) => {
  process.exitCode = 1;
  process.send?.({ failed: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
