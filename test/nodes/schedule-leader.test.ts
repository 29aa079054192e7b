/**
 * The schedule nodes in leader-topic mode in a real Node-RED runtime: what goes out on the
 * leadership output for a core `mqtt out` node, how records from an `mqtt in` node drive the role,
 * and the order "record, then firing". Records are given as an `mqtt in` node delivers them; the
 * broker itself is in test/fleet/leader-topic.test.ts. As in recorder-schedule-standby.test.ts, the
 * fake clock is installed after the flow is loaded.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { MotifSimulator } from '../../src/simulators/motif/server';
import { SETTLE_MS } from '../../src/kit/leadership';
import { helper, loadFlow, nodeModule } from '../support/node-red';
import { collect, nextMessage, statusOf, waitFor, type FlowNode, type Message } from '../support/flow';

type Reply = Record<string, unknown>;
const TOPIC = 'recorders/rigs/rig-1/leader/tick';
/**
 * The next whole minute, set before each test: the fake clock starts after the deploy (the node is
 * in standby since then) and never goes back.
 */
let T0 = 0;
const at = (seconds: number): number => T0 + seconds * 1000;

function catcher(): FlowNode[] {
  return [
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
  ];
}

/** The broker's part for the records: each one the node publishes comes back to it, as mqtt in delivers it. */
function echoRecords(nodeId: string): void {
  helper.getNode('leadership').on('input', (msg: Message) => {
    if (msg.topic === TOPIC) helper.getNode(nodeId).receive({ topic: TOPIC, payload: msg.payload });
  });
}

/** What one helper node after another received, in the order it arrived. */
function inOrder(ids: string[]): Array<[string, Message]> {
  const seen: Array<[string, Message]> = [];
  for (const id of ids) helper.getNode(id).on('input', (msg: Message) => seen.push([id, msg]));
  return seen;
}

