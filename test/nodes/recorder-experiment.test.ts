/**
 * recorder-experiment inside a real Node-RED runtime, against the motif, Aivero and RemotiveLabs
 * simulators over real sockets: arm and release, markers in the motif recordings, clocks measured
 * within their stated uncertainty, the manifest, failures, repeats and close.
 */
import assert from 'node:assert/strict';
import { clientFor } from '../motif/helpers';
import { helper } from '../support/node-red';
import { collect, nextMessage, waitFor, type Message } from '../support/flow';
import { CITY, experimentNode, load, startSims, stopSims, type Sims } from './recorder-experiment-helpers';

type Manifest = {
  experiment: { id: string; name: string };
  state: string;
  startedAt: string;
  stoppedAt: string;
  spreadMs: number;
  systems: Array<
    Record<string, unknown> & {
      kind: string;
      status: string;
      clock: {
        offsetMs: number | null;
        uncertaintyMs: number | null;
        measurements: unknown[];
        driftPpm: number | null;
      };
      problems: string[];
    }
  >;
  marks: Array<{ label: string; systems: Array<Record<string, unknown>> }>;
  problems: string[];
};

/**
 * The true offset of a system's clock at local time `atMs`: motif and Aivero as their simulators'
 * clocks say; for RemotiveLabs the node measures the playback's lag against the wall clock, which
 * its clock's drift moves (the offset does not move playback): at most 50 ppm of the run, < 1 ms.
 */
function trueOffset(sims: Sims, kind: string, atMs: number): number {
  if (kind === 'motif') return sims.motif.clock.at(atMs) - atMs;
  if (kind === 'aivero') return sims.aivero.clock.at(atMs) - atMs;
  return 0;
}

/** The RemotiveLabs truth is 0 within the drift over a run (50 ppm of a few seconds). */
const REMOTIVE_DRIFT_MS = 0.5;

function send(node: { receive(msg: unknown): void }, msg: Message): void {
  node.receive(msg);
}

