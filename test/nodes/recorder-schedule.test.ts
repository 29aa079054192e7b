/**
 * recorder-schedule in a real Node-RED runtime. Time-dependent tests install sinon's fake clock
 * after the flow is loaded (only setTimeout/clearTimeout/Date), and add their schedules by message
 * afterwards so the node's one timer is a fake one.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { persistKey } from '../../nodes/recorder-schedule/index';
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
  helper.getNode('sched').receive({ payload, ...(topic ? { topic } : {}) });
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

  it('keeps a schedule re-anchored to a later one across a redeploy', async () => {
    await loadFlow(MODULES, flow());
    await command([
      { command: 'add', name: 'X', expression: '0 0 9 * * *', timeZone: 'UTC' },
      { command: 'add', name: 'A', expression: '0 */5 * ? * * *', relative: true, anchor: 'X' },
      { command: 'add', name: 'C', expression: '0 0 10 * * *', timeZone: 'UTC' },
    ]);
    await command({
      command: 'update',
      name: 'A',
      expression: '0 */5 * ? * * *',
      relative: true,
      anchor: 'C',
    });
    await redeploy(flow());
    const listed = (await command({ command: 'list' })).payload as Reply[];
    assert.deepEqual(
      listed.map((s) => [s.name, s.anchor, s.problem]),
      [
        ['X', '', undefined],
        ['A', 'C', undefined],
        ['C', '', undefined],
      ],
    );
    assert.notEqual(statusOf(helper.getNode('sched'))?.fill, 'yellow');
  });

  it('keeps a saved schedule it cannot run, shows it with its problem, and lets update or remove fix it', async () => {
    // Without the node first: a running node would write its own state over this one when it closes.
    await loadFlow(MODULES, tail);
    const row = (name: string, anchor?: string): Reply => ({
      name,
      expression: '0 */5 * ? * * *',
      timeZone: '',
      relative: true,
      topic: name,
      payload: name,
      ...(anchor ? { anchor } : {}),
    });
    helper
      .getNode('replies')
      .context()
      .global.set(persistKey('sched'), {
        version: 2,
        savedAt: Date.now(),
        anchor: null,
        dynamic: [row('loopA', 'loopB'), row('loopB', 'loopA'), row('orphan', 'gone'), row('ok')],
        paused: ['orphan'],
        known: [],
        runs: [],
      });
    await redeploy(flow());
    const listed = (await command({ command: 'list' })).payload as Reply[];
    const problems = Object.fromEntries(listed.map((s) => [s.name, s.problem]));
    assert.deepEqual(Object.keys(problems), ['ok', 'loopA', 'loopB', 'orphan']);
    assert.equal(problems.ok, undefined);
    assert.match(String(problems.loopA), /the anchors form a cycle: "loopA" → "loopB" → "loopA"/);
    assert.match(String(problems.orphan), /"orphan" is anchored to "gone", which does not exist/);
    assert.deepEqual(
      listed.filter((s) => s.problem).map((s) => [s.armed, s.dynamic]),
      [
        [false, true],
        [false, true],
        [false, true],
      ],
    );
    const shown = await waitFor(() => {
      const now = statusOf(helper.getNode('sched'));
      return now?.fill === 'yellow' ? now : undefined;
    });
    assert.match(shown.text ?? '', /^recorder-schedule\.status\.held/);
    // Kept in the store across another redeploy, not deleted.
    await redeploy(flow());
    assert.equal(((await command({ command: 'list' })).payload as Reply[]).length, 4);
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('sched').receive({ payload: { command: 'trigger', name: 'orphan' } });
    assert.match(
      String(((await caught).error as Reply).message),
      /does not run: .*"gone", which does not exist/,
    );
    const fixed = (await command({ command: 'update', ...row('orphan', 'ok') })).payload as Reply;
    assert.deepEqual([fixed.anchor, fixed.paused, fixed.problem], ['ok', true, undefined]);
    assert.deepEqual((await command({ command: 'remove', name: 'loopA' })).payload, { removed: ['loopA'] });
    assert.deepEqual((await command({ command: 'remove', all: true })).payload, {
      removed: ['ok', 'orphan', 'loopB'],
    });
    await waitFor(() => (statusOf(helper.getNode('sched'))?.fill === 'grey' ? true : undefined));
  });

  it('refuses "*", control and format characters as schedule names, with a clear error', async () => {
    await loadFlow(MODULES, flow());
    for (const [name, expected] of [
      [
        '*',
        /"\*" is not a schedule name; to remove every added schedule send \{command: "remove", all: true\}/,
      ],
      ['a\u0000b', /"a\\u0000b": a schedule name must not contain control or format characters/],
      ['\u001b[31mred', /"\\u001b\[31mred": a schedule name must not contain control or format characters/],
      ['left\u202eright', /must not contain control or format characters/],
      ['x'.repeat(101), /at most 100 characters/],
    ] as const) {
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('sched').receive({ payload: { command: 'add', name, expression: '0 0 9 * * *' } });
      assert.match(String(((await caught).error as Reply).message), expected, JSON.stringify(name));
    }
    const names = ['Stimulus 1', 'Kamera-Süd (links)', '録画', 'a*b'];
    for (const name of names) await command({ command: 'add', name, expression: '0 0 9 * * *' });
    assert.deepEqual(
      ((await command({ command: 'list' })).payload as Reply[]).map((s) => s.name),
      names,
    );
  });

  it('removes one schedule by name and every added one only with all: true', async () => {
    await loadFlow(
      MODULES,
      flow({
        schedules: [
          { name: 'fixed', expression: '0 0 12 * * *', timeZone: 'UTC', payload: '', payloadType: 'date' },
        ],
      }),
    );
    await command([
      { command: 'add', name: 'one', expression: '0 0 9 * * *' },
      { command: 'add', name: 'two', expression: '0 0 10 * * *' },
      { command: 'add', name: 'three', expression: '0 0 11 * * *' },
    ]);
    const names = async (): Promise<unknown[]> =>
      ((await command({ command: 'list' })).payload as Reply[]).map((s) => s.name);
    for (const payload of [{ command: 'remove', name: '*' }, '*']) {
      const caught = nextMessage(helper.getNode('caught'));
      helper
        .getNode('sched')
        .receive({ payload, ...(typeof payload === 'string' ? { topic: 'remove' } : {}) });
      assert.match(String(((await caught).error as Reply).message), /\{command: "remove", all: true\}/);
    }
    assert.deepEqual(await names(), ['fixed', 'one', 'two', 'three'], 'nothing removed by "*"');
    assert.deepEqual((await command({ command: 'remove', name: 'two' })).payload, { removed: ['two'] });
    assert.deepEqual(await names(), ['fixed', 'one', 'three']);
    assert.deepEqual((await command({ all: true }, 'remove')).payload, { removed: ['one', 'three'] });
    assert.deepEqual(await names(), ['fixed'], 'editor schedules stay');
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
      .receive({ payload: { command: 'add', name: 'x', expression: '0 61 * * * *' }, tag: 't1' });
    const msg = await caught;
    assert.equal(msg.tag, 't1');
    assert.match(String((msg.error as Reply).message), /minute field "61"/);
    const unknown = nextMessage(helper.getNode('caught'));
    helper.getNode('sched').receive({ payload: 'x', topic: 'explode' });
    assert.match(String(((await unknown).error as Reply).message), /no command/);
    const noName = nextMessage(helper.getNode('caught'));
    helper.getNode('sched').receive({ payload: { command: 'remove', name: 'fixed' } });
    assert.match(String(((await noName).error as Reply).message), /no schedule named "fixed"/);
    await waitFor(() => (statusOf(helper.getNode('sched'))?.fill === 'red' ? true : undefined), 1000);
  });

  /** CPU time of a round trip (the process's own work; the machine may be busy with others). */
  async function cpuMs(work: () => Promise<unknown>): Promise<number> {
    const before = process.cpuUsage();
    await work();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  }

  it('answers add commands and previews of huge monotonic periods without blocking', async () => {
    await loadFlow(MODULES, flow({ store: 'none' }));
    // Before the bounded search, this one command blocked the event loop for 11–14 s.
    let added: Message | undefined;
    const took = await cpuMs(async () => {
      added = await command({
        command: 'add',
        name: 'far',
        expression: '%3000000000 * * * * *',
        timeZone: 'UTC',
      });
    });
    assert.ok(took < 100, `add took ${took.toFixed(1)} ms of CPU`);
    assert.equal((added?.payload as Reply).next, '2065-01-24T05:20:00.000Z');
    const caught = nextMessage(helper.getNode('caught'));
    const refused = await cpuMs(async () => {
      helper
        .getNode('sched')
        .receive({ payload: { command: 'add', name: 'odd', expression: '%120 1/2 * ? * *' } });
      await caught;
    });
    assert.ok(refused < 100, `refusal took ${refused.toFixed(1)} ms of CPU`);
    assert.match(String(((await caught).error as Reply).message), /cannot be found within the search limit/);
    let body: Reply = {};
    const previewed = await cpuMs(async () => {
      const res = await helper
        .request()
        .get('/recorders/schedule/preview')
        .query({ expression: '%99999999999 * * * * *', tz: 'Europe/Berlin' })
        .expect(200);
      body = res.body as Reply;
    });
    assert.ok(previewed < 100, `preview took ${previewed.toFixed(1)} ms of CPU`);
    assert.equal(body.ok, true);
    assert.equal((body.next as string[])[0], '5138-11-16T08:46:39.000Z');
    const tooLong = (
      await helper
        .request()
        .get('/recorders/schedule/preview')
        .query({ expression: '%300000000000 * * * * *' })
    ).body as Reply;
    assert.equal(tooLong.ok, false);
    assert.equal(tooLong.field, 'second');
  });

  it('previews relative schedules in words relative to the start, with offsets instead of wall-clock times', async () => {
    await loadFlow(MODULES, flow({ store: 'none' }));
    const body = (
      await helper
        .request()
        .get('/recorders/schedule/preview')
        .query({ expression: '0 30/5 0 1 1 ? 1970', relative: 'true' })
        .expect(200)
    ).body as Reply;
    assert.equal(body.ok, true);
    assert.equal(body.relative, true);
    assert.equal(
      body.description,
      '30 minutes after start, then every 5 minutes until 55 minutes after start',
    );
    assert.deepEqual(body.next, []);
    assert.deepEqual(body.afterStart, ['+0:30:00', '+0:35:00', '+0:40:00', '+0:45:00', '+0:50:00']);
    assert.match(String(body.summary), /^30 minutes after start.* — first: \+0:30:00 · \+0:35:00/);
    await command({ command: 'add', name: 'rel', expression: '0 %5 * ? * * *', relative: true });
    const listed = (await command({ command: 'list', name: 'rel' })).payload as Reply;
    assert.equal(listed.description, '5 minutes after start, then every 5 minutes');
  });

  it('answers every message with a ConfigError naming the field when the configuration is wrong', async () => {
    for (const [extra, where] of [
      [{ dst: 'sometimes' }, /daylight saving must be one of auto, once, both/],
      [{ missed: 42 }, /missed firings must be one of skip, fireOnceLate/],
      [{ schedules: 'not a list' }, /schedule list is not a list/],
      [
        { schedules: [{ name: 'stim', expression: '0 */5 * ? * * *', relative: true, anchor: 'rec' }] },
        /"stim" is anchored to "rec", which does not exist/,
      ],
      [
        {
          schedules: [
            { name: 'a', expression: '0 1 0 1 1 ?', relative: true, anchor: 'b' },
            { name: 'b', expression: '0 1 0 1 1 ?', relative: true, anchor: 'a' },
          ],
        },
        /anchors form a cycle: "a" → "b" → "a"/,
      ],
    ] as const) {
      await loadFlow(MODULES, flow({ ...extra, store: 'none' }));
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('sched').receive({ payload: { command: 'list' }, tag: 'c' });
      const msg = await caught;
      assert.equal(msg.tag, 'c');
      assert.match(String((msg.error as Reply).message), where);
      await waitFor(() => (statusOf(helper.getNode('sched'))?.fill === 'red' ? true : undefined), 2000);
      await helper.unload();
    }
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

/**
 * A real Node-RED in a child process with a file context store that writes through (`cache: false`),
 * killed with SIGKILL right after the node answered: nothing gets to flush or close. The next
 * runtime on the same user directory must have everything back, and owes the firing that fell into
 * the time it was down (`fireOnceLate`).
 */
describe('recorder-schedule across a SIGKILL', function () {
  this.timeout(90_000);
  let userDir: string;
  let runtime: ChildRuntime | undefined;

  beforeEach(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-restart-'));
    fs.writeFileSync(
      path.join(userDir, 'settings.json'),
      JSON.stringify({
        contextStorage: { default: { module: 'localfilesystem', config: { cache: false } } },
      }),
    );
    fs.writeFileSync(
      path.join(userDir, 'flows.json'),
      JSON.stringify([
        { id: 'tab', type: 'tab' },
        {
          id: 'sched',
          type: 'recorder-schedule',
          z: 'tab',
          schedules: [
            {
              name: 'fixed',
              expression: '0 0 12 * * *',
              timeZone: 'UTC',
              relative: false,
              topic: 'fixed',
              payload: '',
              payloadType: 'date',
            },
          ],
          dst: 'auto',
          missed: 'fireOnceLate',
          store: '',
          wires: [['out0'], ['out1']],
        },
        { id: 'out0', type: 'debug', z: 'tab', active: false, wires: [] },
        { id: 'out1', type: 'debug', z: 'tab', active: false, wires: [] },
      ]),
    );
  });
  afterEach(async () => {
    await runtime?.kill();
    runtime = undefined;
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('keeps dynamic schedules, paused state, the relative anchor and counts, and fires a missed firing once late', async () => {
    runtime = await ChildRuntime.start(userDir);
    // A one-shot firing a few seconds ahead, which the killed runtime will not be there for.
    const due = Math.ceil(Date.now() / 1000) * 1000 + 4000;
    const d = new Date(due);
    const once = `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} ? ${d.getUTCFullYear()}`;
    const replies = (await runtime.command([
      { command: 'add', name: 'dyn', expression: '0 0 9 * * *', timeZone: 'UTC', payload: { p: 1 } },
      { command: 'add', name: 'soon', expression: once, timeZone: 'UTC' },
      { command: 'add', name: 'rel', expression: '%5 * * ? * * *', relative: true },
      { command: 'pause', name: 'fixed' },
      { command: 'trigger', name: 'dyn' },
      { command: 'start' },
    ])) as Reply[];
    const anchor = Date.parse(String(replies[5].relativeStart));
    await runtime.kill();
    runtime = undefined;
    assert.ok(Date.now() < due, 'killed before the firing was due');
    await waitFor(() => (Date.now() > due + 2000 ? true : undefined), 10_000);

    runtime = await ChildRuntime.start(userDir);
    const late = await runtime.firing('soon');
    const meta = late.schedule as Reply;
    assert.equal(meta.catchUp, true);
    assert.equal(meta.scheduledAt, due);
    assert.ok((meta.lateMs as number) > 1000, `late by ${String(meta.lateMs)} ms`);
    const listed = (await runtime.command({ command: 'list' })) as Reply[];
    const byName = Object.fromEntries(listed.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['dyn', 'fixed', 'rel', 'soon']);
    assert.equal(byName.fixed.paused, true, 'a paused schedule stays paused');
    assert.equal(byName.dyn.paused, false);
    assert.deepEqual(byName.dyn.payload, { p: 1 });
    assert.equal(byName.dyn.count, 1, 'the firing count survives');
    assert.equal(byName.soon.count, 1);
    assert.equal(byName.rel.armed, true, 'relative schedules run again from the same start');
    const next = (await runtime.command({ command: 'next', name: 'rel', count: 3 })) as Reply;
    for (const at of next.next as string[]) assert.equal((Date.parse(at) - anchor) % 5000, 0, at);
    assert.equal(runtime.firings.filter((m) => m.topic === 'soon').length, 1, 'fired once');
  });
});

/** One Node-RED runtime in a child process (test/schedule/restart-runtime.ts). */
class ChildRuntime {
  readonly firings: Message[] = [];
  private readonly replies: Message[] = [];
  private readonly waiters: Array<() => void> = [];
  private sequence = 0;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { output?: number; msg?: Message }) => {
      if (m.msg) (m.output === 0 ? this.firings : this.replies).push(m.msg);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async start(userDir: string): Promise<ChildRuntime> {
    const child = fork(path.join(__dirname, '..', 'schedule', 'restart-runtime.js'), [userDir], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const runtime = new ChildRuntime(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the Node-RED child did not start in 45 s')), 45_000);
      child.once('exit', (code) => reject(new Error(`the Node-RED child exited with ${String(code)}`)));
      child.on('message', (m: { ready?: boolean; failed?: string }) => {
        if (m.failed) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          reject(new Error(`the Node-RED child failed: ${m.failed}`));
        } else if (m.ready) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return runtime;
  }

  /** Sends one message to the node and waits for its reply on the second output. */
  async command(payload: unknown): Promise<unknown> {
    const tag = `c${++this.sequence}`;
    this.child.send({ receive: { payload, tag } });
    const reply = await this.until(() => this.replies.find((m) => m.tag === tag));
    return reply.payload;
  }

  firing(topic: string): Promise<Message> {
    return this.until(() => this.firings.find((m) => m.topic === topic));
  }

  private until<T>(found: () => T | undefined, ms = 20_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from the Node-RED child in ${ms} ms`)), ms);
      const check = (): void => {
        const value = found();
        if (value === undefined) return void this.waiters.push(check);
        clearTimeout(timer);
        resolve(value);
      };
      check();
    });
  }

  /** SIGKILL: no close handler, no flush. */
  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
