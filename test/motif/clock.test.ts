/**
 * The motif simulator's own clock: a configured offset and drift show in `schedule.now`, in the
 * HTTP `Date` header of every answer, in recording and stream timestamps, and io/log entries are
 * kept per recording (frame number, simulated time, values) and read back over the API. Real HTTPS
 * and ZeroMQ on loopback; times are checked NTP-style against the local clock around each request.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import * as zmq from 'zeromq';
import { MotifClient } from '../../src/backends/motif/client';
import { startSimulators, UsageError } from '../../src/simulators/cli';
import type { MotifSimulator, SimExtraData } from '../../src/simulators/motif';
import { ManualClock } from '../schedule/manual-clock';
import { clientFor, delay, rejection, startSimulator } from './helpers';

const OFFSET_MS = 2500;
const DRIFT_PPM = 50;

interface Answer {
  status: number;
  date: number;
  body: unknown;
  /** Local time just before the request was sent and just after the answer arrived. */
  sent: number;
  received: number;
}

const agents = new WeakMap<MotifSimulator, Agent>();

/** One raw HTTPS request (the motif client hides headers and knows no `_sim` routes). */
async function raw(
  sim: MotifSimulator,
  method: 'GET' | 'POST',
  path: string,
  options: { key?: string | null; body?: unknown } = {},
): Promise<Answer> {
  let agent = agents.get(sim);
  if (!agent) {
    agent = new Agent({ connect: { ca: sim.certificatePem, checkServerIdentity: () => undefined } });
    agents.set(sim, agent);
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = options.key === undefined ? sim.apiKey : options.key;
  if (key !== null) headers['x-api-key'] = key;
  const sent = Date.now();
  const res = await request(`${sim.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    dispatcher: agent,
  });
  const body: unknown = await res.body.json();
  const received = Date.now();
  const header = res.headers.date;
  assert.equal(typeof header, 'string', 'every answer has a Date header');
  return { status: res.statusCode, date: Date.parse(header as string), body, sent, received };
}

async function closeAgent(sim: MotifSimulator): Promise<void> {
  await agents.get(sim)?.close();
  agents.delete(sim);
}

/**
 * The server's time `t` (ms) was read between `sent` and `received` on our clock: its lead over us
 * lies in [t − received, t − sent]. `resolution` widens the lower end (a Date header drops the ms).
 */
function assertLead(t: number, a: { sent: number; received: number }, lead: number, resolution = 0): void {
  const low = t - a.received;
  const high = t - a.sent + resolution;
  // 2 ms: Date.now() and the simulator's reading are whole or fractional ms.
  assert.ok(low - 2 <= lead && lead <= high + 2, `lead ${lead} ms outside the measured [${low}, ${high}] ms`);
}

/** Polls the camera status until its recording has really begun (after "pending"). */
async function recordingOf(
  client: MotifClient,
  serial: string,
): Promise<{ filename: string; started: number }> {
  for (;;) {
    const s = (await client.cameraStatus(serial)) as {
      camera_info: { filename: string | null; started: number | null };
    };
    if (s.camera_info.filename !== null && s.camera_info.started !== null)
      return { filename: s.camera_info.filename, started: s.camera_info.started };
    await delay(10);
  }
}

async function recordingOrNull(client: MotifClient): Promise<{ started: number | null }> {
  const s = (await client.cameraStatus('FAKE0')) as { camera_info: { started: number | null } };
  return { started: s.camera_info.started };
}

describe('motif simulator: its own clock', function () {
  let sim: MotifSimulator | undefined;
  let client: MotifClient | undefined;

  afterEach(async () => {
    await client?.close();
    if (sim) {
      await closeAgent(sim);
      await sim.close();
    }
    sim = undefined;
    client = undefined;
  });

  it('schedule.now and the Date header run 2.5 s ahead of the local clock', async () => {
    sim = await startSimulator({
      streams: { enabled: false },
      clockOffsetMs: OFFSET_MS,
      clockDriftPpm: DRIFT_PPM,
    });
    const answer = await raw(sim, 'GET', '/api/1/schedule');
    assert.equal(answer.status, 200);
    const now = (answer.body as { now: number }).now * 1000;
    // 50 ppm over the few ms since the start are far below a ms: the lead is the offset.
    assertLead(now, answer, OFFSET_MS);
    assertLead(answer.date, answer, OFFSET_MS, 1000);
  });

  it('puts the simulated Date on error answers too (401, 404)', async () => {
    sim = await startSimulator({ streams: { enabled: false }, clockOffsetMs: -800 });
    const refused = await raw(sim, 'GET', '/api/1/cameras', { key: 'wrong' });
    assert.equal(refused.status, 401);
    assertLead(refused.date, refused, -800, 1000);
    const missing = await raw(sim, 'GET', '/api/1/camera/NOPE');
    assert.equal(missing.status, 404);
    assertLead(missing.date, missing, -800, 1000);
  });

  it('without clock options, its time is the local time (as before)', async () => {
    sim = await startSimulator({ streams: { enabled: false } });
    const answer = await raw(sim, 'GET', '/api/1/schedule');
    assertLead((answer.body as { now: number }).now * 1000, answer, 0);
    assertLead(answer.date, answer, 0, 1000);
    assert.equal(sim.clock.lead(), 0);
  });

  it('a drift of 1e5 ppm makes the lead grow by a tenth of the elapsed time', async () => {
    sim = await startSimulator({ streams: { enabled: false }, clockOffsetMs: OFFSET_MS, clockDriftPpm: 1e5 });
    const first = await raw(sim, 'GET', '/api/1/schedule');
    const firstNow = (first.body as { now: number }).now * 1000;
    // Wait for 1.5 s of local time to pass, asking the server meanwhile (a condition, not a sleep).
    let last = first;
    while (last.received - first.received < 1500) {
      await delay(50);
      last = await raw(sim, 'GET', '/api/1/schedule');
    }
    const lastNow = (last.body as { now: number }).now * 1000;
    // Both leads are known within their round trips; their difference is the drift's doing.
    const growthLow = lastNow - last.received - (firstNow - first.sent);
    const growthHigh = lastNow - last.sent - (firstNow - first.received);
    const elapsed = (last.sent + last.received - first.sent - first.received) / 2;
    const expected = elapsed * 0.1;
    // The midpoints stand for the reading instants within a tenth of the round trips.
    const slack = 0.1 * (last.received - last.sent + (first.received - first.sent)) + 2;
    assert.ok(
      growthLow <= expected + slack && growthHigh >= expected - slack,
      `lead grew by [${growthLow}, ${growthHigh}] ms over ${elapsed} ms; 1e5 ppm gives ${expected}`,
    );
    assert.ok(growthHigh >= 140, 'the lead really grows');
  });

  it('follows a driven clock: offset plus drift, and timers run on simulated time', async () => {
    const start = Date.UTC(2026, 0, 5, 8, 59, 50);
    const clock = new ManualClock(start);
    sim = await startSimulator({
      clock,
      streams: { enabled: false },
      clockOffsetMs: 1000,
      clockDriftPpm: 1e5,
    });
    client = clientFor(sim);
    const now = async (): Promise<number> => ((await client!.call('schedule')) as { now: number }).now * 1000;
    assert.equal(await now(), start + 1000);
    clock.advance(10_000);
    assert.ok(Math.abs((await now()) - (start + 1000 + 11_000)) < 1e-3, '10 s real = 11 s simulated');
    // The pending time (30 ms simulated) passes in 30 / 1.1 ms of the driven clock.
    await client.call('camera/<serial>/recording/start', { serial: 'FAKE0' }, {});
    clock.advance(26);
    assert.equal((await recordingOrNull(client)).started, null, 'not after 26 ms (28.6 simulated)');
    clock.advance(2);
    const { started } = await recordingOrNull(client);
    // The timer fired 27.27 ms after the start: 30 ms of simulated time.
    assert.ok(started !== null && Math.abs(started * 1000 - (start + 1000 + 11_000 + 30)) < 1e-3);
  });

  it('stamps recordings, state messages and image frames with the simulated time', async () => {
    sim = await startSimulator({ cameras: ['FAKE0'], clockOffsetMs: OFFSET_MS, clockDriftPpm: DRIFT_PPM });
    client = clientFor(sim);
    const sent = Date.now();
    await client.call('camera/<serial>/recording/start', { serial: 'FAKE0' }, { filename: 'clocked' });
    const { filename, started: startedS } = await recordingOf(client, 'FAKE0');
    const received = Date.now();
    const started = startedS * 1000;
    assertLead(started, { sent, received }, OFFSET_MS);
    // The filename carries the simulated start (UTC, to the second).
    const stamp = new Date(Math.floor(started / 1000) * 1000).toISOString().replace(/[-:]/g, '');
    assert.equal(filename, `clocked_FAKE0.${stamp.replace('T', '_').slice(0, 15)}`);

    const streams = sim.stream('FAKE0');
    const sub = new zmq.Subscriber({ linger: 0 });
    const pull = new zmq.Pull({ linger: 0 });
    try {
      // Whatever we receive was stamped after we connected and before it arrived.
      const connected = Date.now();
      sub.connect(`tcp://127.0.0.1:${streams.statePort}`);
      sub.subscribe('');
      pull.connect(`tcp://127.0.0.1:${streams.imagePort}`);
      const [, stateJson] = await sub.receive();
      const state = JSON.parse(stateJson.toString()) as { frame_time: number };
      assertLead(state.frame_time * 1000, { sent: connected, received: Date.now() }, OFFSET_MS);
      const [metaJson] = await pull.receive();
      const meta = JSON.parse(metaJson.toString()) as { timestamp: number };
      // Image timestamps come from the monotonic clock, which may differ from Date.now() by a few ms.
      assertLead(meta.timestamp * 1000, { sent: connected - 5, received: Date.now() + 5 }, OFFSET_MS);
    } finally {
      sub.close();
      pull.close();
    }
  });
});

