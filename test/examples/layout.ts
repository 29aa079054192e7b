/**
 * A rough editor layout of an example tab, to catch nodes drawn over each other and status text
 * hidden under the next node: a node is estimated as a 120×30 px box centred at x,y, with ~50 px
 * under it reserved for its status line when it shows one (our nodes, MQTT nodes, debug nodes
 * with "show in node status"; injects, comments, catch, change and function nodes show none).
 */
import type { FlowNode } from '../../src/devtools/flows';

export const NODE_W = 120;
export const NODE_H = 30;
export const STATUS_H = 50;

export interface Box {
  id: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Nodes drawn on the canvas (config nodes and the tab itself have no x,y). */
export function placed(nodes: FlowNode[]): FlowNode[] {
  return nodes.filter((n) => typeof n.x === 'number' && typeof n.y === 'number' && n.type !== 'group');
}

/** Package nodes and core nodes that draw a status line under themselves. */
export function hasStatus(n: FlowNode): boolean {
  if (/^(motif|remotive|aivero|recorder)-/.test(n.type)) return !n.type.endsWith('-server') && !n.type.endsWith('-broker');
  if (n.type === 'debug') return n.tostatus === true;
  return n.type === 'mqtt in' || n.type === 'mqtt out' || n.type === 'file' || n.type === 'http in';
}

export function boxOf(n: FlowNode): Box {
  const x = n.x as number;
  const y = n.y as number;
  return {
    id: `${n.type} "${String(n.name ?? '') || n.id}"`,
    left: x - NODE_W / 2,
    top: y - NODE_H / 2,
    right: x + NODE_W / 2,
    bottom: y + NODE_H / 2 + (hasStatus(n) ? STATUS_H : 0),
  };
}

export function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** Every pair of placed nodes whose boxes overlap, as readable strings. */
export function overlappingPairs(nodes: FlowNode[]): string[] {
  const boxes = placed(nodes).map(boxOf);
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (overlaps(boxes[i], boxes[j])) out.push(`${boxes[i].id} / ${boxes[j].id}`);
  return out;
}

/**
 * Comments outside the visible area: left of or above the canvas origin, or beyond the extent of
 * the tab's other nodes (a user opening the tab would have to scroll to find the explanation).
 */
export function strayComments(nodes: FlowNode[]): string[] {
  const all = placed(nodes);
  const others = all.filter((n) => n.type !== 'comment').map(boxOf);
  if (others.length === 0) return [];
  const right = Math.max(...others.map((b) => b.right)) + NODE_W;
  const bottom = Math.max(...others.map((b) => b.bottom)) + NODE_H;
  return all
    .filter((n) => n.type === 'comment')
    .map(boxOf)
    .filter((b) => b.left < 0 || b.top < 0 || b.right > right || b.bottom > bottom)
    .map((b) => b.id);
}