describe('recorder-experiment in Node-RED', function () {
  this.timeout(30_000);
  let sims: Sims;

  before(async () => {
    sims = await startSims();
  });
  after(async () => {
    await stopSims(sims);
  });
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    // Leave the simulators idle for the next test.
    for (const camera of sims.motif.state.cameras.values()) {
      camera.connected = true;
      if (camera.recording.status !== 'idle')
        await fetchMotif(sims, `camera/${camera.serial}/recording/stop`).catch(() => undefined);
    }
  });

  it('arms, starts all together, marks, stops and sends a complete manifest', async () => {
    const { exp, manifest, answers, caught } = await load(sims, experimentNode());
    const errors = collect(caught);
    let answer = nextMessage(answers, 15_000);
    send(exp, { action: 'start' });
    const started = await answer;
    const info = started.experiment as { state: string; id: string; spreadMs: number };
    assert.equal(info.state, 'running', JSON.stringify(started.payload));
    const id = info.id;
    assert.match(id, /^\d{8}-\d{6}-[0-9a-f]{4}$/);
    assert.ok(info.spreadMs >= 0);

    // Every camera records, with the experiment id in its metadata; the playback plays.
    for (const serial of ['FAKE0', 'FAKE1']) {
      const camera = sims.motif.state.cameras.get(serial);
      assert.equal(camera?.recording.metadata.experiment, id);
    }
    assert.equal(sims.remotive.state.sessions.find((s) => s.path === CITY)?.mode, 'PLAYBACK_PLAYING');

    for (const label of ['stimulus on', 'stimulus off']) {
      answer = nextMessage(answers);
      send(exp, { action: 'mark', label });
      const marked = await answer;
      assert.equal((marked.payload as { label: string }).label, label);
    }

    const final = nextMessage(manifest, 15_000);
    answer = nextMessage(answers, 15_000);
    send(exp, { payload: 'stop' });
    const m = (await final).payload as Manifest;
    const stopAnswer = await answer;
    assert.deepEqual(stopAnswer.payload, m);
    assert.deepEqual(errors, []);

    assert.equal(m.state, 'stopped');
    assert.deepEqual(m.experiment, { id, name: 'trial' });
    assert.ok(Date.parse(m.stoppedAt) >= Date.parse(m.startedAt));
    assert.deepEqual(
      m.systems.map((s) => [s.kind, s.status]),
      [
        ['motif', 'stopped'],
        ['aivero', 'stopped'],
        ['remotive', 'stopped'],
      ],
    );
    const [motif, aivero, remotive] = m.systems;
    assert.deepEqual(
      (motif.cameras as Array<{ serial: string; filename?: string }>).map((c) => c.serial),
      ['FAKE0', 'FAKE1'],
    );
    assert.ok((motif.cameras as Array<{ filename?: string }>).every((c) => typeof c.filename === 'string'));
    assert.match(String(aivero.sessionName), new RegExp(`^rgbd ${id}$`));
    const rows = (await sims.aivero.query(
      'SELECT name, state::text AS state FROM recording_sessions WHERE id = $1',
      [aivero.sessionId],
    )) as Array<{ name: string; state: string }>;
    assert.deepEqual(rows, [{ name: `rgbd ${id}`, state: 'Stopped' }]);
    assert.equal(remotive.path, CITY);
    assert.equal(remotive.startOffsetUs, 2_000_000);
    assert.ok(Number(remotive.stopOffsetUs) > 2_000_000);
    for (const system of m.systems) {
      assert.ok(system.start && system.stop, `${system.kind} has start and stop acknowledgements`);
      assert.deepEqual(system.problems, []);
    }

    // Clocks: each measured offset within its stated uncertainty of the simulator's true offset.
    for (const system of m.systems) {
      const measurements = system.clock.measurements as Array<{
        at: string;
        offsetMs: number;
        uncertaintyMs: number;
      }>;
      assert.ok(measurements.length >= 1, `${system.kind} clock measured`);
      for (const one of measurements) {
        const truth = trueOffset(sims, system.kind, Date.parse(one.at));
        assert.ok(
          Math.abs(one.offsetMs - truth) <= one.uncertaintyMs + REMOTIVE_DRIFT_MS,
          `${system.kind}: ${one.offsetMs} ± ${one.uncertaintyMs} ms vs ${truth}`,
        );
      }
    }
    assert.ok(Math.abs(Number(m.systems[0].clock.offsetMs) - 2500) < 5, 'motif is 2.5 s ahead');
    assert.ok(Math.abs(Number(m.systems[1].clock.offsetMs) + 800) < 500, 'Aivero is 0.8 s behind');
    assert.ok(
      m.systems[1].clock.uncertaintyMs !== null && m.systems[1].clock.uncertaintyMs < 500,
      'Date header narrowed',
    );

    // Marks: the manifest has them with what each system wrote or read …
    assert.deepEqual(
      m.marks.map((k) => k.label),
      ['stimulus on', 'stimulus off'],
    );
    for (const mark of m.marks) {
      const bySystem = new Map(mark.systems.map((s) => [s.kind, s]));
      assert.ok(Number(bySystem.get('remotive')?.offsetUs) >= 2_000_000);
      const cams = bySystem.get('motif')?.cameras as Record<string, { frame_number: unknown }>;
      assert.deepEqual(Object.keys(cams).sort(), ['FAKE0', 'FAKE1']);
    }
    // … and every motif recording has the markers at start, each mark and stop, with frame numbers.
    for (const camera of motif.cameras as Array<{ serial: string; filename: string }>) {
      const stored = sims.motif.extraData(camera.filename);
      assert.equal(stored.serial, camera.serial);
      const markers = stored.extra_data.filter((e) => e.values.experiment === id);
      assert.deepEqual(
        markers.map((e) => e.values.label),
        ['start', 'stimulus on', 'stimulus off', 'stop'],
      );
      assert.ok(markers.every((e) => typeof e.frame_number === 'number'));
    }
  });

  it('does not start or stop anything twice', async () => {
    const { exp, manifest, answers } = await load(sims, experimentNode());
    const replies = collect(answers);
    const manifests = collect(manifest);
    const starts = (): number =>
      sims.motif.requests.filter((r) => r.path.endsWith('/recording/start')).length;
    const before = starts();
    const stopsNow = (): number =>
      sims.motif.requests.filter((r) => r.path.endsWith('/recording/stop')).length;
    const stopsBefore = stopsNow();
    send(exp, { action: 'start' });
    send(exp, { action: 'start' });
    await waitFor(() => (replies.length >= 2 ? true : undefined), 15_000);
    assert.equal(starts() - before, 2, 'one start per camera');
    assert.deepEqual(
      replies.map((r) => (r.experiment as { already?: boolean }).already ?? false),
      [false, true],
    );
    send(exp, { action: 'stop' });
    send(exp, { action: 'stop' });
    await waitFor(() => (replies.length >= 4 ? true : undefined), 15_000);
    assert.equal(stopsNow() - stopsBefore, 2, 'one stop per camera');
    assert.equal((replies[3].experiment as { already?: boolean }).already, true);
    assert.equal(manifests.length, 1, 'one manifest');
    assert.deepEqual(replies[3].payload, manifests[0].payload);
  });

  it('a participant that fails to start stops the others, and the start message fails', async () => {
    const { exp, manifest, caught } = await load(sims, experimentNode());
    const camera = sims.motif.state.cameras.get('FAKE1');
    if (camera) camera.connected = false;
    const failed = nextMessage(manifest, 15_000);
    const error = nextMessage(caught, 15_000);
    send(exp, { action: 'start', tag: 'original' });
    const m = (await failed).payload as Manifest;
    const err = await error;
    assert.equal(err.tag, 'original');
    assert.match(String((err.error as { message: string }).message), /did not start/);
    assert.equal(m.state, 'failed');
    assert.ok(
      m.problems.some((p) => /stopped the others/.test(p)),
      m.problems.join('; '),
    );
    assert.equal(sims.motif.state.cameras.get('FAKE0')?.recording.status, 'idle');
    const aivero = m.systems.find((s) => s.kind === 'aivero');
    const rows = (await sims.aivero.query(
      'SELECT state::text AS state FROM recording_sessions WHERE id = $1',
      [aivero?.sessionId],
    )) as Array<{ state: string }>;
    assert.equal(rows[0]?.state, 'Stopped');
    const playback = sims.remotive.state.sessions.find((s) => s.path === CITY);
    assert.notEqual(playback?.mode, 'PLAYBACK_PLAYING');
  });

  it('with "continue", goes on without the participant and says so', async () => {
    const { exp, answers } = await load(sims, experimentNode({ onFailure: 'continue' }));
    const camera = sims.motif.state.cameras.get('FAKE1');
    if (camera) camera.connected = false;
    const answer = nextMessage(answers, 15_000);
    send(exp, { action: 'start' });
    const m = (await answer).payload as Manifest;
    assert.equal(m.state, 'running');
    assert.equal(m.systems[0].status, 'left out');
    assert.equal(m.systems[1].status, 'recording');
    assert.ok(m.problems.some((p) => /continued without them/.test(p)));
  });

  it('Node-RED stopping mid-experiment stops what it started and passes on the manifest', async () => {
    const { exp, answers } = await load(sims, experimentNode());
    const answer = nextMessage(answers, 15_000);
    send(exp, { action: 'start' });
    await answer;
    assert.equal(sims.motif.state.cameras.get('FAKE0')?.recording.status, 'recording');
    await helper.unload();
    assert.equal(sims.motif.state.cameras.get('FAKE0')?.recording.status, 'idle');
    assert.notEqual(sims.remotive.state.sessions.find((s) => s.path === CITY)?.mode, 'PLAYBACK_PLAYING');
  });

  it('leaves the systems running on close when chosen', async () => {
    const { exp, answers } = await load(sims, experimentNode({ onClose: 'leave' }));
    const answer = nextMessage(answers, 15_000);
    send(exp, { action: 'start' });
    await answer;
    await helper.unload();
    assert.equal(sims.motif.state.cameras.get('FAKE0')?.recording.status, 'recording');
  });

  it('answers a wrong message and a mark without an experiment with a catchable error', async () => {
    const { exp, caught } = await load(sims, experimentNode());
    let error = nextMessage(caught);
    send(exp, { action: 'jump', tag: 1 });
    assert.equal((await error).tag, 1);
    error = nextMessage(caught);
    send(exp, { action: 'mark', tag: 2 });
    const e = await error;
    assert.equal(e.tag, 2);
    assert.match(String((e.error as { message: string }).message), /no experiment is running/);
  });
});

async function fetchMotif(sims: Sims, path: string): Promise<void> {
  const client = clientFor(sims.motif);
  try {
    await client.call('camera/<serial>/recording/stop', { serial: path.split('/')[1] });
  } finally {
    await client.close();
  }
}
