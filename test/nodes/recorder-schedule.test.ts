/**
 * recorder-schedule in a real Node-RED runtime. Time-dependent tests install sinon's fake clock
 * after the flow is loaded (only setTimeout/clearTimeout/Date), and add their schedules by message
 * afterwards so the node's one timer is a fake one.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { helper, loadFlow, nodeModule, redeploy } from '../support/node-red';
import { collect, nextMessage, statusOf, waitFor, type FlowNode, type Message } from '../support/flow';

const MODULES = [nodeModule('recorder-schedule')];
type Reply = Record<string, unknown>;

function scheduleNode(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'sched',
    type: 'recorder-schedule',
    z: 'tab',
    schedules: [],
    dst: 'auto',
    missed: 'skip',
    store: '',
    wires: [['fires'], ['replies']],
    ...extra,
  };
}

const tail: FlowNode[] = [
  { id: 'tab', type: 'tab' },
  { id: 'fires', type: 'helper', z: 'tab' },
  { id: 'replies', type: 'helper', z: 'tab' },
  { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 100, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'tab' },
];

function flow(extra: Partial<FlowNode> = {}): FlowNode[] {
  return [scheduleNode(extra), ...tail];
}

async function command(payload: unknown, topic?: string): Promise<Message> {
  const reply = nextMessage(helper.getNode('replies'));
  helper.getNode('sched').receive({ payload, ...(topic ? { topic } : {}) } as never);
  return reply;
}

describe('recorder-schedule node', function () {
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

  function fake(now: number): sinon.SinonFakeTimers {
    clock = sinon.useFakeTimers({ now, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    return clock;
  }

  it('fires static schedules with the configured topic and payload, and shows the next firing', async () => {
    const soon = new Date(Date.now() + 1500);
    const expression = `${soon.getSeconds()} ${soon.getMinutes()} ${soon.getHours()} * * *`;
    await loadFlow(
      MODULES,
      flow({
        schedules: [
          {
            name: 'tick',
            expression,
            timeZone: '',
            relative: false,
            topic: 'go',
            payload: '{"a":1}',
            payloadType: 'json',
          },
        ],
      }),
    );
    const fired = await nextMessage(helper.getNode('fires'), 4000);
    assert.equal(fired.topic, 'go');
    assert.deepEqual(fired.payload, { a: 1 });
    const meta = fired.schedule as Reply;
    assert.equal(meta.name, 'tick');
    assert.equal(meta.count, 1);
    assert.ok((meta.lateMs as number) < 100, `late by ${String(meta.lateMs)} ms`);
    assert.equal(typeof meta.next, 'string');
    await new Promise((r) => setTimeout(r, 300));
    const shown = statusOf(helper.getNode('sched'));
    assert.equal(shown?.fill, 'blue');
    assert.match(shown?.text ?? '', /^recorder-schedule\.status\.next /);
  });

  it('adds, lists, pauses, resumes, triggers and removes schedules by message', async () => {
    await loadFlow(MODULES, flow());
    const start = Date.UTC(2026, 2, 2, 10, 0, 0);
    const c = fake(start);
    const fires = collect(helper.getNode('fires'));
    const added = await command({ command: 'add', name: 'stim', expression: '*/5 * * * * *', payload: 7 });
    assert.equal((added.payload as Reply).next, new Date(start + 5000).toISOString());
    await c.tickAsync(15_000);
    assert.deepEqual(
      fires.map((m) => [m.topic, m.payload]),
      [
        ['stim', 7],
        ['stim', 7],
        ['stim', 7],
      ],
    );
    assert.deepEqual((await command('stim', 'pause')).payload, { paused: ['stim'] });
    await c.tickAsync(20_000);
    assert.equal(fires.length, 3, 'no firing while paused');
    const listed = (await command({ command: 'list' })).payload as Reply[];
    assert.equal(listed.length, 1);
    assert.equal(listed[0].paused, true);
    assert.equal(listed[0].next, null);
    await command({ command: 'resume' });
    await c.tickAsync(5_000);
    assert.equal(fires.length, 4, 'resumed from now, the pause is not replayed');
    await command({ command: 'trigger', name: 'stim' });
    assert.equal(fires.length, 5);
    assert.equal((fires[4].schedule as Reply).triggered, true);
    const next = (await command({ command: 'next', name: 'stim', count: 3 })).payload as Reply;
    assert.equal((next.next as string[]).length, 3);
    const described = (await command({ command: 'describe', expression: '0 0 9,15 * * *', timeZone: 'UTC' }))
      .payload as Reply;
    assert.equal(described.ok, true);
    assert.match(String(described.description), /9/);
    await command({ command: 'remove', name: 'stim' });
    await c.tickAsync(20_000);
    assert.equal(fires.length, 5, 'removed');
  });

  it('runs relative schedules between start and stop messages', async () => {
    await loadFlow(
      MODULES,
      flow({
        schedules: [
          {
            name: 'on',
            expression: '0 1 0 1 1 ?',
            timeZone: '',
            relative: true,
            topic: '',
            payload: 'on',
            payloadType: 'str',
          },
          {
            name: 'blink',
            expression: '30%30 1-59 * ? * * *',
            timeZone: '',
            relative: true,
            topic: '',
            payload: 'x',
            payloadType: 'str',
          },
        ],
      }),
    );
    const start = Date.UTC(2026, 2, 2, 10, 0, 7);
    const c = fake(start);
    const fires = collect(helper.getNode('fires'));
    await c.tickAsync(120_000);
    assert.equal(fires.length, 0, 'nothing before start');
    const started = (await command(undefined, 'start')).payload as Reply;
    assert.deepEqual(started.schedules, ['on', 'blink']);
    const anchor = start + 120_000;
    await c.tickAsync(59_000);
    assert.equal(fires.length, 0, 'nothing in minute 0');
    await c.tickAsync(1_000);
    assert.deepEqual(fires.map((m) => m.topic).sort(), ['blink', 'on'], 'both at minute 1');
    await c.tickAsync(30_000);
    assert.deepEqual(fires.map((m) => m.topic).slice(2), ['blink']);
    assert.equal((fires[2].schedule as Reply).scheduledAt, anchor + 90_000);
    await command(undefined, 'stop');
    await c.tickAsync(600_000);
    assert.equal(fires.length, 3, 'stopped');
    await command(undefined, 'start');
    await c.tickAsync(60_000);
    assert.equal(fires.length, 5, 'a new start anchors again');
  });

  it('skips missed firings, or fires once late, as configured', async () => {
    for (const missed of ['skip', 'fireOnceLate'] as const) {
      await loadFlow(MODULES, flow({ missed, store: 'none' }));
      const c = fake(Date.UTC(2026, 2, 2, 10, 0, 0));
      const fires = collect(helper.getNode('fires'));
      await command({ command: 'add', name: 'm', expression: '*/10 * * * * *' });
      await c.tickAsync(10_000);
      assert.equal(fires.length, 1);
      c.setSystemTime(Date.now() + 60_000); // the process was blocked for a minute
      await c.tickAsync(10_000);
      const late = fires.slice(1).filter((m) => ((m.schedule as Reply).lateMs as number) > 1000);
      assert.equal(late.length, missed === 'skip' ? 0 : 1, missed);
      c.restore();
      clock = undefined;
      await helper.unload();
    }
  });

  it('applies the daylight-saving policy to a repeated wall time', async () => {
    for (const [dst, expected] of [
      ['once', 1],
      ['both', 2],
    ] as const) {
      await loadFlow(MODULES, flow({ dst, store: 'none' }));
      const c = fake(Date.UTC(2026, 9, 24, 23, 0, 0)); // Berlin leaves summer time at 01:00 UTC on 25 Oct
      const fires = collect(helper.getNode('fires'));
      await command({ command: 'add', name: 'd', expression: '0 30 2 * * *', timeZone: 'Europe/Berlin' });
      await c.tickAsync(4 * 3600_000);
      assert.equal(fires.length, expected, dst);
      c.restore();
      clock = undefined;
      await helper.unload();
    }
  });

  it('keeps dynamic schedules and paused state across a redeploy', async () => {
    await loadFlow(
      MODULES,
      flow({
        schedules: [
          { name: 'fixed', expression: '0 0 12 * * *', timeZone: 'UTC', payload: '', payloadType: 'date' },
        ],
      }),
    );
    await command([
      { command: 'add', name: 'dyn', expression: '0 0 9 * * *', timeZone: 'UTC', payload: { p: 1 } },
      { command: 'add', name: 'rel', expression: '%5 * * ? * * *', relative: true },
      { command: 'pause', name: 'fixed' },
      { command: 'pause', name: 'dyn' },
    ]);
    await redeploy(
      flow({
        schedules: [
          { name: 'fixed', expression: '0 0 12 * * *', timeZone: 'UTC', payload: '', payloadType: 'date' },
        ],
      }),
    );
    const listed = (await command({ command: 'list' })).payload as Reply[];
    const byName = Object.fromEntries(listed.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['dyn', 'fixed', 'rel']);
    assert.equal(byName.dyn.paused, true);
    assert.equal(byName.fixed.paused, true);
    assert.equal(byName.rel.paused, false);
    assert.deepEqual(byName.dyn.payload, { p: 1 });
    assert.equal(byName.rel.relative, true);
    assert.equal(byName.dyn.dynamic, true);
    await command({ command: 'resume', name: 'dyn' });
    await redeploy(flow({ schedules: [] }));
    const again = ((await command({ command: 'list' })).payload as Reply[]).map((s) => [s.name, s.paused]);
    assert.deepEqual(again, [
      ['dyn', false],
      ['rel', false],
    ]);
    await redeploy(tail); // the node is deleted: its saved state goes with it
    await redeploy(flow({ schedules: [] }));
    assert.deepEqual((await command({ command: 'list' })).payload, []);
  });

  it('does not keep anything with the store set to none', async () => {
    await loadFlow(MODULES, flow({ store: 'none' }));
    await command({ command: 'add', name: 'dyn', expression: '0 0 9 * * *' });
    await redeploy(flow({ store: 'none' }));
    assert.deepEqual((await command({ command: 'list' })).payload, []);
  });

  it('sends bad commands and expressions to a Catch node with the original message, naming the field', async () => {
    await loadFlow(MODULES, flow());
    const caught = nextMessage(helper.getNode('caught'));
    helper
      .getNode('sched')
      .receive({ payload: { command: 'add', name: 'x', expression: '0 61 * * * *' }, tag: 't1' } as never);
    const msg = await caught;
    assert.equal(msg.tag, 't1');
    assert.match(String((msg.error as Reply).message), /minute field "61"/);
    const unknown = nextMessage(helper.getNode('caught'));
    helper.getNode('sched').receive({ payload: 'x', topic: 'explode' } as never);
    assert.match(String(((await unknown).error as Reply).message), /no command/);
    const noName = nextMessage(helper.getNode('caught'));
    helper.getNode('sched').receive({ payload: { command: 'remove', name: 'fixed' } } as never);
    assert.match(String(((await noName).error as Reply).message), /no schedule named "fixed"/);
    await waitFor(() => (statusOf(helper.getNode('sched'))?.fill === 'red' ? true : undefined), 1000);
  });

  it('leaves no timers behind after 100 redeploys', async function () {
    this.timeout(30_000);
    const config = flow({
      schedules: [
        { name: 'a', expression: '0 0 * * * *', timeZone: '', payload: '', payloadType: 'date' },
        { name: 'b', expression: '*/30 * * * * *', timeZone: 'Asia/Tokyo', payload: '', payloadType: 'date' },
      ],
    });
    await loadFlow(MODULES, config);
    const count = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      return counts;
    };
    await command({ command: 'add', name: 'c', expression: '*/2 * * * * *' });
    await new Promise((r) => setTimeout(r, 300));
    const baseline = count();
    for (let i = 0; i < 100; i++) {
      await redeploy(config);
      await command({ command: 'list' });
    }
    await new Promise((r) => setTimeout(r, 500));
    const after = count();
    assert.ok(
      (after.Timeout ?? 0) <= (baseline.Timeout ?? 0) + 2,
      `Timeout: ${baseline.Timeout} → ${after.Timeout}`,
    );
  });
});
