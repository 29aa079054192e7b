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

/** Properties that hold the id of another node. */
const REFERENCE_PROPS = ['z', 'g', 'server', 'broker'];

export function readExample(file: string): FlowNode[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: an example must be a JSON array of nodes`);
  return parsed as FlowNode[];
}

export function listExamples(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listExamples(full));
    else if (entry.name.endsWith('.json')) out.push(full);
  }
  return out.sort();
}

function remapIds(nodes: FlowNode[], prefix: string, shared: Map<string, string>): FlowNode[] {
  const ids = new Map<string, string>();
  for (const n of nodes) ids.set(n.id, shared.get(n.type) ?? `${prefix}${n.id}`);
  const map = (v: unknown): unknown => (typeof v === 'string' && ids.has(v) ? ids.get(v) : v);
  return nodes
    .filter((n) => !shared.has(n.type))
    .map((n) => {
      const copy: FlowNode = { ...n, id: ids.get(n.id) ?? n.id };
      for (const prop of REFERENCE_PROPS) if (prop in copy) copy[prop] = map(copy[prop]);
      if (Array.isArray(copy.wires)) copy.wires = (copy.wires as unknown[][]).map((port) => port.map(map));
      if (Array.isArray(copy.links)) copy.links = (copy.links as unknown[]).map(map);
      if (Array.isArray(copy.scope)) copy.scope = (copy.scope as unknown[]).map(map);
      if (Array.isArray(copy.nodes)) copy.nodes = (copy.nodes as unknown[]).map(map);
      return copy;
    });
}

/** One flow set from many examples, config nodes replaced by simulator-backed ones. */
export function assembleFlows(
  files: string[],
  targets: ConfigTarget[],
): { flows: FlowNode[]; credentials: Record<string, Record<string, string>> } {
  const shared = new Map<string, string>();
  const flows: FlowNode[] = [];
  const credentials: Record<string, Record<string, string>> = {};
  for (const target of targets) {
    const id = `sim-${target.type}`;
    shared.set(target.type, id);
    flows.push({ id, type: target.type, name: `simulated ${target.type.split('-')[0]}`, ...target.props });
    credentials[id] = target.credentials;
  }
  files.forEach((file, index) => {
    flows.push(...remapIds(readExample(file), `ex${index}-`, shared));
  });
  return { flows, credentials };
}
