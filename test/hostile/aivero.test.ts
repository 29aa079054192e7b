/**
 * Hostile messages against aivero-action and aivero-watch in a real Node-RED runtime and the Aivero
 * simulator over real HTTPS/WebSockets: every message answered within a bound, nothing escapes,
 * the event loop never blocks, and nothing hostile is stored (names with control characters or of
 * absurd length never reach the database). A configured operation is never replaced by msg.operation.
 */
import assert from 'node:assert/strict';
import { AiveroClient } from '../../src/backends/aivero';
import { startChildSim, type ChildSim } from '../nodes/aivero-helpers';
import { helper, nodeModule, type FlowNode } from '../support/node-red';
import { assertOutputOrCatch, runHostile, TARGET } from './harness';
import { hostileMessages, uncopyableMessages } from './values';

const MODULES = [nodeModule('aivero-server'), nodeModule('aivero-action'), nodeModule('aivero-watch')];
const COUNT = 320;
const D435 = { model: 'REALSENSE_D435', serial: '935322071234' };
const COLOR = {
  type: 'color',
  alignTo: 'color',
  encoder: 'HEVC',
  width: 1280,
  height: 720,
  nearCut: 300,
  farCut: 1000,
  bitrate: 1000000,
  frameRate: 15,
};
const NO_SUCH = '00000000-0000-4000-8000-000000000000';

describe('hostile input: aivero nodes', function () {
  this.timeout(180_000);
  let sim: ChildSim;
  let client: AiveroClient;

  before(async () => {
    // In its own process: the simulator's embedded Postgres would otherwise block this event loop.
    sim = await startChildSim(['--refetch-ms', '100']);
    client = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca } });
    // undici compiles its HTTP parser (WebAssembly) synchronously on the process's first request: a
    // one-time cost of the process, not of a message, so it is paid before the event loop is watched.
    await client.listCameras();
  });
  after(async () => {
    await client.close();
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  const server = (): FlowNode => ({
    id: 'srv',
    type: 'aivero-server',
    endpoint: sim.url,
    auth: 'admin',
    tlsMode: 'ca',
    ca: sim.ca,
    timeout: 3,
  });
  const credentials = (): Record<string, Record<string, string>> => ({
    srv: { adminSecret: sim.adminSecret },
  });

  async function assertNothingHostileStored(): Promise<void> {
    const rows = await client.listSessions({ limit: 1000 });
    for (const { name } of rows) {
      assert.ok(name.length <= 200, `a ${name.length}-character name was stored`);
      assert.equal(
        /[\u0000-\u001f\u007f]/.test(name),
        false,
        `control characters stored: ${JSON.stringify(name.slice(0, 60))}`,
      );
    }
    assert.equal((await client.listCameras()).length, 6, 'the cameras are untouched');
  }

  it('aivero-action set to "from msg": every message answered, nothing hostile stored', async () => {
    const result = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      boundMs: 10_000,
      nodes: [
        server(),
        {
          id: TARGET,
          type: 'aivero-action',
          server: 'srv',
          operation: '',
          state: '',
          session: '',
          cameraModel: '',
          cameraSerial: '',
          sessionSpec: JSON.stringify({
            name: 'hostile',
            always: true,
            state: 'Stopped',
            records: [{ camera: {}, streams: [COLOR] }],
          }),
          wait: false,
        },
      ],
      messages: hostileMessages(['operation', 'state', 'session', 'camera', 'payload'], COUNT, 11, {
        operation: 'createSession',
        state: 'Stopped',
        session: NO_SUCH,
        camera: D435,
      }),
    });
    assert.ok(result.caught > 0, 'hostile values are reported as errors');
    assert.ok(result.outputs > 0, 'good values still work');
    await assertNothingHostileStored();
  });

  it('aivero-action on every operation with hostile payloads and cameras', async () => {
    for (const [i, operation] of ['findCamera', 'listSessions', 'createSession', 'setState'].entries()) {
      await runHostile({
        modules: MODULES,
        credentials: credentials(),
        boundMs: 10_000,
        nodes: [
          server(),
          {
            id: TARGET,
            type: 'aivero-action',
            server: 'srv',
            operation,
            state: 'Standby',
            session: '',
            sessionSpec: JSON.stringify({
              name: 'hostile-op',
              always: true,
              state: 'Stopped',
              records: [{ camera: {}, streams: [COLOR] }],
            }),
          },
        ],
        messages: hostileMessages(['payload', 'camera', 'session'], 80, 20 + i, {
          camera: D435,
          session: NO_SUCH,
        }),
      });
      await helper.unload();
    }
    await assertNothingHostileStored();
  });

  it('a configured operation wins over msg.operation (no deleteSession, no createSession)', async () => {
    const before = (await client.listSessions({ limit: 1000 })).length;
    const messages = ['deleteSession', 'createSession', 'listCameras', '__proto__'].map((operation, i) => ({
      _msgid: `op-${i}`,
      operation,
      camera: D435,
      session: NO_SUCH,
    }));
    const result = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [server(), { id: TARGET, type: 'aivero-action', server: 'srv', operation: 'findCamera' }],
      messages,
    });
    assert.equal(result.outputs, messages.length, 'each message ran the configured operation');
    assert.equal((await client.listSessions({ limit: 1000 })).length, before);
  });

  it('aivero-watch control messages: every message answered', async () => {
    const result = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [
        server(),
        { id: TARGET, type: 'aivero-watch', server: 'srv', scope: 'session', session: '', autoStart: false },
      ],
      messages: hostileMessages(['action', 'session'], COUNT, 12, { action: 'stop', session: NO_SUCH }),
    });
    assert.ok(result.caught > 0);
    assert.ok(result.completed > 0, 'good control messages complete');
  });

  it('messages Node-RED can not copy (5,000 and 100,000 levels deep, throwing getters and proxies): each answered by an output or a Catch', async () => {
    const fromMsg = uncopyableMessages(['operation', 'state', 'session', 'camera'], 'from-msg', {
      operation: 'listSessions',
      session: NO_SUCH,
      camera: D435,
    });
    const fromMsgResult = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      boundMs: 10_000,
      nodes: [
        server(),
        { id: TARGET, type: 'aivero-action', server: 'srv', operation: '', state: '', session: '' },
      ],
      messages: fromMsg,
    });
    assertOutputOrCatch(fromMsgResult, fromMsg);
    await helper.unload();
    // A configured call that succeeds with such a message: its output, and its completion.
    const configured = uncopyableMessages(
      ['camera', 'session', 'commandId', 'correlationData', 'responseTopic'],
      'configured',
    );
    const configuredResult = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      boundMs: 10_000,
      nodes: [server(), { id: TARGET, type: 'aivero-action', server: 'srv', operation: 'listSessions' }],
      messages: configured,
    });
    assertOutputOrCatch(configuredResult, configured);
    assert.ok(configuredResult.outputs > 0, 'a call that needs nothing of the message still succeeds');
    await helper.unload();
    const watch = uncopyableMessages(['action', 'session'], 'watch');
    const watchResult = await runHostile({
      modules: MODULES,
      credentials: credentials(),
      nodes: [
        server(),
        { id: TARGET, type: 'aivero-watch', server: 'srv', scope: 'session', session: '', autoStart: false },
      ],
      messages: watch,
    });
    assertOutputOrCatch(watchResult, watch);
  });
});
