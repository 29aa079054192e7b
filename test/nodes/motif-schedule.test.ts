/**
 * motif-schedule in a real Node-RED runtime against the motif simulator over HTTPS: reconcile on
 * deploy (create, change, remove), other users' tasks untouched, message control, validation.
 */
import assert from 'node:assert/strict';
import { MotifSimulator } from '../../src/simulators/motif/server';
import { helper, loadFlow, nodeModule, redeploy } from '../support/node-red';
import { nextMessage, statusOf, waitFor, type FlowNode, type Message } from '../support/flow';

const MODULES = [nodeModule('motif-server'), nodeModule('motif-schedule')];
type Reply = Record<string, unknown>;

const RECORD = {
  name: 'rec',
  kind: 'record',
  camera: '',
  expression: '0 0 9,15 * * *',
  args: '{"duration": 1800}',
};
const COPY = { name: 'copy', kind: 'copy', camera: 'FAKE0', expression: '0 0 17 * * *', args: '' };
const TOGGLE = {
  name: 'blink',
  kind: 'io',
  camera: 'FAKE0',
  expression: '%2 * * ? * * *',
  relative: true,
  target: 'led',
  value: '+inf',
};

describe('motif-schedule node', function () {
  let sim: MotifSimulator;

  beforeEach(async () => {
    sim = await MotifSimulator.start({ timing: { pendingMs: 20, copyMs: 50, exportMs: 50 } });
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  function flow(tasks: unknown[], extra: Partial<FlowNode> = {}): FlowNode[] {
    return [
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
        tasks,
        wires: [['out']],
        ...extra,
      },
      { id: 'out', type: 'helper', z: 'tab' },
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
  const creds = (): Record<string, Record<string, string>> => ({ srv: { apiKey: sim.apiKey } });

  async function deploy(tasks: unknown[], first = false): Promise<Reply> {
    // The report follows the connection probe (a network round trip), so listening after the
    // deploy resolved is in time.
    if (first) await loadFlow(MODULES, flow(tasks), creds());
    else await redeploy(flow(tasks), creds());
    const msg: Message = await nextMessage(helper.getNode('out'));
    assert.equal(msg.topic, 'reconcile');
    return msg.payload as Reply;
  }

  async function command(payload: unknown, topic?: string): Promise<Reply> {
    const reply = nextMessage(helper.getNode('out'));
    helper.getNode('ms1').receive({ payload, ...(topic ? { topic } : {}) });
    return (await reply).payload as Reply;
  }

  const names = (): string[] =>
    sim.state.tasks
      .list()
      .map((t) => t.task_name)
      .sort();

  it('creates, replaces and removes its tasks on deploy and never touches other tasks', async () => {
    sim.state.tasks.put({
      task_name: 'someone_else',
      cron_expression: '0 0 8 * * *',
      camera_relative: false,
      operation: 'recording/start',
      params: {},
      args: {},
      created: 0,
    });
    const first = await deploy([RECORD, COPY, TOGGLE], true);
    assert.equal((first.created as string[]).length, 3);
    assert.equal(first.others, 1);
    const created = names().filter((n) => n.startsWith('nr_ms1_e_'));
    assert.equal(created.length, 3);
    const rec = sim.state.tasks.list().find((t) => t.task_name.startsWith('nr_ms1_e_rec_'));
    assert.equal(rec?.operation, 'recording/start');
    assert.deepEqual(rec?.args, { duration: 1800 });
    const blink = sim.state.tasks.list().find((t) => t.task_name.startsWith('nr_ms1_e_blink_'));
    assert.equal(blink?.camera_relative, true);
    assert.equal(blink?.args.value, Infinity);
    assert.deepEqual(blink?.params, { serial: 'FAKE0', name: 'led' });
    const recView = (first.tasks as Reply[]).find((t) => t.name === 'rec');
    assert.equal((recView?.next as string[]).length, 5);
    assert.match((recView?.next as string[])[0], /T(09|15):00:00\.000Z$/);
    await waitFor(() => (statusOf(helper.getNode('ms1'))?.fill === 'blue' ? true : undefined));

    // Unchanged deploy: nothing to do.
    const same = await deploy([RECORD, COPY, TOGGLE]);
    assert.deepEqual([same.created, same.removed, (same.kept as string[]).length], [[], [], 3]);

    // Change one, drop one.
    const changed = await deploy([{ ...RECORD, expression: '0 30 9 * * *' }, TOGGLE]);
    assert.equal((changed.created as string[]).length, 1);
    assert.equal((changed.removed as string[]).length, 2);
    assert.ok(names().includes('someone_else'));
    const after = sim.state.tasks.list().filter((t) => t.task_name.startsWith('nr_ms1_'));
    assert.deepEqual(after.map((t) => t.cron_expression).sort(), ['%2 * * ? * * *', '0 30 9 * * *']);
    assert.ok(!sim.requests.some((r) => r.path === '/api/1/schedule/clear'), 'never a global clear');
  });

  it('lists, adds, removes and clears by message', async () => {
    sim.state.tasks.put({
      task_name: 'foreign',
      cron_expression: '0 0 8 * * *',
      camera_relative: false,
      operation: 'recording/start',
      params: {},
      args: {},
      created: 0,
    });
    await deploy([RECORD], true);
    const added = await command({
      command: 'add',
      name: 'gain',
      kind: 'configure',
      camera: '',
      expression: '0 5 0 1 1 ?',
      relative: true,
      target: 'Gain',
      value: '3',
    });
    assert.equal(added.taskName, 'nr_ms1_m_gain');
    assert.equal(sim.state.tasks.get('nr_ms1_m_gain')?.args.value, 3);
    const listed = await command(undefined, 'list');
    assert.equal((listed.tasks as Reply[]).length, 2);
    assert.equal(listed.others, 1);
    assert.equal(typeof listed.now, 'string');
    // A redeploy leaves tasks added by message alone.
    await deploy([RECORD]);
    assert.ok(sim.state.tasks.has('nr_ms1_m_gain'));
    await command('gain', 'remove');
    assert.ok(!sim.state.tasks.has('nr_ms1_m_gain'));
    const cleared = await command({ command: 'clear' });
    assert.equal((cleared.removed as string[]).length, 1);
    assert.deepEqual(names(), ['foreign']);
  });

  it('in standby writes nothing to the server until told to be active, then synchronises at once', async () => {
    await loadFlow(MODULES, flow([RECORD], { role: 'standby' }), creds());
    const writes = (): string[] =>
      sim.requests
        .map((r) => r.path)
        .filter((path) => path.includes('/schedule/') && path !== '/api/1/schedule');
    await waitFor(() =>
      String(statusOf(helper.getNode('ms1'))?.text).includes('standby') ? true : undefined,
    );
    const listed = await command(undefined, 'list');
    assert.deepEqual([listed.tasks, listed.missing], [[], ['rec']], 'read, not written');
    const refused = nextMessage(helper.getNode('caught'));
    helper.getNode('ms1').receive({ payload: { ...RECORD, command: 'add' }, tag: 't1' });
    const caught = await refused;
    assert.equal(caught.tag, 't1');
    assert.match(String((caught.error as Reply).message), /standby/);
    assert.deepEqual(writes(), [], 'connected, yet nothing created or deleted');
    const active = await command({ command: 'active', lastFired: 0 });
    assert.equal(active.role, 'active');
    assert.equal(active.changed, true);
    assert.equal(((active.sync as Reply).created as string[]).length, 1);
    assert.equal(names().length, 1);
    assert.ok(writes().length > 0, 'the takeover wrote (so the log above would have shown writes)');
    assert.deepEqual(await command(false), { role: 'standby', changed: true });
    sim.state.tasks.clear();
    const noSync = nextMessage(helper.getNode('caught'));
    helper.getNode('ms1').receive({ topic: 'sync' });
    assert.match(String(((await noSync).error as Reply).message), /standby/);
    assert.deepEqual(names(), [], "the tasks are the active instance's business");
    assert.deepEqual(await command('standby'), { role: 'standby', changed: false });
    const again = await command(true);
    assert.equal(((again.sync as Reply).created as string[]).length, 1);
    assert.equal((await command('active')).changed, false);
  });

  it('rejects an invalid expression before sending, naming the task and field', async () => {
    await deploy([RECORD], true);
    const before = sim.requests.length;
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('ms1').receive({
      payload: {
        command: 'add',
        name: 'bad',
        kind: 'io',
        target: 'led',
        value: 1,
        expression: '0 0 25 * * *',
      },
      tag: 7,
    });
    const msg = await caught;
    assert.equal(msg.tag, 7);
    assert.match(String((msg.error as Reply).message), /task "bad": hour field "25"/);
    const relative = nextMessage(helper.getNode('caught'));
    helper.getNode('ms1').receive({
      payload: { command: 'add', name: 'r', kind: 'record', relative: true, expression: '0 0 1 * * *' },
    });
    assert.match(String(((await relative).error as Reply).message), /only for output and configure/);
    assert.equal(sim.requests.length, before, 'nothing reached the server');
  });

  it('deletes its tasks when the node is removed from the flow', async () => {
    await deploy([RECORD, COPY], true);
    assert.equal(names().length, 2);
    await redeploy(
      flow([]).filter((n) => n.id !== 'ms1'),
      creds(),
    );
    await waitFor(() => (names().length === 0 ? true : undefined));
  });

  it('re-creates its tasks when motif comes back with an empty task list (reconnect)', async () => {
    const first = await deploy([RECORD, TOGGLE], true);
    assert.equal((first.created as string[]).length, 2);
    await waitFor(() => (statusOf(helper.getNode('ms1'))?.fill === 'blue' ? true : undefined));
    // motif restarts on the same port with the same key, and has forgotten every task.
    const { port, apiKey } = sim;
    await sim.close();
    // A call while it is away shows the connection is down (the node's own check is once a minute).
    const failed = nextMessage(helper.getNode('caught'), 15_000);
    helper.getNode('ms1').receive({ payload: { command: 'list' } });
    await failed;
    await waitFor(() => (statusOf(helper.getNode('ms1'))?.fill !== 'blue' ? true : undefined), 15_000);
    sim = await MotifSimulator.start({ port, apiKey, timing: { pendingMs: 20, copyMs: 50, exportMs: 50 } });
    assert.equal(names().length, 0);
    const again = await nextMessage(helper.getNode('out'), 20_000);
    assert.equal(again.topic, 'reconcile');
    assert.equal(((again.payload as Reply).created as string[]).length, 2);
    assert.equal(names().filter((n) => n.startsWith('nr_ms1_e_')).length, 2);
    await waitFor(() => (statusOf(helper.getNode('ms1'))?.fill === 'blue' ? true : undefined), 10_000);
  });

  it('notices lost tasks on its periodic check while the connection stays up', async () => {
    await loadFlow(MODULES, flow([RECORD, COPY], { checkInterval: 1 }), creds());
    const first = (await nextMessage(helper.getNode('out'))).payload as Reply;
    assert.equal((first.created as string[]).length, 2);
    sim.state.tasks.clear();
    const again = await nextMessage(helper.getNode('out'), 10_000);
    assert.equal(((again.payload as Reply).created as string[]).length, 2);
    assert.equal(names().length, 2);
    const shown = statusOf(helper.getNode('ms1'));
    assert.match(shown?.text ?? '', /motif-schedule\.status\.next 2/);
  });

  it('gives nodes whose ids differ only in punctuation their own task prefix', async () => {
    const other = { ...COPY, name: 'other' };
    const nodes = flow([RECORD]);
    const second = {
      ...(nodes.find((n) => n.id === 'ms1') as FlowNode),
      id: 'ms.1',
      tasks: [other],
      wires: [['out2']],
    };
    await loadFlow(MODULES, [...nodes, second, { id: 'out2', type: 'helper', z: 'tab' }], creds());
    await nextMessage(helper.getNode('out'));
    await nextMessage(helper.getNode('out2'));
    // Both deploys are done; a second sync of each must not take the other's task for its own.
    await command({ command: 'sync' });
    const reply = nextMessage(helper.getNode('out2'));
    helper.getNode('ms.1').receive({ payload: { command: 'sync' } });
    await reply;
    const all = names();
    assert.equal(all.filter((n) => n.startsWith('nr_ms1_e_rec_')).length, 1, all.join(' '));
    assert.equal(all.filter((n) => n.startsWith('nr_ms-002e1_e_other_')).length, 1, all.join(' '));
  });

  it('checks task arguments and values by type before anything is sent', async () => {
    await deploy([RECORD], true);
    const before = sim.requests.length;
    for (const [payload, error] of [
      [
        { name: 'a', kind: 'record', expression: '0 0 9 * * *', args: { duration: '10' } },
        /"duration" must be a finite number, got a string/,
      ],
      [
        { name: 'b', kind: 'record', expression: '0 0 9 * * *', args: { duration: -5 } },
        /"duration" must be a number of seconds above 0/,
      ],
      [
        { name: 'c', kind: 'export', expression: '0 0 9 * * *', args: { codec: 5 } },
        /"codec" must be a string, got a number/,
      ],
      [
        { name: 'd', kind: 'copy', expression: '0 0 9 * * *', args: { delete_after: 'yes' } },
        /"delete_after" must be true or false/,
      ],
      [
        { name: 'e', kind: 'record', expression: '0 0 9 * * *', args: { bogus: 1 } },
        /unknown argument "bogus"/,
      ],
      [
        { name: 'f', kind: 'record', expression: '0 0 9 * * *', args: { task_name: 'x' } },
        /"task_name" is set by the task/,
      ],
      [
        { name: 'g', kind: 'io', expression: '0 0 9 * * *', target: 'led', value: 'bright' },
        /value must be a number, \+inf or -inf/,
      ],
      [
        { name: 'h', kind: 'io', expression: '0 0 9 * * *', target: 'led', value: { v: 1 } },
        /value must be a number or text/,
      ],
      [{ name: 'i', kind: 'record', expression: '%120 1/2 * ? * *' }, /search limit/],
    ] as const) {
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('ms1').receive({ payload: { command: 'add', ...payload } });
      assert.match(String(((await caught).error as Reply).message), error);
    }
    assert.equal(sim.requests.length, before, 'nothing reached the server');
  });

  it('previews camera-relative tasks relative to the recording start', async () => {
    await deploy([TOGGLE], true);
    const body = (
      await helper
        .request()
        .get('/recorders/schedule/preview')
        .query({ expression: '17 0 0 1 1 ? 1970', relative: 'true' })
        .expect(200)
    ).body as Reply;
    assert.equal(body.description, '17 seconds after start');
    assert.deepEqual(body.afterStart, ['+0:00:17']);
    assert.deepEqual(body.next, []);
    const listed = await command(undefined, 'list');
    const blink = (listed.tasks as Reply[]).find((t) => t.name === 'blink');
    assert.equal(blink?.description, '2 seconds after start, then every 2 seconds');
    assert.deepEqual((blink?.afterStart as string[]).slice(0, 2), ['+0:00:02', '+0:00:04']);
  });

  it('refuses a wrong check interval or time zone with a ConfigError for every message', async () => {
    for (const [extra, where] of [
      [{ checkInterval: 'often' }, /check interval must be a number/],
      [{ checkInterval: -5 }, /check interval must be at least 0/],
      [{ timeZone: 'Mars/Olympus' }, /unknown time zone "Mars\/Olympus"/],
    ] as const) {
      await loadFlow(MODULES, flow([RECORD], extra), creds());
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('ms1').receive({ payload: { command: 'list' }, tag: 'c' });
      const msg = await caught;
      assert.equal(msg.tag, 'c');
      assert.match(String((msg.error as Reply).message), where);
      await helper.unload();
    }
    assert.equal(names().length, 0, 'nothing was created');
  });

  it('serves the expression preview to the editor', async () => {
    await deploy([], true);
    const res = await helper
      .request()
      .get('/recorders/schedule/preview')
      .query({ expression: '0 0 9 * * *', tz: 'UTC' })
      .expect(200);
    const body = res.body as Reply;
    assert.equal(body.ok, true);
    assert.equal((body.next as string[]).length, 5);
    const bad = (
      await helper.request().get('/recorders/schedule/preview').query({ expression: '0 0 9 * * 9' })
    ).body as Reply;
    assert.equal(bad.ok, false);
    assert.equal(bad.field, 'day-of-week');
  });
});
