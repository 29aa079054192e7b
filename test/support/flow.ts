/** Small helpers for node tests: typed flow nodes, awaiting messages and status. */
import type { Node } from 'node-red';

export type { FlowNode } from './node-red';
export type Message = Record<string, unknown>;

/** The next message a helper node receives, or a rejection after `timeoutMs`. */
export function nextMessage(node: Node, timeoutMs = 5000): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      node.removeListener('input', onInput);
      reject(new Error(`no message at ${node.id} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onInput = (msg: Message): void => {
      clearTimeout(timer);
      node.removeListener('input', onInput);
      resolve(msg);
    };
    node.on('input', onInput);
  });
}

/** Collect every message a helper node receives. */
export function collect(node: Node): Message[] {
  const seen: Message[] = [];
  node.on('input', (msg: Message) => seen.push(msg));
  return seen;
}

interface StatusSpy {
  getCalls?: () => Array<{ thisValue: unknown; args: unknown[] }>;
}

/**
 * The last status this node set. The test helper's sinon spy on node.status is shared by every
 * node, so the calls are filtered by `this`.
 */
export function statusOf(node: Node): { fill?: string; shape?: string; text?: string } | undefined {
  const spy = node.status as unknown as StatusSpy;
  const calls = (spy.getCalls?.() ?? []).filter((c) => c.thisValue === node);
  return calls[calls.length - 1]?.args[0] as { fill?: string; shape?: string; text?: string } | undefined;
}

/** Poll until `probe` returns a value, or fail after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
