/**
 * Assembles the example flows into one deployable flow set for `npm start` and the examples test:
 * every example keeps its own tab, ids are made unique per file, and each backend's config nodes
 * are replaced by one that points at the running simulator.
 */
import fs from 'node:fs';
import path from 'node:path';

export type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

export interface ConfigTarget {
  /** Node-RED type of the config node, e.g. `motif-server`. */
  type: string;
  /** Properties pointing at the simulator. */
  props: Record<string, unknown>;
  credentials: Record<string, string>;
}

/** Properties that hold the id of another node (ours, core, and Dashboard 2's group/page/ui/theme). */
const REFERENCE_PROPS = [
  'z',
  'g',
  'server',
  'broker',
  'group',
  'page',
  'ui',
  'theme',
  // recorder-experiment's own servers
  'motifServer',
  'aiveroServer',
  'remotiveBroker',
];

/**
 * The folder of the dashboard examples. They need Dashboard 2 (a devDependency, not a dependency),
 * so the plain example list leaves them out; `npm start` and test/dashboard assemble them apart.
 */
export const DASHBOARD_DIR = 'dashboard';

/**
 * Dashboard 2 config nodes every dashboard example carries with the same id and content (one
 * dashboard, one theme): assembled once, under their own id, instead of once per file.
 */
export const SHARED_ONCE = new Set(['ui-base', 'ui-theme']);

export interface AssembleOptions {
  /** Prefix of the simulator-backed config node ids and of each file's ids (default: none / `ex`). */
  prefix?: string;
  /**
   * Per file (same order as `files`): config targets of that tab's own simulators (see
   * example-systems.ts). A config node of such a type in that file points at them, under an id of
   * its own (`sim-motif-server@motif-02`), instead of at the shared one.
   */
  perFile?: ConfigTarget[][];
}

/** A stable name of an example file for ids: `motif-02` for `examples/motif/02 - ….json`. */
export function fileKey(file: string): string {
  const folder = path.basename(path.dirname(file));
  const number = /^(\d+)/.exec(path.basename(file))?.[1] ?? path.basename(file, '.json').replace(/\W+/g, '_');
  return `${folder}-${number}`;
}

export function readExample(file: string): FlowNode[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: an example must be a JSON array of nodes`);
  return parsed as FlowNode[];
}

/** Every example file under `dir`, sorted; the dashboard folder only when asked for (see DASHBOARD_DIR). */
export function listExamples(dir: string, withDashboard = false): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name === DASHBOARD_DIR && !withDashboard) continue;
    if (entry.isDirectory()) out.push(...listExamples(full, withDashboard));
    else if (entry.name.endsWith('.json')) out.push(full);
  }
  return out.sort();
}

/**
 * A config node the flow connects and disconnects itself (an mqtt-broker without automatic
 * connection, such as a schedule's leadership connection): it keeps a node of its own, pointed at
 * the target like the shared one, so its connect and disconnect leave the others' connection alone.
 */
function ownConnection(n: FlowNode, shared: Map<string, string>): boolean {
  return shared.has(n.type) && (n.autoConnect === false || n.autoConnect === 'false');
}

function remapIds(
  nodes: FlowNode[],
  prefix: string,
  shared: Map<string, string>,
  props: Map<string, Record<string, unknown>>,
): FlowNode[] {
  const ids = new Map<string, string>();
  for (const n of nodes)
    ids.set(
      n.id,
      (ownConnection(n, shared) ? undefined : shared.get(n.type)) ??
        (SHARED_ONCE.has(n.type) ? n.id : `${prefix}${n.id}`),
    );
  const map = (v: unknown): unknown => (typeof v === 'string' && ids.has(v) ? ids.get(v) : v);
  return nodes
    .filter((n) => !shared.has(n.type) || ownConnection(n, shared))
    .map((n) => {
      const target = ownConnection(n, shared) ? { ...props.get(n.type), autoConnect: false } : {};
      const copy: FlowNode = { ...n, ...target, id: ids.get(n.id) ?? n.id };
      for (const prop of REFERENCE_PROPS) if (prop in copy) copy[prop] = map(copy[prop]);
      if (Array.isArray(copy.wires)) copy.wires = (copy.wires as unknown[][]).map((port) => port.map(map));
      if (Array.isArray(copy.links)) copy.links = (copy.links as unknown[]).map(map);
      if (Array.isArray(copy.scope)) copy.scope = (copy.scope as unknown[]).map(map);
      if (Array.isArray(copy.nodes)) copy.nodes = (copy.nodes as unknown[]).map(map);
      // recorder-experiment's rows name their servers.
      if (Array.isArray(copy.participants))
        copy.participants = (copy.participants as unknown[]).map((row) =>
          row !== null && typeof row === 'object'
            ? { ...row, server: map((row as { server?: unknown }).server) }
            : row,
        );
      return copy;
    });
}

/** One flow set from many examples, config nodes replaced by simulator-backed ones. */
export function assembleFlows(
  files: string[],
  targets: ConfigTarget[],
  options: AssembleOptions = {},
): { flows: FlowNode[]; credentials: Record<string, Record<string, string>> } {
  const prefix = options.prefix ?? '';
  const shared = new Map<string, string>();
  const props = new Map<string, Record<string, unknown>>();
  const flows: FlowNode[] = [];
  const credentials: Record<string, Record<string, string>> = {};
  for (const target of targets) {
    const id = `${prefix}sim-${target.type}`;
    shared.set(target.type, id);
    props.set(target.type, target.props);
    flows.push({ id, type: target.type, name: `simulated ${target.type.split('-')[0]}`, ...target.props });
    credentials[id] = target.credentials;
  }
  const once = new Set<string>();
  files.forEach((file, index) => {
    const own = new Map(shared);
    const ownProps = new Map(props);
    for (const target of options.perFile?.[index] ?? []) {
      const id = `${prefix}sim-${target.type}@${fileKey(file)}`;
      own.set(target.type, id);
      ownProps.set(target.type, target.props);
      flows.push({
        id,
        type: target.type,
        name: `simulated ${target.type.split('-')[0]} (${fileKey(file)})`,
        ...target.props,
      });
      credentials[id] = target.credentials;
    }
    for (const n of remapIds(readExample(file), `${prefix || 'ex'}${index}-`, own, ownProps)) {
      if (SHARED_ONCE.has(n.type)) {
        if (once.has(n.id)) continue;
        once.add(n.id);
      }
      flows.push(n);
    }
  });
  return { flows, credentials };
}
