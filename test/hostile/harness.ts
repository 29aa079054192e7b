/**
 * Runs hostile messages through one node inside a real Node-RED runtime, with Catch and Complete
 * nodes, and checks what a user relies on: every message gets an output or a catchable error
 * within a bound, nothing escapes as an unhandled rejection or uncaught exception, and the event
 * loop never blocks for long.
 */
import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import { helper, loadFlow, type Credentials, type FlowNode } from '../support/node-red';
import type { HostileMessage } from './values';
import { BlockMeter } from '../support/block-meter';

export interface HostileRun {
  /** The node under test (id `target`) and its config nodes; outputs are wired by the harness. */
  nodes: FlowNode[];
  modules: unknown[];
  credentials?: Credentials;
  messages: HostileMessage[];
  /** Longest a message may wait for its answer. */
  boundMs?: number;
  /** Messages in flight at once. */
  concurrency?: number;
  /** Longest event-loop block allowed while the messages run. */
  maxBlockMs?: number;
  /** The node's outputs, all wired to the output the harness counts (default 1). */
  outputs?: number;
}

export interface HostileResult {
  outputs: number;
  caught: number;
  completed: number;
  slowestMs: number;
  maxBlockMs: number;
  errors: string[];
  /** How each message was answered, by `_msgid`. */
  answeredBy: Map<string, Set<AnswerKind>>;
}

export type AnswerKind = 'outputs' | 'caught' | 'completed';

/** The ids of the helper nodes the harness wires the target to. */
export { BlockMeter };

export const TARGET = 'target';

function wired(nodes: FlowNode[], outputs = 1): FlowNode[] {
  // Flow nodes need a position: Node-RED takes a node without x/y for a config node.
  const at = { z: 'tab', x: 100, y: 100 };
  return [
    { id: 'tab', type: 'tab' },
    ...nodes.map((n) =>
      n.id === TARGET ? { ...at, ...n, wires: Array.from({ length: outputs }, () => ['out']) } : n,
    ),
    { id: 'out', type: 'helper', ...at },
    { id: 'catch', type: 'catch', ...at, scope: [TARGET], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', ...at },
    { id: 'complete', type: 'complete', ...at, scope: [TARGET], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', ...at },
  ];
}

export async function runHostile(run: HostileRun): Promise<HostileResult> {
  const boundMs = run.boundMs ?? 5000;
  const concurrency = run.concurrency ?? 10;
  const escaped: string[] = [];
  const onRejection = (reason: unknown): void => {
    escaped.push(`unhandled rejection: ${String(reason).slice(0, 200)}`);
  };
  const onException = (err: Error): void => {
    escaped.push(`uncaught exception: ${err.message.slice(0, 200)}`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const loop = new BlockMeter();
  try {
    await loadFlow(run.modules, wired(run.nodes, run.outputs), run.credentials);
    const target = helper.getNode(TARGET) as Node | null;
    assert.ok(target, 'the node under test started');
    const answered = new Map<string, number>();
    const sentAt = new Map<string, number>();
    const result: HostileResult = {
      outputs: 0,
      caught: 0,
      completed: 0,
      slowestMs: 0,
      maxBlockMs: 0,
      errors: [],
      answeredBy: new Map(),
    };
    const waiting = new Map<string, () => void>();
    const answer = (kind: AnswerKind) => (msg: { _msgid?: string; error?: { message?: string } }) => {
      const id = msg._msgid;
      if (!id || !sentAt.has(id)) return; // stream data, not an answer to one of ours
      result[kind]++;
      let kinds = result.answeredBy.get(id);
      if (!kinds) result.answeredBy.set(id, (kinds = new Set()));
      kinds.add(kind);
      if (kind === 'caught' && msg.error?.message) result.errors.push(msg.error.message);
      if (answered.has(id)) return;
      answered.set(id, Date.now() - (sentAt.get(id) ?? Date.now()));
      waiting.get(id)?.();
    };
    helper.getNode('out').on('input', answer('outputs'));
    helper.getNode('caught').on('input', answer('caught'));
    helper.getNode('completed').on('input', answer('completed'));

    loop.enable();
    const queue = [...run.messages];
    const worker = async (): Promise<void> => {
      for (let msg = queue.shift(); msg; msg = queue.shift()) {
        const id = msg._msgid;
        const done = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new Error(
                  `no output, error or completion for ${id} within ${boundMs} ms: ${describeMsg(msg)}`,
                ),
              ),
            boundMs,
          );
          waiting.set(id, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        sentAt.set(id, Date.now());
        target.receive(msg);
        await done;
        waiting.delete(id);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    loop.disable();
    result.slowestMs = Math.max(0, ...answered.values());
    result.maxBlockMs = loop.maxBlockMs;
    assert.deepEqual(escaped, [], 'nothing escapes the nodes');
    assert.ok(
      result.maxBlockMs < (run.maxBlockMs ?? 100),
      `the event loop blocked for ${result.maxBlockMs.toFixed(1)} ms`,
    );
    for (const message of result.errors) {
      assert.ok(message.length < 1000, `error text of ${message.length} characters`);
      assert.equal(
        /[\u0000-\u0008\u000b-\u001f]/.test(message),
        false,
        `control characters in "${message.slice(0, 80)}"`,
      );
    }
    return result;
  } finally {
    loop.disable();
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
}

function describeMsg(msg: HostileMessage): string {
  const parts = Object.entries(msg)
    .filter(([k]) => k !== '_msgid')
    .map(([k, v]) => `${k}=${short(v)}`);
  return parts.join(' ');
}

function short(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}…(${value.length})` : value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'array' : 'object';
  return String(value);
}

/** Requests as a simulator logged them, for "no hostile value reached the server". */
export interface LoggedRequest {
  path: string;
  body?: string;
}

/** What no request may carry: dot segments, control characters (raw or encoded), huge sizes. */
export function assertNothingHostileReached(requests: readonly LoggedRequest[]): void {
  for (const r of requests) {
    const path = r.path.split('?')[0];
    const segments = path.split('/').map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    assert.equal(
      segments.some((s) => s === '.' || s === '..'),
      false,
      `dot segment reached the server: ${path.slice(0, 120)}`,
    );
    assert.equal(
      /[\u0000-\u001f\u007f]/.test(segments.join('/')),
      false,
      `control character reached the server: ${JSON.stringify(path.slice(0, 120))}`,
    );
    assert.ok(path.length < 2048, `a ${path.length}-character path reached the server`);
    assert.ok((r.body?.length ?? 0) < 100_000, `a ${r.body?.length}-character body reached the server`);
  }
}

/**
 * Every message reached the node's output or a Catch node. A completion alone counts only where
 * `quiet` says the message asks for nothing to be sent (a "stop" control message).
 */
export function assertOutputOrCatch(
  result: HostileResult,
  messages: readonly HostileMessage[],
  quiet: (msg: HostileMessage) => boolean = () => false,
): void {
  for (const msg of messages) {
    const kinds = result.answeredBy.get(msg._msgid) ?? new Set<AnswerKind>();
    const answered = kinds.has('outputs') || kinds.has('caught') || (quiet(msg) && kinds.has('completed'));
    assert.ok(answered, `${msg._msgid} got ${[...kinds].join(', ') || 'nothing'}: ${describeMsg(msg)}`);
  }
}