describe('schedule nodes following a leader topic', function () {
  let clock: sinon.SinonFakeTimers | undefined;

  beforeEach(async () => {
    T0 = Math.ceil((Date.now() + 1000) / 60_000) * 60_000;
    await helper.startServer();
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await helper.unload();
    await helper.stopServer();
  });

  describe('recorder-schedule', () => {
    const MODULES = [nodeModule('recorder-schedule')];
    const flow = (extra: Partial<FlowNode> = {}): FlowNode[] => [
      { id: 'tab', type: 'tab' },
      {
        id: 'a',
        type: 'recorder-schedule',
        z: 'tab',
        schedules: [],
        dst: 'auto',
        missed: 'skip',
        store: 'none',
        role: 'leader',
        leaderTopic: TOPIC,
        instance: 'rig-1-a',
        outputs: 3,
        wires: [['fires'], ['replies'], ['leadership']],
        ...extra,
      },
      { id: 'fires', type: 'helper', z: 'tab' },
      { id: 'replies', type: 'helper', z: 'tab' },
      { id: 'leadership', type: 'helper', z: 'tab' },
      ...catcher(),
    ];

    it('claims a vacant topic with birth and will, is active once its record settled, publishes before each firing', async () => {
      await loadFlow(MODULES, flow());
      const c = sinon.useFakeTimers({
        now: T0,
        toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
        shouldClearNativeTimers: true,
      });
      clock = c;
      const node = helper.getNode('a');
      const added = nextMessage(helper.getNode('replies'));
      node.receive({ payload: { command: 'add', name: 'tick', expression: '*/10 * * * * *' } });
      await added;

      const claim = nextMessage(helper.getNode('leadership'));
      node.receive({ topic: TOPIC, payload: '' });
      const connect = await claim;
      const broker = connect.broker as Record<string, Reply>;
      assert.equal(connect.action, 'connect');
      assert.equal(broker.force, true);
      const birth = JSON.parse(String(broker.birth.payload)) as Reply;
      assert.equal(birth.leader, 'rig-1-a');
      assert.deepEqual(
        { ...broker.birth, payload: undefined },
        { topic: TOPIC, payload: undefined, qos: 1, retain: true },
      );
      assert.deepEqual(JSON.parse(String(broker.will.payload)), { vacated: 'rig-1-a', run: birth.run });
      assert.deepEqual(
        { ...broker.will, payload: undefined },
        { topic: TOPIC, payload: undefined, qos: 1, retain: true },
      );

      // Its birth comes back through mqtt in (auto-detect: parsed JSON); the claim settles.
      const role = nextMessage(helper.getNode('replies'));
      node.receive({ topic: TOPIC, payload: birth });
      await c.tickAsync(SETTLE_MS);
      const active = await role;
      assert.equal(active.topic, 'role');
      assert.deepEqual(active.payload, {
        role: 'active',
        changed: true,
        leader: 'rig-1-a',
        lastFired: null,
        late: [],
      });

      // From here its records (the heartbeat too) come back, and keep its lease.
      echoRecords('a');
      const order = inOrder(['fires', 'leadership']);
      await c.tickAsync(at(10) - Date.now());
      const record = order.findIndex(
        ([id, m]) => id === 'leadership' && (m.payload as Reply).lastFired === at(10),
      );
      const firing = order.findIndex(([id]) => id === 'fires');
      assert.ok(record >= 0 && record < firing, 'the record goes out before the firing');
      assert.deepEqual(order[record][1], {
        _msgid: order[record][1]._msgid,
        topic: TOPIC,
        payload: { leader: 'rig-1-a', run: birth.run, lastFired: at(10) },
        retain: true,
        qos: 1,
      });
      assert.equal((order[firing][1].schedule as Reply).scheduledAt, at(10));
      assert.ok(
        order.filter(([id]) => id === 'leadership').length >= 4,
        'and again every 2 s while it leads',
      );

      // A later record names another instance: standby at once, a clean disconnect, nothing fired.
      const standby = nextMessage(helper.getNode('replies'));
      node.receive({ topic: TOPIC, payload: Buffer.from('{"leader":"rig-1-b","lastFired":' + at(10) + '}') });
      assert.deepEqual((await standby).payload, {
        role: 'standby',
        changed: true,
        leader: 'rig-1-b',
        lastFired: new Date(at(10)).toISOString(),
      });
      assert.deepEqual(order.at(-1)?.[1].action, 'disconnect');
      const fired = order.length;
      await c.tickAsync(30_000);
      assert.equal(order.length, fired, 'nothing fired, nothing published in standby');
      // The test runtime shows catalogue keys with their values.
      assert.match(String(statusOf(node)?.text), /follows.*rig-1-b/);
    });

    it('takes over from a killed leader with its lastFired: fire once late never repeats what it sent', async () => {
      await loadFlow(MODULES, flow({ missed: 'fireOnceLate' }));
      const c = sinon.useFakeTimers({
        now: T0,
        toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
        shouldClearNativeTimers: true,
      });
      clock = c;
      const node = helper.getNode('a');
      const fires = collect(helper.getNode('fires'));
      const leadership = collect(helper.getNode('leadership'));
      const added = nextMessage(helper.getNode('replies'));
      node.receive({ payload: { command: 'add', name: 'tick', expression: '*/10 * * * * *' } });
      await added;
      node.receive({ topic: TOPIC, payload: { leader: 'rig-1-b', run: 'b1' } });
      await c.tickAsync(25_000);
      // b fired 10 and 20 and said so; it is killed at 25, its will arrives.
      node.receive({ topic: TOPIC, payload: { leader: 'rig-1-b', run: 'b1', lastFired: at(20) } });
      const claim = nextMessage(helper.getNode('leadership'));
      node.receive({ topic: TOPIC, payload: '{"vacated":"rig-1-b","run":"b1"}' });
      await claim;
      const birth = JSON.parse(
        String((leadership[0].broker as Record<string, Reply>).birth.payload),
      ) as Reply;
      assert.equal(birth.lastFired, at(20), 'the claim carries the lastFired it read');
      await c.tickAsync(6_000); // 31 s: 30 fell due while nobody led
      const role = nextMessage(helper.getNode('replies'));
      echoRecords('a');
      node.receive({ topic: TOPIC, payload: birth });
      await c.tickAsync(SETTLE_MS);
      const active = (await role).payload as Reply;
      assert.deepEqual(active.late, [{ name: 'tick', scheduledAt: new Date(at(30)).toISOString() }]);
      await c.tickAsync(10_000);
      assert.deepEqual(
        fires.map((m) => (m.schedule as Reply).scheduledAt),
        [at(30), at(40)],
        'never 10 or 20 (b sent them), 30 once, late',
      );
    });

    it('a leader whose records stop coming back (cut off, or paused) stops firing within the lease', async () => {
      await loadFlow(MODULES, flow());
      const c = sinon.useFakeTimers({
        now: T0,
        toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
        shouldClearNativeTimers: true,
      });
      clock = c;
      const node = helper.getNode('a');
      const fires = collect(helper.getNode('fires'));
      const leadership = collect(helper.getNode('leadership'));
      const added = nextMessage(helper.getNode('replies'));
      node.receive({ payload: { command: 'add', name: 'tick', expression: '*/10 * * * * *' } });
      await added;
      const claim = nextMessage(helper.getNode('leadership'));
      node.receive({ topic: TOPIC, payload: '' });
      const birth = String(((await claim).broker as Record<string, Reply>).birth.payload);
      const role = nextMessage(helper.getNode('replies'));
      node.receive({ topic: TOPIC, payload: birth });
      await c.tickAsync(SETTLE_MS);
      assert.equal(((await role).payload as Reply).role, 'active');
      // Nothing comes back any more: at 10 s its lease (6 s from the last record read) has run out.
      const standby = nextMessage(helper.getNode('replies'), 60_000);
      await c.tickAsync(at(10) - Date.now());
      assert.equal(((await standby).payload as Reply).role, 'standby');
      assert.deepEqual(fires, [], 'not sent by a leader without a lease');
      assert.deepEqual(
        leadership.slice(-2).map((m) => m.action ?? (m.payload as Reply).vacated),
        ['rig-1-a', 'disconnect'],
        'it vacates and lets go (no birth again on a reconnect)',
      );
    });

    it('answers the standby command by vacating and letting go; a bad record reaches Catch', async () => {
      await loadFlow(MODULES, flow());
      const node = helper.getNode('a');
      const leadership = collect(helper.getNode('leadership'));
      node.receive({ topic: TOPIC, payload: '' });
      await waitFor(() => (leadership.length === 1 ? true : undefined));
      const birth = String((leadership[0].broker as Record<string, Reply>).birth.payload);
      const role = nextMessage(helper.getNode('replies'));
      node.receive({ topic: TOPIC, payload: birth });
      assert.equal(((await role).payload as Reply).role, 'active');
      const reply = nextMessage(helper.getNode('replies'));
      node.receive({ payload: { command: 'standby' } });
      assert.deepEqual((await reply).payload, { role: 'standby', changed: true, lastFired: null });
      assert.deepEqual(
        leadership.slice(1).map((m) => m.action ?? m.payload),
        [{ vacated: 'rig-1-a', run: (JSON.parse(birth) as Reply).run }, 'disconnect'],
      );
      const caught = nextMessage(helper.getNode('caught'));
      node.receive({ topic: TOPIC, payload: 'not a record', tag: 'r1' });
      const error = await caught;
      assert.equal(error.tag, 'r1');
      assert.match(String((error.error as Reply).message), /leader record/);
    });

    it('refuses a leader topic with a wildcard and an instance id with spaces, naming the field', async () => {
      await loadFlow(MODULES, flow({ leaderTopic: 'recorders/+/leader' }));
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('a').receive({ payload: { command: 'list' } });
      assert.match(String(((await caught).error as Reply).message), /leader topic.*wildcard/);
      await helper.unload();
      await loadFlow(MODULES, flow({ instance: 'rig one' }));
      const again = nextMessage(helper.getNode('caught'));
      helper.getNode('a').receive({ payload: { command: 'list' } });
      assert.match(String(((await again).error as Reply).message), /instance/);
    });
  });

  describe('motif-schedule', () => {
    let sim: MotifSimulator;
    const MODULES = [nodeModule('motif-server'), nodeModule('motif-schedule')];
    beforeEach(async () => {
      sim = await MotifSimulator.start();
    });
    afterEach(async () => {
      await sim.close();
    });

    it('keeps the server tasks only while it leads; a takeover synchronises once', async () => {
      const flow: FlowNode[] = [
        { id: 'tab', type: 'tab' },
        {
          id: 'srv',
          type: 'motif-server',
          host: '127.0.0.1',
          port: sim.port,
          tlsMode: 'fingerprint',
          fingerprint: sim.fingerprint256,
          timeout: 2,
        },
        {
          id: 'ms1',
          type: 'motif-schedule',
          z: 'tab',
          server: 'srv',
          timeZone: 'UTC',
          tasks: [{ name: 'rec', kind: 'record', camera: '', expression: '0 0 9 * * *', args: '' }],
          role: 'leader',
          leaderTopic: TOPIC,
          instance: 'rig-1-a',
          outputs: 2,
          wires: [['out'], ['leadership']],
        },
        { id: 'out', type: 'helper', z: 'tab' },
        { id: 'leadership', type: 'helper', z: 'tab' },
        ...catcher(),
      ];
      await loadFlow(MODULES, flow, { srv: { apiKey: sim.apiKey } });
      const node = helper.getNode('ms1');
      const leadership = collect(helper.getNode('leadership'));
      node.receive({ topic: TOPIC, payload: { leader: 'rig-1-b' } });
      await waitFor(() => (/follows.*rig-1-b/.test(String(statusOf(node)?.text)) ? true : undefined)).catch(
        (err: unknown) => {
          throw new Error(`status ${JSON.stringify(statusOf(node))}: ${String(err)}`);
        },
      );
      assert.equal(sim.state.tasks.list().length, 0, 'the standby wrote nothing');
      node.receive({ topic: TOPIC, payload: { vacated: 'rig-1-b' } });
      await waitFor(() => (leadership.length === 1 ? true : undefined));
      assert.equal(leadership[0].action, 'connect');
      const birth = String((leadership[0].broker as Record<string, Reply>).birth.payload);
      const role = nextMessage(helper.getNode('out'));
      node.receive({ topic: TOPIC, payload: birth });
      const active = (await role).payload as Reply;
      assert.equal(active.role, 'active');
      assert.equal(((active.sync as Reply).created as string[]).length, 1);
      assert.equal(sim.state.tasks.list().length, 1);
      const standby = nextMessage(helper.getNode('out'));
      node.receive({ topic: TOPIC, payload: { leader: 'rig-1-c' } });
      assert.deepEqual((await standby).payload, { role: 'standby', changed: true, leader: 'rig-1-c' });
      assert.equal(leadership.at(-1)?.action, 'disconnect');
      assert.equal(
        sim.state.tasks.list().length,
        1,
        'the server keeps the tasks: it fires them, not Node-RED',
      );
    });
  });
});
