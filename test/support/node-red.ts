/**
 * The Node-RED runtime the node tests run in. NODE_RED_PATH selects another installed Node-RED
 * (the Node-RED 5 leg of CI); by default the devDependency is used.
 */
import helper from 'node-red-node-test-helper';
import path from 'node:path';

export const nodeRedPath = process.env.NODE_RED_PATH ?? require.resolve('node-red');
helper.init(nodeRedPath);

export { helper };

/** Every node module of the package, for `helper.load`. */
export function nodeModule(type: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, '..', '..', 'nodes', `${type}.js`));
}
