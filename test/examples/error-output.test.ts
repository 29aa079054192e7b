/**
 * Every example's Catch node leads to an output that shows the error: a debug node that shows
 * msg.error or the whole message (one that showed msg.payload printed only the inject timestamp of
 * the message that failed), or a change node that puts the error's text in the payload.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { listExamples, readExample, type FlowNode } from '../../src/devtools/flows';

const examples = path.resolve(__dirname, '..', '..', '..', 'examples');

/** Whether what `node` shows or passes on carries the caught error. */
function showsError(node: FlowNode): boolean {
  if (node.type === 'debug') return node.complete === 'error' || node.complete === 'true';
  if (node.type === 'change' && Array.isArray(node.rules))
    return (node.rules as Array<Record<string, unknown>>).some(
      (r) => r.t === 'set' && r.p === 'payload' && String(r.to).includes('error'),
    );
  // Function nodes and others: read their code to know; the pages use change nodes.
  return node.type === 'function' && String(node.func).includes('msg.error');
}

describe('example error outputs', () => {
  for (const file of listExamples(examples, true)) {
    const nodes = readExample(file);
    const catches = nodes.filter((n) => n.type === 'catch');
    if (catches.length === 0) continue;
    it(`${path.relative(examples, file)}: its Catch node's output shows the error`, () => {
      const byId = new Map(nodes.map((n) => [n.id, n]));
      for (const c of catches) {
        const targets = ((c.wires as string[][] | undefined) ?? []).flat().map((id) => byId.get(id));
        assert.ok(targets.length > 0, `${c.id} is wired`);
        for (const t of targets) assert.ok(t && showsError(t), `${c.id} → ${t?.id} (${t?.type}) shows the error`);
      }
    });
  }
});
