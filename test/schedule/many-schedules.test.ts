/**
 * recorder-schedule with thousands of schedules, in a real Node-RED runtime: adding them in one
 * message, restoring them at a redeploy, and closing in the middle of a batch. Adding n schedules
 * costs O(n log n) and the work runs in slices, so the event loop is never blocked for long (before,
 * 5,000 adds in one message blocked it for 3–5 s and a restore of 4,000 for 11–14 s: every add
 * checked the anchors of all schedules).
 */
import assert from 'node:assert/strict';
import { persistKey } from '../../nodes/recorder-schedule/index';
import { BlockMeter } from '../support/block-meter';
import { collect, nextMessage, type FlowNode, type Message } from '../support/flow';
import { helper, loadFlow, nodeModule, redeploy } from '../support/node-red';

const MODULES = [nodeModule('recorder-schedule')];
/** Longest event-loop block allowed (CPU time, see BlockMeter): a few slices, a reply, a save. */
const MAX_BLOCK_MS = 100;

const flow = (): FlowNode[] => [
  { id: 'tab', type: 'tab' },
  {
    id: 'sched',
    type: 'recorder-schedule',
    z: 'tab',
    schedules: [
      { name: 'fixed', expression: '0 0 12 * * *', timeZone: 'UTC', payload: '', payloadType: 'date' },
    ],
    dst: 'auto',
    missed: 'skip',
    store: '',
    wires: [['fires'], ['replies']],
  },
  { id: 'fires', type: 'helper', z: 'tab' },
  { id: 'replies', type: 'helper', z: 'tab' },
  { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 100, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'tab' },
];

/** `n` distinct dynamic schedules, a few of them relative and anchored to the one before. */
function adds(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) =>
    i % 100 === 1
      ? { command: 'add', name: `s${i}`, expression: '0 */5 * ? * * *', relative: true, anchor: `s${i - 1}` }
      : { command: 'add', name: `s${i}`, expression: `${i % 60} ${(i * 7) % 60} * * * *`, timeZone: 'UTC' },
  );
}

async function command(payload: unknown, timeoutMs = 60_000): Promise<Message> {
  const reply = nextMessage(helper.getNode('replies'), timeoutMs);
  helper.getNode('sched').receive({ payload });
  return reply;
}

describe('recorder-schedule with thousands of schedules', function () {
  this.timeout(180_000);
  beforeEach(async () => {
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('adds 5,000 schedules in one message without blocking the event loop, and answers in order', async () => {
    await loadFlow(MODULES, flow());
    const replies = collect(helper.getNode('replies'));
    const meter = new BlockMeter();
    meter.enable();
    const batch = command(adds(5000));
    // Sent while the batch runs: answered after it, and sees all of it.
    const listed = command({ command: 'list' });
    const added = (await batch).payload as Record<string, unknown>[];
    const all = (await listed).payload as Record<string, unknown>[];
    const longest = await meter.stop();
    assert.ok(longest < MAX_BLOCK_MS, `the event loop blocked for ${longest.toFixed(1)} ms`);
    assert.equal(added.length, 5000);
    assert.deepEqual(
      added.slice(0, 2).map((s) => [s.name, s.armed]),
      [
        ['s0', true],
        ['s1', false],
      ],
    );
    assert.equal(all.length, 5001);
    assert.deepEqual(
      replies.map((m) => Array.isArray(m.payload) && m.payload.length),
      [5000, 5001],
      'replies in order',
    );
  });

  it('restores 4,000 saved schedules at a redeploy without blocking the event loop', async () => {
    // Without the node first: a running node would write its own state over this one when it closes.
    await loadFlow(
      MODULES,
      flow().filter((n) => n.id !== 'sched'),
    );
    const saved = {
      version: 2,
      savedAt: Date.now(),
      anchor: null,
      anchors: [],
      // Saved anchors first: each relative one is anchored to the row saved after it.
      dynamic: adds(4000)
        .map(({ command: _, ...row }) =>
          row.anchor ? { ...row, anchor: `s${Number(String(row.name).slice(1)) + 1}` } : row,
        )
        .map((row) => ({ timeZone: '', relative: false, topic: row.name, payload: row.name, ...row })),
      paused: ['s2'],
      known: [],
      runs: [],
    };
    helper.getNode('replies').context().global.set(persistKey('sched'), saved);
    const meter = new BlockMeter();
    meter.enable();
    await redeploy(flow());
    const listed = (await command({ command: 'list' })).payload as Record<string, unknown>[];
    const longest = await meter.stop();
    assert.ok(longest < MAX_BLOCK_MS, `the event loop blocked for ${longest.toFixed(1)} ms`);
    assert.equal(listed.length, 4001);
    const byName = new Map(listed.map((s) => [s.name, s]));
    for (let i = 0; i < 4000; i++) assert.ok(byName.has(`s${i}`), `s${i} restored`);
    assert.equal(byName.get('s2')?.paused, true);
    assert.equal(byName.get('s1')?.anchor, 's2');
  });

  it('stops a batch cleanly when the node is redeployed in the middle of it', async () => {
    await loadFlow(MODULES, flow());
    const replies = collect(helper.getNode('replies'));
    helper.getNode('sched').receive({ payload: adds(20_000) });
    await redeploy(flow());
    const listed = (await command({ command: 'list' })).payload as Record<string, unknown>[];
    // What was added before the close is kept (and saved); the rest of the batch never ran.
    assert.ok(listed.length < 20_001, `${listed.length} schedules after the redeploy`);
    assert.deepEqual(
      listed.slice(1).map((s) => s.name),
      Array.from({ length: listed.length - 1 }, (_, i) => `s${i}`),
    );
    assert.equal(replies.length, 0, 'no reply for the stopped batch');
    const after = (await command({ command: 'add', name: 'after', expression: '0 0 1 * * *' })).payload;
    assert.equal((after as Record<string, unknown>).armed, true);
  });
});
