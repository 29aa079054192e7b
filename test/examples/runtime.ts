/** What the example tests load into Node-RED: our nodes and the core nodes the examples use. */
import fs from 'node:fs';
import path from 'node:path';
import type { FlowNode } from '../../src/devtools/flows';
import { nodeModule, nodeRedPackageDir } from '../support/node-red';

const root = path.resolve(__dirname, '..', '..', '..');
export const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string> };
};

/** Core node types the examples may use, and the file of @node-red/nodes that defines each. */
export const CORE: Record<string, string> = {
  inject: 'core/common/20-inject.js',
  comment: 'core/common/90-comment.js',
  'link in': 'core/common/60-link.js',
  'link out': 'core/common/60-link.js',
  function: 'core/function/10-function.js',
  switch: 'core/function/10-switch.js',
  rbe: 'core/function/rbe.js',
  range: 'core/function/16-range.js',
  change: 'core/function/15-change.js',
  delay: 'core/function/89-delay.js',
  trigger: 'core/function/89-trigger.js',
  template: 'core/function/80-template.js',
  json: 'core/parsers/70-JSON.js',
  split: 'core/sequence/17-split.js',
  'http in': 'core/network/21-httpin.js',
  'http response': 'core/network/21-httpin.js',
  'mqtt in': 'core/network/10-mqtt.js',
  'mqtt out': 'core/network/10-mqtt.js',
  'mqtt-broker': 'core/network/10-mqtt.js',
  file: 'core/storage/10-file.js',
};
/** Handled by the test itself (debug nodes become helper nodes) or pre-loaded by the test helper. */
export const BUILT_IN = new Set(['tab', 'debug', 'catch', 'status', 'complete', 'group', 'junction']);

/** A file of @node-red/nodes (`CORE`'s values), taken from the Node-RED the tests run. */
export function coreModule(file: string): unknown {
  const nodesDir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [nodeRedPackageDir] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(nodesDir, file));
}

/** Our node modules and the core ones `flow` needs. */
export function modulesFor(flow: FlowNode[]): unknown[] {
  const types = new Set(flow.map((n) => n.type));
  return [
    ...Object.keys(pkg['node-red'].nodes).map(nodeModule),
    ...[...new Set([...types].filter((t) => t in CORE).map((t) => CORE[t]))].map(coreModule),
  ];
}