describe('motif simulator: io/log kept per recording', function () {
  let sim: MotifSimulator;
  let client: MotifClient;

  beforeEach(async () => {
    sim = await startSimulator({
      streams: { enabled: false },
      clockOffsetMs: OFFSET_MS,
      clockDriftPpm: DRIFT_PPM,
    });
    client = clientFor(sim);
  });
  afterEach(async () => {
    await client.close();
    await closeAgent(sim);
    await sim.close();
  });

  it('records io/log with frame number and simulated time into the recording, readable over the API', async () => {
    // While FAKE0 is only pending, io/log reaches no recording.
    await client.call('camera/<serial>/recording/start', { serial: 'FAKE0' }, { filename: 'marked' });
    await client.call('camera/<serial>/io/log', { serial: 'FAKE0' }, { early: true });
    const { filename, started } = await recordingOf(client, 'FAKE0');

    const first = await raw(sim, 'POST', '/api/1/camera/FAKE0/io/log', {
      body: { experiment: 'e1', mark: 'start' },
    });
    assert.equal(first.status, 200);
    const second = await raw(sim, 'POST', '/api/1/io/log', { body: { experiment: 'e1', mark: 'stop' } });
    // FAKE1 is not recording: what is logged to it alone lands in no recording.
    await client.call('camera/<serial>/io/log', { serial: 'FAKE1' }, { other: 1 });

    const live = await raw(sim, 'GET', `/api/1/_sim/recordings/${filename}/extra_data`);
    assert.equal(live.status, 200);
    assert.equal((live.body as SimExtraData).recording, true, 'readable while recording');
    await client.call('camera/<serial>/recording/stop', { serial: 'FAKE0' });

    const read = await raw(sim, 'GET', `/api/1/_sim/recordings/${filename}/extra_data`);
    assert.equal(read.status, 200);
    const data = read.body as SimExtraData;
    assert.equal(data.filename, filename);
    assert.equal(data.serial, 'FAKE0');
    assert.equal(data.recording, false);
    assert.deepEqual(
      data.extra_data.map((e) => e.values),
      [
        { experiment: 'e1', mark: 'start' },
        { experiment: 'e1', mark: 'stop' },
      ],
    );
    const fps = 150; // the camera's default AcquisitionFrameRate
    data.extra_data.forEach((entry, i) => {
      const a = i === 0 ? first : second;
      assertLead(entry.time * 1000, a, OFFSET_MS);
      assert.equal(entry.frame_number, Math.floor((entry.time - started) * fps), 'frame number at that time');
    });
    assert.ok(data.extra_data[1].frame_number >= data.extra_data[0].frame_number);
    // The same from code, and a copy: changing it changes nothing in the simulator.
    const fromCode = sim.extraData(filename);
    assert.deepEqual(fromCode, data);
    fromCode.extra_data.length = 0;
    assert.equal(sim.extraData(filename).extra_data.length, 2);
  });

  it('the plain io/log reaches every recording camera, each with its own frame number', async () => {
    await client.call('recording/start', {}, { filename: 'both' });
    const a = await recordingOf(client, 'FAKE0');
    const b = await recordingOf(client, 'FAKE1');
    await client.call('io/log', {}, { mark: 'm1' });
    await client.call('recording/stop');
    for (const rec of [a, b]) {
      const data = sim.extraData(rec.filename);
      assert.equal(data.extra_data.length, 1);
      assert.deepEqual(data.extra_data[0].values, { mark: 'm1' });
      assert.equal(
        data.extra_data[0].frame_number,
        Math.floor((data.extra_data[0].time - rec.started) * 150),
      );
    }
  });

  it('the extra_data route wants the API key and answers 404 for an unknown recording', async () => {
    const refused = await raw(sim, 'GET', '/api/1/_sim/recordings/x/extra_data', { key: null });
    assert.equal(refused.status, 401);
    const missing = await raw(sim, 'GET', '/api/1/_sim/recordings/nope/extra_data');
    assert.equal(missing.status, 404);
    assert.match((missing.body as { error: string }).error, /recording nope not found/);
    assert.match((await rejection(async () => sim.extraData('nope'))).message, /not found/);
    const wrongMethod = await raw(sim, 'POST', '/api/1/_sim/recordings/x/extra_data');
    assert.equal(wrongMethod.status, 405);
  });
});

