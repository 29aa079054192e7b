/**
 * recorder-rigs inside a real Node-RED runtime, the test playing the broker's side: the rigs'
 * retained status and states, their acknowledgements (duplicated, late, forged, missing) and
 * hostile topics and commands. The same node over a real Mosquitto with rig Node-REDs is
 * test/fleet/rigs.test.ts.
 */
import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import { collect, waitFor, type Message } from '../support/flow';
import { helper, loadFlow, nodeModule } from '../support/node-red';

const ACKS = 'recorders/coordinator/main/acks';

interface Loaded {
  rigs: Node;
  commands: Message[];
  results: Message[];
  lists: Message[];
  caught: Message[];
}

async function load(timeout = 10): Promise<Loaded> {
  await loadFlow(
    [nodeModule('recorder-rigs')],
    [
      { id: 'tab', type: 'tab' },
      {
        id: 'rigs',
        type: 'recorder-rigs',
        z: 'tab',
        prefix: 'recorders',
        ackTopic: ACKS,
        timeout,
        wires: [['commands'], ['results'], ['lists']],
      },
      { id: 'commands', type: 'helper', z: 'tab' },
      { id: 'results', type: 'helper', z: 'tab' },
      { id: 'lists', type: 'helper', z: 'tab' },
      {
        id: 'catch',
        type: 'catch',
        z: 'tab',
        scope: null,
        uncaught: false,
        x: 100,
        y: 100,
        wires: [['caught']],
      },
      { id: 'caught', type: 'helper', z: 'tab' },
    ],
  );
  return {
    rigs: helper.getNode('rigs'),
    commands: collect(helper.getNode('commands')),
    results: collect(helper.getNode('results')),
    lists: collect(helper.getNode('lists')),
    caught: collect(helper.getNode('caught')),
  };
}

type Row = { rig: string; online: boolean | null; since: string | null; systems: Record<string, unknown> };
const lastList = (l: Loaded): Row[] => (l.lists[l.lists.length - 1]?.payload as Row[] | undefined) ?? [];

function online(l: Loaded, ...rigs: string[]): void {
  for (const rig of rigs) l.rigs.receive({ topic: `recorders/rigs/${rig}/status`, payload: 'online' });
}

function ack(l: Loaded, command: Message, extra: Record<string, unknown> = {}): void {
  const payload = command.payload as { rig: string };
  l.rigs.receive({
    topic: ACKS,
    correlationData: command.correlationData,
    payload: { ok: true, result: { done: payload.rig }, rig: payload.rig, rigTime: Date.now(), ...extra },
  });
}

