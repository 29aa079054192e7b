/**
 * Hostile messages against remotive-playback in a real Node-RED runtime and the broker simulator
 * over real gRPC: every message answered, no control character or absurd length on the wire, a
 * configured operation never replaced by msg.operation, bad broker configuration reported.
 */
import assert from 'node:assert/strict';
import { RemotiveSimulator } from '../../src/simulators/remotive/server';
import { helper, nodeModule } from '../support/node-red';
import { assertOutputOrCatch, runHostile, TARGET } from './harness';
import { hostileMessages, uncopyableMessages } from './values';

const MODULES = [nodeModule('remotive-broker'), nodeModule('remotive-playback')];
const CITY = 'drive/city-loop.recordingsession.yaml';

/** Strings the broker received, anywhere in its requests. */
function receivedStrings(sim: RemotiveSimulator): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const call of sim.state.received) walk(call.request);
  return out;
}

describe('hostile input: remotive-playback', function () {
  this.timeout(120_000);
  let sim: RemotiveSimulator;

  before(async () => {
    sim = await RemotiveSimulator.start();
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  const broker = (
    extra: Record<string, unknown> = {},
  ): { id: string; type: string; [k: string]: unknown } => ({
    id: 'brk',
    type: 'remotive-broker',
    url: sim.url,
    ca: '',
    timeout: 2,
    ...extra,
  });
  const playback = (extra: Record<string, unknown>): { id: string; type: string; [k: string]: unknown } => ({
    id: TARGET,
    type: 'remotive-playback',
    broker: 'brk',
    operation: '',
    path: '',
    recursive: false,
    force: false,
    offset: '',
    start: '',
    end: '',
    closeOnStop: true,
    ...extra,
  });

  it('set to "from msg": every message answered, nothing hostile reaches the broker', async () => {
    const result = await runHostile({
      modules: MODULES,
      nodes: [broker(), playback({})],
      messages: hostileMessages(
        ['operation', 'path', 'offset', 'start', 'end', 'force', 'recursive', 'topic'],
        330,
        5,
        {
          operation: 'open',
          path: CITY,
          offset: '1:00',
        },
      ),
    });
    assert.ok(result.caught > 0);
    for (const s of receivedStrings(sim)) {
      assert.equal(
        /[\u0000-\u001f\u007f]/.test(s),
        false,
        `control character reached the broker: ${JSON.stringify(s.slice(0, 80))}`,
      );
      assert.ok(s.length <= 4096, `a ${s.length}-character string reached the broker`);
    }
  });

  it('a configured operation wins over msg.operation and msg.topic', async () => {
    const before = sim.state.received.length;
    const messages = ['close', 'seek', 'repeat', 'list'].map((operation, i) => ({
      _msgid: `op-${i}`,
      operation,
      topic: `playback/${operation}`,
      path: CITY,
    }));
    await runHostile({
      modules: MODULES,
      nodes: [broker(), playback({ operation: 'status', path: CITY })],
      messages,
    });
    const rpcs = sim.state.received.slice(before).map((c) => c.rpc);
    assert.equal(
      // PlaybackStatus is what the node is configured for; "Playback" alone must not count as play.
      rpcs.some((r) =>
        /^(PlaybackClose|PlaybackSeek|PlaybackRepeat|ListRecordingFiles|PlaybackPlay|PlaybackPause)$/.test(r),
      ),
      false,
      `rpcs: ${rpcs.join(', ')}`,
    );
  });

  it('messages Node-RED can not copy (5,000 and 100,000 levels deep, throwing getters and proxies): each answered by an output or a Catch', async () => {
    const fromMsg = uncopyableMessages(['operation', 'path', 'offset', 'start', 'end', 'topic'], 'from-msg', {
      operation: 'open',
      path: CITY,
    });
    const fromMsgResult = await runHostile({
      modules: MODULES,
      nodes: [broker(), playback({})],
      messages: fromMsg,
    });
    assertOutputOrCatch(fromMsgResult, fromMsg);
    await helper.unload();
    const configured = uncopyableMessages(
      ['path', 'offset', 'commandId', 'correlationData', 'responseTopic'],
      'configured',
    );
    const configuredResult = await runHostile({
      modules: MODULES,
      nodes: [broker(), playback({ operation: 'list', path: 'drive' })],
      messages: configured,
    });
    assertOutputOrCatch(configuredResult, configured);
    assert.ok(configuredResult.outputs > 0, 'a call that needs nothing of the message still succeeds');
  });

  for (const c of [
    {
      what: 'a URL without scheme',
      url: '127.0.0.1:50051',
      field: /^ConfigError: remotive-broker: (broker )?URL/,
    },
    {
      what: 'a URL with a space',
      url: 'http://broker pc:50051',
      field: /^ConfigError: remotive-broker: (broker )?URL/,
    },
    {
      what: 'CA text that is not PEM',
      url: 'https://127.0.0.1:1',
      ca: 'not a pem',
      field: /^ConfigError: remotive-broker: CA certificate/,
    },
  ]) {
    it(`bad broker config (${c.what}): every message gets a catchable ConfigError naming the field`, async () => {
      const messages = [0, 1, 2].map((i) => ({ _msgid: `cfg-${i}`, path: CITY }));
      const result = await runHostile({
        modules: MODULES,
        nodes: [broker({ url: c.url, ca: c.ca ?? '' }), playback({ operation: 'status' })],
        messages,
      });
      assert.equal(result.caught, messages.length);
      for (const text of result.errors) assert.match(text, c.field);
    });
  }
});
