/**
 * recorder-schedule's active/standby role in a real Node-RED runtime. As in recorder-schedule.test.ts,
 * sinon's fake clock is installed after the flow is loaded and the schedules are added by message,
 * so the nodes' timers are fake ones and "ten seconds pass" is exact.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { persistKey } from '../../nodes/recorder-schedule/index';
import { helper, loadFlow, nodeModule } from '../support/node-red';
import { collect, nextMessage, statusOf, type FlowNode, type Message } from '../support/flow';

const MODULES = [nodeModule('recorder-schedule')];
type Reply = Record<string, unknown>;
const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const EVERY_10_S = { command: 'add', name: 'tick', expression: '*/10 * * * * *' };

function scheduleNode(id: string, extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id,
    type: 'recorder-schedule',
    z: 'tab',
    schedules: [],
    dst: 'auto',
    missed: 'skip',
    store: 'none',
    wires: [['fires'], [`replies-${id}`]],
    ...extra,
  };
}

/** Nodes `a` (and `b`, when given) with their replies, one firing output and a Catch node. */
function flow(a: Partial<FlowNode>, b?: Partial<FlowNode>): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    scheduleNode('a', a),
    { id: 'replies-a', type: 'helper', z: 'tab' },
    ...(b ? [scheduleNode('b', b), { id: 'replies-b', type: 'helper', z: 'tab' }] : []),
    { id: 'fires', type: 'helper', z: 'tab' },
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

async function command(id: string, msg: Record<string, unknown>): Promise<Reply> {
  const reply = nextMessage(helper.getNode(`replies-${id}`));
  helper.getNode(id).receive(msg);
  return (await reply).payload as Reply;
}

const scheduled = (m: Message): number => (m.schedule as Reply).scheduledAt as number;
const at = (seconds: number): number => T0 + seconds * 1000;

