/**
 * Idempotent commands (the node kit's command ids) and "already done counts as success", in a real
 * Node-RED runtime against the motif and Aivero simulators over real sockets: a command delivered
 * twice (MQTT QoS 1) is performed once and answered twice; replies keep the MQTT v5 correlation.
 */
import assert from 'node:assert/strict';
import type { Node } from 'node-red';
import { MotifSimulator } from '../../src/simulators/motif/server';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { COMMAND_MEMORY_SIZE } from '../../src/kit/command-ids';
import { clientFor } from '../motif/helpers';
import { helper, loadFlow, nodeModule } from '../support/node-red';
import { collect, nextMessage, waitFor, type FlowNode, type Message } from '../support/flow';
import {
  AIVERO,
  actionNode as aiveroAction,
  credentials as aiveroCredentials,
  flow,
  serverNode as aiveroServer,
  SPEC,
  startSim,
} from './aivero-helpers';

const MOTIF = [nodeModule('motif-server'), nodeModule('motif-action')];
const START_FAKE0 = '/api/1/camera/FAKE0/recording/start';

function motifServer(sim: MotifSimulator): FlowNode {
  return {
    id: 'srv',
    type: 'motif-server',
    host: '127.0.0.1',
    port: sim.port,
    tlsMode: 'fingerprint',
    fingerprint: sim.fingerprint256,
    timeout: 5,
  };
}

function motifAction(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'act',
    type: 'motif-action',
    z: 'tab',
    server: 'srv',
    operation: 'camera/<serial>/recording/start',
    camera: 'FAKE0',
    output: '',
    parameter: '',
    task: '',
    ioSerial: '',
    ioPort: '',
    args: '',
    payloadArgs: false,
    wait: false,
    waitTimeout: 5,
    wires: [['out']],
    ...extra,
  };
}

/** Messages at `out` and errors at `caught`, until `count` of them have arrived together. */
async function answers(
  out: Node,
  caught: Node,
  count: number,
): Promise<{ ok: Message[]; failed: Message[] }> {
  const ok = collect(out);
  const failed = collect(caught);
  await waitFor(() => (ok.length + failed.length >= count ? true : undefined), 15_000);
  return { ok, failed };
}