describe('recorder-rigs in Node-RED', function () {
  this.timeout(15_000);
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('keeps the rig table from status and states, and leaves hostile topics and payloads out', async () => {
    const l = await load();
    online(l, 'rig-1', 'rig-2');
    l.rigs.receive({
      topic: 'recorders/rigs/rig-1/systems/motif/state',
      payload: '{"connected":true,"recording":false}',
    });
    l.rigs.receive({ topic: 'recorders/rigs/rig-2/status', payload: Buffer.from('offline') });
    // Hostile or foreign: wildcards, a path, a long name, not a status word, not a JSON object, another tree.
    for (const [topic, payload] of [
      ['recorders/rigs/+/status', 'online'],
      ['recorders/rigs/../status', 'online'],
      [`recorders/rigs/${'r'.repeat(65)}/status`, 'online'],
      ['recorders/rigs/rig-1/status', 'maybe'],
      ['recorders/rigs/rig-1/systems/motif/state', '[1,2]'],
      ['recorders/rigs/rig-1/systems/motif/state', '{"broken'],
      ['recorders/rigs/rig-1/systems/a/b/state', '{}'],
    ])
      l.rigs.receive({ topic, payload });
    l.rigs.receive({
      topic: 'recorders/rigs/rig-1/systems/big/state',
      payload: { blob: 'x'.repeat(20_000) },
    });
    await waitFor(() => (lastList(l).find((r) => r.rig === 'rig-1')?.systems.big ? true : undefined));
    const list = lastList(l);
    assert.deepEqual(
      list.map((r) => [r.rig, r.online]),
      [
        ['rig-1', true],
        ['rig-2', false],
      ],
    );
    assert.deepEqual(list[0].systems.motif, { connected: true, recording: false });
    assert.match(String((list[0].systems.big as { note: string }).note), /state left out: \d+ characters/);
    assert.match(String(list[1].since), /^\d{4}-\d\d-\d\dT/);
    assert.equal(l.caught.length, 0, 'table updates never fail');
    // A cleared retained status forgets the rig.
    l.rigs.receive({ topic: 'recorders/rigs/rig-2/status', payload: '' });
    await waitFor(() => (lastList(l).length === 1 ? true : undefined));
  });

  it('sends one command per rig with v5 correlation, merges the acknowledgements once, with clocks', async () => {
    const l = await load();
    online(l, 'rig-1', 'rig-2', 'rig-3');
    await waitFor(() => (lastList(l).length === 3 ? true : undefined));
    l.rigs.receive({ payload: { command: 'start', rig: 'all', codec: 'high' }, note: 'kept' });
    await waitFor(() => (l.commands.length === 3 ? true : undefined));
    const ids = new Set<string>();
    for (const [i, c] of l.commands.entries()) {
      const payload = c.payload as Record<string, unknown>;
      const rig = `rig-${i + 1}`;
      assert.equal(c.topic, `recorders/rigs/${rig}/command`);
      assert.equal(c.qos, 1);
      assert.equal(c.responseTopic, ACKS);
      assert.ok(Buffer.isBuffer(c.correlationData));
      assert.equal(String(c.correlationData), `${String(payload.commandId)}:${rig}`);
      assert.deepEqual(
        { ...payload, commandId: 'x' },
        { command: 'start', codec: 'high', commandId: 'x', rig, replyTo: ACKS },
      );
      ids.add(String(payload.commandId));
    }
    assert.equal(ids.size, 1, 'one command id for the whole command');
    // rig-2's clock is 5 s ahead; rig-1 answers twice (QoS 1); a forged correlation is ignored.
    ack(l, l.commands[0]);
    ack(l, l.commands[0]);
    l.rigs.receive({
      topic: ACKS,
      correlationData: Buffer.from('forged:rig-3'),
      payload: { ok: false, error: 'no' },
    });
    ack(l, l.commands[1], { rigReceivedTime: Date.now() + 5000, rigTime: Date.now() + 5000 });
    // rig-3 says it answered before it received: the pair is ignored, rigTime alone counts.
    ack(l, l.commands[2], { rigReceivedTime: Date.now() + 9e9 });
    ack(l, l.commands[2]);
    const result = await waitFor(() => l.results[0]);
    const payload = result.payload as {
      results: Record<string, { ok: boolean; result: unknown; ms: number }>;
      spreadMs: number;
      clocks: Record<string, { offsetMs: number; uncertaintyMs: number }>;
    };
    assert.equal(result.note, 'kept', 'the original message goes on');
    assert.deepEqual(Object.keys(payload.results), ['rig-1', 'rig-2', 'rig-3']);
    for (const [rig, r] of Object.entries(payload.results)) {
      assert.equal(r.ok, true);
      assert.deepEqual(r.result, { done: rig });
      assert.ok(r.ms >= 0);
    }
    assert.ok(payload.spreadMs >= 0);
    const c2 = payload.clocks['rig-2'];
    assert.ok(Math.abs(c2.offsetMs - 5000) <= c2.uncertaintyMs + 1, JSON.stringify(c2));
    for (const rig of ['rig-1', 'rig-3'])
      assert.ok(Math.abs(payload.clocks[rig].offsetMs) <= payload.clocks[rig].uncertaintyMs + 1, rig);
    await new Promise((r) => setImmediate(r));
    assert.equal(l.results.length, 1, 'one result, duplicates ignored');
    assert.equal(l.caught.length, 0);
  });

  it('fails at once for an offline rig, naming it and since when, and sends to the others', async () => {
    const l = await load();
    online(l, 'rig-1', 'rig-2');
    l.rigs.receive({ topic: 'recorders/rigs/rig-2/status', payload: 'offline' });
    await waitFor(() => (lastList(l)[1]?.online === false ? true : undefined));
    l.rigs.receive({ topic: 'start', payload: 'all' });
    await waitFor(() => (l.commands.length === 1 ? true : undefined));
    assert.equal(l.commands[0].topic, 'recorders/rigs/rig-1/command');
    ack(l, l.commands[0]);
    const caught = await waitFor(() => l.caught[0]);
    const error = caught.error as { message: string };
    assert.match(
      error.message,
      /^RigsError: start failed on 1 of 2 rigs: rig-2: rig-2 is offline since \d{4}-\d\d-\d\dT[\d:.]+Z/,
    );
    const results = (caught.payload as { results: Record<string, { ok: boolean; error?: string }> }).results;
    assert.equal(results['rig-1'].ok, true);
    assert.equal(results['rig-2'].ok, false);
    assert.equal(l.results.length, 0);
  });

  it('fails a rig that does not acknowledge within the timeout, and one that goes offline while awaited', async () => {
    const l = await load(0.3);
    l.rigs.receive({ topic: 'experiment/start', payload: ['rig-1', 'rig-2'], label: 'go' });
    await waitFor(() => (l.commands.length === 2 ? true : undefined));
    assert.deepEqual(l.commands[0].payload, {
      action: 'start',
      label: 'go',
      command: 'experiment',
      commandId: (l.commands[0].payload as { commandId: string }).commandId,
      rig: 'rig-1',
      replyTo: ACKS,
    });
    // rig-1 answers over MQTT 3.1.1 (no correlation data: commandId and rig in the payload).
    const first = l.commands[0].payload as { commandId: string };
    l.rigs.receive({
      topic: ACKS,
      payload: JSON.stringify({ ok: true, commandId: first.commandId, rig: 'rig-1' }),
    });
    const caught = await waitFor(() => l.caught[0], 5000);
    assert.equal(
      (caught.error as { message: string }).message,
      'RigsError: experiment failed on 1 of 2 rigs: rig-2: rig-2 did not acknowledge experiment within 0.3 s',
    );
    assert.equal((caught.payload as { results: Record<string, { ok: boolean }> }).results['rig-1'].ok, true);

    const l2 = l;
    l2.rigs.receive({ topic: 'stop', payload: 'rig-1' });
    await waitFor(() => (l2.commands.length === 3 ? true : undefined));
    l2.rigs.receive({ topic: 'recorders/rigs/rig-1/status', payload: 'offline' });
    const gone = await waitFor(() => l2.caught[1], 5000);
    assert.match(
      (gone.error as { message: string }).message,
      /rig-1 went offline \(.+\) before acknowledging stop/,
    );
  });

  it('refuses hostile commands before sending anything', async () => {
    const l = await load();
    online(l, 'rig-1');
    const bad: Message[] = [
      { payload: { command: 'start', rig: 'rig/1' } },
      { payload: { command: 'start', rig: ['rig-1', '#'] } },
      { payload: { command: 'Start now', rig: 'rig-1' } },
      { payload: { command: 'start', rig: 'rig-1', blob: 'x'.repeat(20_000) } },
      { payload: { command: 'start', rig: Array.from({ length: 1001 }, (_, i) => `r${i}`) } },
      { topic: 'a/b/c', payload: 'rig-1' },
      { topic: 'start', payload: 42 },
      { payload: 'start' },
    ];
    for (const msg of bad) l.rigs.receive(msg);
    await waitFor(() => (l.caught.length === bad.length ? true : undefined));
    for (const c of l.caught) {
      const error = c.error as { message: string; source: unknown };
      assert.ok(error.message.length < 500, error.message);
      assert.doesNotMatch(error.message, /x{100}/);
    }
    assert.equal(l.commands.length, 0);
  });

  it('keeps at most 1000 commands waiting: the next one fails at once, an answer still settles its own', async () => {
    const l = await load(60);
    for (let i = 0; i < 1000; i++) l.rigs.receive({ topic: 'start', payload: 'rig-1' });
    await waitFor(() => (l.commands.length === 1000 ? true : undefined), 10_000);
    l.rigs.receive({ topic: 'start', payload: 'rig-1' });
    const refused = await waitFor(() => l.caught[0]);
    assert.match((refused.error as { message: string }).message, /too many commands are waiting/);
    assert.equal(l.commands.length, 1000, 'nothing sent for it');
    // An answer still settles its own command.
    ack(l, l.commands[500]);
    await waitFor(() => l.results[0]);
  });
});
