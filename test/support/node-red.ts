/**
 * The Node-RED runtime the node tests run in. NODE_RED_HOME (a folder whose node_modules holds
 * another Node-RED, as in the Node-RED 5 leg of CI) selects it; by default the devDependency is used.
 */
import testHelper, { type TestNodeInitializer } from 'node-red-node-test-helper';
import path from 'node:path';

const home = process.env.NODE_RED_HOME;
/** The runtime module (node-red/lib/red.js) the test helper drives. */
export const nodeRedRuntime = home
  ? require.resolve('node-red', { paths: [home] })
  : require.resolve('node-red');
/** The `node-red` package folder, for starting it as a program (smoke test). */
export const nodeRedPackageDir = path.resolve(path.dirname(nodeRedRuntime), '..');
testHelper.init(nodeRedRuntime);

/**
 * The test helper as installed (0.3.6 and later): startServer and stopServer return promises, which
 * its type declarations (still 0.3.5) do not say.
 */
type Helper = Omit<typeof testHelper, 'startServer' | 'stopServer'> & {
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
};
export const helper = testHelper as Helper;

/** The Node-RED entry file of one of our node types, as `helper.load` wants it. */
export function nodeModule(type: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, '..', '..', 'nodes', `${type}.js`));
}

export type FlowNode = { id: string; type: string; [key: string]: unknown };
export type Credentials = Record<string, Record<string, string>>;

/** `helper.load` with our loosely typed flow nodes. */
export async function loadFlow(
  modules: unknown[],
  flow: FlowNode[],
  credentials?: Credentials,
): Promise<void> {
  await helper.load(modules as TestNodeInitializer, flow, credentials);
}

/**
 * `loadFlow` for several example tabs at once. The helper registers its own catch module once per
 * catch node, which fails with more than one; the catch module is then passed once with `modules`.
 */
export async function loadExampleFlows(
  modules: unknown[],
  flow: FlowNode[],
  credentials?: Credentials,
): Promise<void> {
  const preloaded = (helper as unknown as { _nodeModules: Record<string, unknown> })._nodeModules;
  const catchModule = preloaded.catch;
  delete preloaded.catch;
  try {
    await loadFlow(modules, flow, credentials);
  } finally {
    preloaded.catch = catchModule;
  }
}

/** A full deploy of a new flow into the running test runtime. */
export async function redeploy(flow: FlowNode[], credentials?: Credentials): Promise<void> {
  await helper.setFlows(flow, 'full', credentials);
}