describe('recorder-schedule active and standby', function () {
  let clock: sinon.SinonFakeTimers | undefined;

  beforeEach(async () => {
    await helper.startServer();
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await helper.unload();
    await helper.stopServer();
  });

  function fake(): sinon.SinonFakeTimers {
    clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    return clock;
  }

  it('in standby fires nothing, shows standby with the next firing; with skip, active sends only what comes next', async () => {
    await loadFlow(MODULES, flow({ role: 'standby' }));
    const c = fake();
    const fires = collect(helper.getNode('fires'));
    await command('a', { payload: EVERY_10_S });
    await c.tickAsync(35_000);
    assert.equal(fires.length, 0, 'three firings fell due in standby');
    const shown = String(statusOf(helper.getNode('a'))?.text);
    assert.ok(shown.includes('standby') && shown.includes('10:00:40'), shown);
    const reply = await command('a', { payload: { command: 'active' } });
    assert.deepEqual(reply, { role: 'active', changed: true, lastFired: null, late: [] });
    assert.equal(fires.length, 0, 'skip: nothing of the past');
    await c.tickAsync(5_000);
    assert.deepEqual(fires.map(scheduled), [at(40)]);
    assert.ok(!String(statusOf(helper.getNode('a'))?.text).includes('standby'));
  });

  it('stops firing at once when told to go to standby, and answers with the last firing it sent', async () => {
    await loadFlow(MODULES, flow({}));
    const c = fake();
    const fires = collect(helper.getNode('fires'));
    await command('a', { payload: EVERY_10_S });
    await c.tickAsync(20_000);
    assert.deepEqual(fires.map(scheduled), [at(10), at(20)]);
    const reply = await command('a', { payload: { command: 'standby' } });
    assert.deepEqual(reply, { role: 'standby', changed: true, lastFired: new Date(at(20)).toISOString() });
    await c.tickAsync(30_000);
    assert.equal(fires.length, 2);
    const again = await command('a', { topic: 'standby' });
    assert.equal(again.changed, false, 'already in standby');
  });

  it('with fire once late, sends what fell due during the standby once, then continues on time', async () => {
    await loadFlow(MODULES, flow({ missed: 'fireOnceLate' }));
    const c = fake();
    const fires = collect(helper.getNode('fires'));
    await command('a', { payload: [{ command: 'standby' }, EVERY_10_S] });
    await c.tickAsync(25_000);
    // Added during the standby: its firings before it existed were never due.
    await command('a', { payload: { ...EVERY_10_S, name: 'tock' } });
    await c.tickAsync(10_000);
    assert.equal(fires.length, 0);
    const reply = await command('a', { payload: true });
    assert.deepEqual(reply.late, [
      { name: 'tick', scheduledAt: new Date(at(10)).toISOString() },
      { name: 'tock', scheduledAt: new Date(at(30)).toISOString() },
    ]);
    assert.equal(fires.length, 2);
    assert.ok(fires.every((m) => (m.schedule as Reply).catchUp === true));
    assert.equal(scheduled(fires[0]), at(10), 'the first missed firing, as after a restart');
    await c.tickAsync(25_000);
    const of = (name: string): number[] => fires.filter((m) => m.topic === name).map(scheduled);
    assert.deepEqual(of('tick'), [at(10), at(40), at(50), at(60)]);
    assert.deepEqual(of('tock'), [at(30), at(40), at(50), at(60)]);
  });

  it('never sends a firing at or before the lastFired of the takeover, late or on its timer', async () => {
    await loadFlow(MODULES, flow({ missed: 'fireOnceLate' }));
    const c = fake();
    const fires = collect(helper.getNode('fires'));
    await command('a', { payload: [{ command: 'standby' }, EVERY_10_S] });
    await c.tickAsync(35_000);
    // The old active instance sent 10:00:30; its clock runs ahead, so it also sent 10:00:40 already.
    const reply = await command('a', {
      payload: { command: 'active', lastFired: new Date(at(40)).toISOString() },
    });
    assert.deepEqual(reply.late, []);
    await c.tickAsync(25_000);
    assert.deepEqual(fires.map(scheduled), [at(50), at(60)]);
  });

  it('skips the last firing saved by the active instance in a shared context store', async () => {
    await loadFlow(MODULES, flow({ missed: 'fireOnceLate', store: '' }));
    const c = fake();
    const fires = collect(helper.getNode('fires'));
    await command('a', { payload: [{ command: 'standby' }, EVERY_10_S] });
    await c.tickAsync(35_000);
    // What the active instance of the same flow saved under the same key: it sent tick at 10:00:30.
    const saved = {
      version: 2,
      savedAt: at(31),
      anchor: null,
      dynamic: [
        {
          name: 'tick',
          expression: '*/10 * * * * *',
          timeZone: '',
          relative: false,
          topic: 'tick',
          payload: 'tick',
        },
      ],
      paused: [],
      known: ['tick'],
      runs: [['tick', 3, at(30), at(30)]],
    };
    helper.getNode('a').context().global.set(persistKey('a'), saved);
    const reply = await command('a', { payload: 'active' });
    assert.deepEqual(reply.late, [], 'everything due was sent by the other instance');
    assert.equal(reply.lastFired, new Date(at(30)).toISOString(), 'what the other one sent is known here');
    await c.tickAsync(5_000);
    assert.deepEqual(fires.map(scheduled), [at(40)]);
    await c.tickAsync(1_000); // the firing's write waits at most a second
    const ours = helper.getNode('a').context().global.get(persistKey('a')) as {
      runs: [string, number, number, number][];
    };
    assert.equal(ours.runs[0][3], at(40), 'the new active instance writes the saved state');
  });

  it('two nodes, one active one standby, send each firing exactly once, also across role switches', async () => {
    for (const missed of ['skip', 'fireOnceLate'] as const) {
      await loadFlow(MODULES, flow({ missed }, { role: 'standby', missed }));
      const c = fake();
      const fires = collect(helper.getNode('fires'));
      await command('a', { payload: EVERY_10_S });
      await command('b', { payload: EVERY_10_S });
      let [active, standby] = ['a', 'b'];
      for (let round = 0; round < 4; round++) {
        await c.tickAsync(25_000);
        // A handover: the active one steps down and its lastFired goes to the other.
        const down = await command(active, { payload: false });
        await command(standby, { payload: { command: 'active', lastFired: down.lastFired } });
        [active, standby] = [standby, active];
      }
      await c.tickAsync(10_000);
      const expected = Array.from({ length: 11 }, (_, i) => at(10 * (i + 1)));
      assert.deepEqual(fires.map(scheduled), expected, missed);
      c.restore();
      clock = undefined;
      await helper.unload();
    }
  });

  it('after the active one is gone, a takeover fires the one missed firing once, never one it was told of', async () => {
    await loadFlow(MODULES, flow({ missed: 'fireOnceLate' }, { missed: 'fireOnceLate' }));
    const c = fake();
    const fires = collect(helper.getNode('fires'));
    await command('a', { payload: EVERY_10_S });
    await command('b', { payload: [{ command: 'standby' }, EVERY_10_S] });
    for (let s = 10; s <= 30; s += 10) {
      await c.tickAsync(10_000);
      // The standby hears of each firing (as from a topic the active one publishes its firings on).
      await command('b', { payload: { command: 'standby', lastFired: scheduled(fires[fires.length - 1]) } });
    }
    const heard = await command('b', { topic: 'standby' });
    assert.equal(heard.lastFired, new Date(at(30)).toISOString(), 'what it was told');
    await command('a', { payload: false }); // gone: nothing is handed over
    await c.tickAsync(25_000);
    const reply = await command('b', { payload: true });
    assert.deepEqual(reply.late, [{ name: 'tick', scheduledAt: new Date(at(40)).toISOString() }]);
    await c.tickAsync(10_000);
    assert.deepEqual(fires.map(scheduled), [at(10), at(20), at(30), at(40), at(60)]);
  });

  it('answers the role by topic and by boolean payload, and sends bad controls and triggers in standby to a Catch node', async () => {
    await loadFlow(MODULES, flow({ role: 'standby' }));
    await command('a', { payload: { ...EVERY_10_S, expression: '0 0 * * * *' } });
    assert.equal((await command('a', { topic: 'leader/site1', payload: true })).role, 'active');
    assert.equal((await command('a', { topic: 'leader/site1', payload: 'false' })).role, 'standby');
    const trigger = nextMessage(helper.getNode('caught'));
    helper.getNode('a').receive({ payload: { command: 'trigger', name: 'tick' }, tag: 't1' });
    const refused = await trigger;
    assert.equal(refused.tag, 't1');
    assert.match(String((refused.error as Reply).message), /standby/);
    const bad = nextMessage(helper.getNode('caught'));
    helper.getNode('a').receive({ payload: { command: 'active', lastFired: 'yesterday' }, tag: 't2' });
    const caught = await bad;
    assert.equal(caught.tag, 't2');
    assert.match(String((caught.error as Reply).message), /lastFired/);
    assert.equal(
      (await command('a', { topic: 'active' })).role,
      'active',
      'the bad one changed nothing before',
    );
  });
});