describe('action nodes: command ids and "already" as success', function () {
  this.timeout(60_000);

  describe('motif-action', () => {
    let sim: MotifSimulator;

    before(async () => {
      sim = await MotifSimulator.start({
        requestLogSize: 100_000,
        timing: { pendingMs: 20, copyMs: 300, exportMs: 300 },
      });
    });
    after(async () => {
      await sim.close();
    });
    afterEach(async () => {
      await helper.unload();
      sim.setResponseDelay(0);
      // Every test begins with no camera recording.
      const client = clientFor(sim);
      await client.call('recording/stop', {}, undefined);
      await client.close();
    });

    async function load(...nodes: FlowNode[]): Promise<{ act: Node; out: Node; caught: Node }> {
      await loadFlow(MOTIF, flow(motifServer(sim), ...nodes), { srv: { apiKey: sim.apiKey } });
      return { act: helper.getNode('act'), out: helper.getNode('out'), caught: helper.getNode('caught') };
    }

    const startCalls = (): number =>
      sim.requests.filter((r) => r.method === 'POST' && r.path === START_FAKE0).length;

    it('a command id delivered twice starts the recording once; both are answered, the second repeated', async () => {
      const { act, out, caught } = await load(motifAction());
      const before = startCalls();
      let got = nextMessage(out);
      act.receive({ commandId: 'cmd-1', payload: 'first' });
      const first = await got;
      got = nextMessage(out);
      act.receive({ commandId: 'cmd-1', payload: 'second' });
      const second = await got;
      assert.equal(startCalls() - before, 1, 'one start reached motif');
      assert.deepEqual(second.payload, first.payload, 'the repeat carries the first result');
      const meta1 = first.motif as Record<string, unknown>;
      const meta2 = second.motif as Record<string, unknown>;
      assert.equal(meta1.repeated, undefined);
      assert.equal(meta2.repeated, true);
      assert.equal(meta2.operation, meta1.operation);
      assert.equal(collect(caught).length, 0);
      // A new id is a new command: motif refuses a second start on a recording camera.
      const failed = nextMessage(caught);
      act.receive({ commandId: 'cmd-2' });
      assert.match(((await failed).error as { message: string }).message, /already recording/);
      assert.equal(startCalls() - before, 2);
    });

    it('duplicates arriving together are performed once and all answered with the same result', async () => {
      const { act, out, caught } = await load(motifAction());
      sim.setResponseDelay(150);
      const before = startCalls();
      const seen = answers(out, caught, 3);
      for (let i = 0; i < 3; i += 1) act.receive({ commandId: 'together', payload: i });
      const { ok, failed } = await seen;
      assert.equal(failed.length, 0, 'no duplicate failed');
      assert.equal(ok.length, 3);
      assert.equal(startCalls() - before, 1, 'one start reached motif');
      assert.equal(ok.filter((m) => (m.motif as { repeated?: boolean }).repeated === true).length, 2);
      for (const m of ok) assert.deepEqual(m.payload, ok[0].payload);
    });

    it('a command that failed fails the same way for its repeat, without another call', async () => {
      const { act, caught } = await load(motifAction({ camera: 'NOSUCHCAMERA' }));
      const path = '/api/1/camera/NOSUCHCAMERA/recording/start';
      const calls = (): number => sim.requests.filter((r) => r.path === path).length;
      const before = calls();
      let failed = nextMessage(caught);
      act.receive({ commandId: 'bad-1' });
      const first = await failed;
      failed = nextMessage(caught);
      act.receive({ commandId: 'bad-1' });
      const second = await failed;
      assert.equal(calls() - before, 1);
      const message = (m: Message): string => (m.error as { message: string }).message;
      assert.equal(message(second), message(first));
      assert.match(message(first), /not found/);
      assert.equal((second.motif as { repeated?: boolean }).repeated, true);
    });

    it('MQTT v5 correlation: correlationData alone serves as the id; the reply keeps it and goes to the response topic', async () => {
      const { act, out } = await load(motifAction());
      const correlationData = Buffer.from([1, 2, 3, 250]);
      const before = startCalls();
      let got = nextMessage(out);
      act.receive({ topic: 'rig/1/cmd', responseTopic: 'rig/1/ack/coord', correlationData });
      const first = await got;
      got = nextMessage(out);
      act.receive({
        topic: 'rig/1/cmd',
        responseTopic: 'rig/1/ack/coord',
        correlationData: Buffer.from(correlationData),
      });
      const second = await got;
      assert.equal(startCalls() - before, 1, 'the redelivery did not start again');
      for (const reply of [first, second]) {
        assert.equal(reply.responseTopic, 'rig/1/ack/coord');
        assert.ok(Buffer.isBuffer(reply.correlationData));
        assert.deepEqual([...reply.correlationData], [1, 2, 3, 250]);
        // A core mqtt out node with no topic publishes to msg.responseTopic only when msg.topic is empty.
        assert.equal(reply.topic, undefined);
      }
      assert.equal((second.motif as { repeated?: boolean }).repeated, true);
    });

    it('a message without command id or correlation is performed every time, as before', async () => {
      const { act, out, caught } = await load(motifAction({ operation: 'camera/<serial>' }));
      const calls = (): number => sim.requests.filter((r) => r.path === '/api/1/camera/FAKE0').length;
      const before = calls();
      const seen = answers(out, caught, 2);
      act.receive({ topic: 'keep' });
      act.receive({ topic: 'keep' });
      const { ok } = await seen;
      assert.equal(calls() - before, 2);
      assert.equal(ok[0].topic, 'keep', 'msg.topic is kept without a response topic');
    });

    it(`remembers at most ${COMMAND_MEMORY_SIZE} ids: the oldest is forgotten first`, async () => {
      const { act, out, caught } = await load(motifAction({ operation: 'camera/<serial>' }));
      const calls = (): number => sim.requests.filter((r) => r.path === '/api/1/camera/FAKE0').length;
      let seen = answers(out, caught, COMMAND_MEMORY_SIZE + 1);
      for (let i = 0; i <= COMMAND_MEMORY_SIZE; i += 1) act.receive({ commandId: `id-${i}` });
      assert.equal((await seen).failed.length, 0);
      const before = calls();
      seen = answers(out, caught, 2);
      act.receive({ commandId: `id-${COMMAND_MEMORY_SIZE}` }); // the newest: remembered
      act.receive({ commandId: 'id-1' }); // still among the newest 1000
      const remembered = await seen;
      assert.equal(calls() - before, 0);
      assert.ok(remembered.ok.every((m) => (m.motif as { repeated?: boolean }).repeated === true));
      const got = nextMessage(out);
      act.receive({ commandId: 'id-0' }); // the oldest: forgotten, performed again
      const again = await got;
      assert.equal(calls() - before, 1);
      assert.equal((again.motif as { repeated?: boolean }).repeated, undefined);
    });

    it('hostile command ids are refused before anything is sent, and the node keeps working', async () => {
      const { act, out, caught } = await load(motifAction());
      const before = startCalls();
      const trap = new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
          ownKeys: () => {
            throw new Error('trap');
          },
        },
      );
      const hostile: unknown[] = ['x'.repeat(10_000_000), { id: 1 }, ['a'], trap, NaN, Infinity, true];
      const seen = answers(out, caught, hostile.length + 1);
      for (const commandId of hostile) act.receive({ commandId });
      // A message whose commandId getter throws.
      const throwing: Record<string, unknown> = {};
      Object.defineProperty(throwing, 'commandId', {
        enumerable: false,
        get: () => {
          throw new Error('getter');
        },
      });
      act.receive(throwing);
      const { ok, failed } = await seen;
      assert.equal(ok.length, 0);
      assert.equal(failed.length, hostile.length + 1);
      for (const f of failed) {
        const error = f.error as { message: string };
        assert.match(error.message, /msg\.commandId/);
        assert.ok(error.message.length < 300, 'the id is not echoed');
      }
      assert.equal(startCalls(), before, 'nothing reached motif');
      const got = nextMessage(out);
      act.receive({ commandId: 'fine' });
      await got;
      assert.equal(startCalls() - before, 1);
    });

    it('"already" off: a start on a recording camera is an error, as before', async () => {
      const { act, out, caught } = await load(motifAction());
      await (async () => {
        const got = nextMessage(out);
        act.receive({});
        await got;
      })();
      const failed = nextMessage(caught);
      act.receive({});
      assert.match(((await failed).error as { message: string }).message, /already recording/);
    });

    it('"already" on: a start on a recording camera and a stop where none records are answered with already', async () => {
      const { act, out } = await load(
        motifAction({ id: 'act', alreadyOk: true }),
        motifAction({ id: 'stop', operation: 'camera/<serial>/recording/stop', alreadyOk: true }),
      );
      const stop = helper.getNode('stop');
      let got = nextMessage(out);
      act.receive({});
      const started = await got;
      assert.equal((started.motif as { already?: boolean }).already, undefined);
      got = nextMessage(out);
      act.receive({});
      const again = await got;
      assert.equal((again.motif as { already?: boolean }).already, true);
      assert.equal((again.payload as { already?: boolean }).already, true);
      got = nextMessage(out);
      stop.receive({});
      const stopped = await got;
      assert.equal((stopped.motif as { already?: boolean }).already, undefined);
      got = nextMessage(out);
      stop.receive({});
      const stoppedAgain = await got;
      assert.equal((stoppedAgain.motif as { already?: boolean }).already, true);
    });

    it('"already" on, all cameras: the cameras not yet recording start, the recording one counts as already', async () => {
      const { act, out } = await load(
        motifAction({ alreadyOk: true }),
        motifAction({ id: 'all', camera: 'all', alreadyOk: true }),
      );
      let got = nextMessage(out);
      act.receive({});
      await got;
      got = nextMessage(out);
      helper.getNode('all').receive({});
      const msg = await got;
      assert.equal((msg.motif as { already?: boolean }).already, undefined, 'some cameras started');
      const payload = msg.payload as Record<string, { already?: boolean }>;
      assert.equal(payload.FAKE0.already, true);
      const others = [...sim.state.cameras.keys()].filter((s) => s !== 'FAKE0');
      assert.ok(others.length > 0);
      await waitFor(() =>
        others.every((s) => sim.state.cameras.get(s)?.recording.status !== 'idle') ? true : undefined,
      );
    });

    it('"already" off: a stop where none records is answered without already', async () => {
      const { out } = await load(motifAction({ id: 'act', operation: 'camera/<serial>/recording/stop' }));
      const got = nextMessage(out);
      helper.getNode('act').receive({});
      assert.equal(((await got).motif as { already?: boolean }).already, undefined);
    });
  });

  describe('aivero-action', () => {
    let sim: AiveroSimulator;

    before(async () => {
      sim = await startSim();
    });
    after(async () => {
      await sim.close();
    });
    afterEach(async () => {
      await helper.unload();
    });

    async function stoppedSession(): Promise<string> {
      const got = nextMessage(helper.getNode('out'));
      helper.getNode('mk').receive({});
      return (await got).session as string;
    }

    async function load(alreadyOk: boolean): Promise<void> {
      await loadFlow(
        AIVERO,
        flow(
          aiveroServer(sim),
          aiveroAction({
            id: 'mk',
            operation: 'createSession',
            sessionSpec: JSON.stringify({
              ...SPEC,
              name: 'already',
              state: 'Stopped',
              always: true,
              endDate: undefined,
            }),
          }),
          aiveroAction({ id: 'act', operation: 'setState', state: '', alreadyOk }),
        ),
        aiveroCredentials(sim),
      );
    }

    it('"already" on: setState to the state the session is in is answered with already; another state is written', async () => {
      await load(true);
      const session = await stoppedSession();
      const out = helper.getNode('out');
      let got = nextMessage(out);
      helper.getNode('act').receive({ session, state: 'Stopped' });
      const same = await got;
      assert.equal((same.aivero as { already?: boolean }).already, true);
      assert.deepEqual(same.payload, { id: session, state: 'Stopped' });
      got = nextMessage(out);
      helper.getNode('act').receive({ session, state: 'Standby' });
      const changed = await got;
      assert.equal((changed.aivero as { already?: boolean }).already, undefined);
      const rows = (await sim.query('SELECT state::text AS state FROM recording_sessions WHERE id = $1', [
        session,
      ])) as { state: string }[];
      assert.notEqual(rows[0]?.state, 'Stopped');
    });

    it('"already" off: setState to the same state is written again and answered as before', async () => {
      await load(false);
      const session = await stoppedSession();
      const got = nextMessage(helper.getNode('out'));
      helper.getNode('act').receive({ session, state: 'Stopped' });
      const msg = await got;
      assert.equal((msg.aivero as { already?: boolean }).already, undefined);
      assert.deepEqual(msg.payload, { id: session, state: 'Stopped' });
    });

    it('a repeated setState command id is answered from memory', async () => {
      await load(true);
      const session = await stoppedSession();
      const out = helper.getNode('out');
      let got = nextMessage(out);
      helper.getNode('act').receive({ session, state: 'Standby', commandId: 'arm-1' });
      const first = await got;
      got = nextMessage(out);
      helper.getNode('act').receive({ session, state: 'Standby', commandId: 'arm-1' });
      const second = await got;
      assert.deepEqual(second.payload, first.payload);
      assert.equal((second.aivero as { repeated?: boolean }).repeated, true);
      assert.equal(
        (second.aivero as { already?: boolean }).already,
        undefined,
        'the first outcome, not a new read',
      );
    });
  });
});
