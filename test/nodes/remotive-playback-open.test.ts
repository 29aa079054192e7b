/**
 * remotive-playback's "If open" tick against the broker simulator over real gRPC: opening a session
 * that is open already is a success that leaves it as it is (playing on, not started over), marked
 * `msg.remotive.alreadyOpen`; without the tick it stays the broker's error, and "force" still opens
 * it again from the start.
 */
import assert from 'node:assert/strict';
import type { RemotiveSimulator } from '../../src/simulators/remotive';
import { nextMessage, waitFor, type Message } from '../support/flow';
import {
  CITY,
  HIGHWAY,
  brokerNode,
  helper,
  load,
  playbackNode,
  startSim,
  statusOf,
} from './remotive-helpers';

describe('remotive-playback: open on an open session', function () {
  let sim: RemotiveSimulator;

  beforeEach(async () => {
    sim = await startSim();
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  async function run(msg: Record<string, unknown>): Promise<Message> {
    const received = nextMessage(helper.getNode('out'));
    helper.getNode('pb').receive(msg);
    return received;
  }

  /** A session opened and playing, well past its start. */
  async function playing(path: string): Promise<number> {
    await run({ operation: 'open', path });
    await run({ operation: 'play', path });
    const session = await waitFor(() =>
      sim.state.sessions.find((s) => s.path === path && s.offsetUs > 200_000),
    );
    return session.offsetUs;
  }

  it('"If open": already open is a success, the session left playing at its offset', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: '', path: '', keepOpen: true })]);
    const before = await playing(CITY);
    const msg = await run({ operation: 'open', path: CITY, topic: 'kept' });
    assert.equal(msg.topic, 'kept', 'the original message');
    const payload = msg.payload as { path: string; mode: string; offsetUs: number; alreadyOpen: boolean };
    assert.equal(payload.path, CITY);
    assert.equal(payload.mode, 'playing');
    assert.equal(payload.alreadyOpen, true);
    assert.ok(payload.offsetUs >= before, `not started over: ${payload.offsetUs} µs after ${before} µs`);
    assert.equal((msg.remotive as { alreadyOpen?: boolean }).alreadyOpen, true);
    assert.match(statusOf(helper.getNode('pb'))?.text ?? '', /^already open, playing /);
    const session = sim.state.sessions.find((s) => s.path === CITY);
    assert.equal(session?.mode, 'PLAYBACK_PLAYING');
    // A session that is not open is opened as ever, with no mark.
    const fresh = await run({ operation: 'open', path: HIGHWAY });
    assert.equal((fresh.payload as { alreadyOpen?: boolean }).alreadyOpen, undefined);
    assert.equal((fresh.remotive as { alreadyOpen?: boolean }).alreadyOpen, undefined);
  });

  it('without the tick, opening an open session stays a catchable error; "force" opens it again from the start', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: '', path: '' })]);
    await playing(CITY);
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('pb').receive({ operation: 'open', path: CITY });
    assert.match(((await caught).error as { message: string }).message, /already open/);
    await helper.unload();
    await load([brokerNode(sim.url), playbackNode({ operation: '', path: '', force: true, keepOpen: true })]);
    const reopened = await run({ operation: 'open', path: CITY });
    const payload = reopened.payload as { mode: string; offsetUs: number; alreadyOpen?: boolean };
    assert.equal(payload.alreadyOpen, undefined, 'force wins: opened again');
    assert.equal(payload.offsetUs, 0);
  });

  it('a repeated command id (MQTT redelivery) opens once and is answered from memory', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: '', path: '' })]);
    const opens = (): number => sim.state.received.filter((c) => /open/i.test(c.rpc)).length;
    const before = opens();
    const first = await run({ operation: 'open', path: HIGHWAY, commandId: 'open-1' });
    const second = await run({ operation: 'open', path: HIGHWAY, commandId: 'open-1' });
    assert.equal(opens() - before, 1, 'one open reached the broker');
    assert.deepEqual(second.payload, first.payload);
    assert.equal((second.remotive as { repeated?: boolean }).repeated, true);
    assert.equal((first.remotive as { repeated?: boolean }).repeated, undefined);
  });
});