describe('motif simulator: clock options on the command line', function () {
  it('--clock-offset-ms and --clock-drift-ppm set the clock; bad values are usage errors', async () => {
    const [handle] = await startSimulators(['motif'], {
      port: '0',
      streams: 'off',
      'clock-offset-ms': '-800',
      'clock-drift-ppm': '50',
    });
    assert.equal(handle.info.clock, 'offset -800 ms, drift 50 ppm (from real time at start)');
    const url = new URL(handle.endpoints.api);
    const client = new MotifClient({
      host: url.hostname,
      port: Number(url.port),
      apiKey: handle.info['api key'],
      tls: { mode: 'fingerprint', fingerprint: handle.info['certificate sha-256 fingerprint'] },
    });
    try {
      const sent = Date.now();
      const now = ((await client.call('schedule')) as { now: number }).now * 1000;
      assertLead(now, { sent, received: Date.now() }, -800);
    } finally {
      await client.close();
      await handle.close();
    }
    for (const [name, value] of [
      ['clock-offset-ms', 'soon'],
      ['clock-offset-ms', '1e13'],
      ['clock-drift-ppm', '-1000000'],
      ['clock-drift-ppm', ''],
    ]) {
      const err = await rejection(() =>
        startSimulators(['motif'], { port: '0', streams: 'off', [name]: value }),
      );
      assert.ok(err instanceof UsageError, `${name} ${value}: ${err.message}`);
      assert.match(err.message, new RegExp(`invalid --${name}`));
    }
  });
});
