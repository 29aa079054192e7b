import assert from 'node:assert/strict';
import { ApiError, ClosedError, InputError } from '../../src/common/errors';
import type { PlaybackStatus } from '../../src/backends/remotive';
import { CITY, delay, rejection, startRig, waitFor, type Rig } from './helpers';

const HIGHWAY = 'drive/highway.recordingsession.yaml';

describe('remotive: recording-session playback against the simulator', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => rig.close());

  it('reads the licence as VALID', async () => {
    const licence = await rig.client.licence();
    assert.equal(licence.status, 'VALID');
    assert.equal(licence.valid, true);
    assert.equal(licence.expires, '2099-12-31');
  });

  it('lists files at the root, in a folder and recursively', async () => {
    const root = await rig.client.listFiles();
    assert.deepEqual(root.map((f) => [f.path, f.type]).sort(), [
      ['databases', 'folder'],
      ['drive', 'folder'],
    ]);
    const drive = await rig.client.listFiles('drive');
    const city = drive.find((f) => f.path === CITY);
    assert.ok(city, 'the city loop is listed');
    assert.equal(city.type, 'recording-session');
    assert.equal(city.size, 412);
    assert.equal(city.createdTime.toISOString(), '2025-01-01T00:00:00.000Z');
    const all = await rig.client.listFiles('', { recursive: true });
    assert.ok(all.some((f) => f.path === 'drive/raw/city-loop-chassis.candump' && f.type === 'recording'));
    assert.ok(all.some((f) => f.path === 'databases/chassis.dbc' && f.type === 'signal-database'));
    assert.equal(new Set(all.map((f) => f.path)).size, all.length, 'no file listed twice');
  });

  it('lists an unknown folder as a NOT_FOUND ApiError', async () => {
    const err = await rejection(rig.client.listFiles('nowhere'));
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 5);
    assert.match(err.message, /no folder "nowhere"/);
  });

  it('opens paused at 0, plays, pauses, seeks and closes', async () => {
    assert.deepEqual(await rig.client.open(CITY), { path: CITY, mode: 'paused', offsetUs: 0 });
    const playing = await rig.client.play(CITY);
    assert.equal(playing.mode, 'playing');
    await delay(150);
    const paused = await rig.client.pause(CITY);
    assert.equal(paused.mode, 'paused');
    assert.ok(
      paused.offsetUs >= 100_000 && paused.offsetUs < 1_000_000,
      `moved with the clock: ${paused.offsetUs}`,
    );
    await delay(100);
    assert.equal(rig.sim.state.sessions[0].offsetUs, paused.offsetUs, 'a paused clock stands still');
    const sought = await rig.client.seek(CITY, 30_000_000);
    assert.deepEqual(sought, { path: CITY, mode: 'paused', offsetUs: 30_000_000 });
    await rig.client.play(CITY);
    const soughtPlaying = await rig.client.seek(CITY, 10_000_000);
    assert.equal(soughtPlaying.mode, 'playing', 'seek keeps playing');
    assert.ok(soughtPlaying.offsetUs >= 10_000_000 && soughtPlaying.offsetUs < 10_500_000);
    const pausedAt = await rig.client.pause(CITY, 42_000_000);
    assert.deepEqual(pausedAt, { path: CITY, mode: 'paused', offsetUs: 42_000_000 });
    const closed = await rig.client.close(CITY);
    assert.deepEqual(closed, { path: CITY, mode: 'closed', offsetUs: 42_000_000 });
    assert.deepEqual(rig.sim.state.sessions, []);
  });

  it('keeps presence: play without offset continues, play with offset 0 restarts', async () => {
    await rig.client.open(CITY);
    await rig.client.seek(CITY, 5_000_000);
    const continued = await rig.client.play(CITY);
    assert.ok(
      continued.offsetUs >= 5_000_000 && continued.offsetUs < 5_500_000,
      `continued at ${continued.offsetUs}`,
    );
    await rig.client.pause(CITY);
    const restarted = await rig.client.play(CITY, 0);
    assert.ok(restarted.offsetUs < 500_000, `restarted at ${restarted.offsetUs}`);
    const plays = rig.sim.state.received.filter((c) => c.rpc === 'PlaybackPlay').map((c) => c.request);
    assert.equal(plays.length, 2);
    assert.equal('offset' in plays[0], false, 'no offset on the wire for a plain play');
    assert.equal(plays[1].offset, '0', 'offset 0 is sent');
    const pauses = rig.sim.state.received.filter((c) => c.rpc === 'PlaybackPause').map((c) => c.request);
    assert.equal('offset' in pauses[0], false);
  });

  it('reopens with force and refuses a second open without it', async () => {
    await rig.client.open(CITY);
    await rig.client.seek(CITY, 20_000_000);
    const err = await rejection(rig.client.open(CITY));
    assert.ok(err instanceof ApiError, `got ${err.name}`);
    assert.equal(err.status, 6, 'ALREADY_EXISTS');
    assert.match(err.message, /already open.*force/);
    assert.equal(
      err.serverMessage,
      `recording session "${CITY}" is already open; close it first or open it with force`,
    );
    const reopened = await rig.client.open(CITY, { force: true });
    assert.deepEqual(reopened, { path: CITY, mode: 'paused', offsetUs: 0 });
    const opens = rig.sim.state.received.filter((c) => c.rpc === 'PlaybackOpen').map((c) => c.request.force);
    assert.deepEqual(opens, [false, false, true]);
  });

  it('reports unknown paths, sessions not open and bad offsets as typed errors', async () => {
    const unknown = await rejection(rig.client.open('drive/nope.recordingsession.yaml'));
    assert.ok(unknown instanceof ApiError);
    assert.equal(unknown.status, 5);
    assert.match(
      unknown.message,
      /open "drive\/nope.recordingsession.yaml" failed: no recording session file/,
    );

    const notOpen = await rejection(rig.client.play(CITY));
    assert.ok(notOpen instanceof ApiError);
    assert.equal(notOpen.status, 9, 'FAILED_PRECONDITION');
    assert.match(notOpen.message, /is not open; open it first/);

    await rig.client.open(CITY);
    const past = await rejection(rig.client.seek(CITY, 61_000_000));
    assert.ok(past instanceof ApiError);
    assert.equal(past.status, 3, 'INVALID_ARGUMENT');
    assert.match(past.message, /past the end/);

    const negative = await rejection(rig.client.seek(CITY, -1));
    assert.ok(negative instanceof InputError, 'negative offsets never reach the broker');
    const fractional = await rejection(rig.client.play(CITY, 1.5));
    assert.ok(fractional instanceof InputError);
    const noPath = await rejection(rig.client.open(''));
    assert.ok(noPath instanceof InputError);
    assert.equal(rig.sim.state.received.filter((c) => c.rpc === 'PlaybackSeek').length, 1);
  });

  it('sets, reports and removes repeat ranges, and loops inside them', async () => {
    await rig.sim.close();
    await rig.client.close();
    rig = await startRig({ speed: 20 });
    await rig.client.open(CITY);
    const whole = await rig.client.repeat(CITY, { startUs: 0 });
    assert.deepEqual(whole.repeat, { startUs: 0, endUs: 60_000_000 }, 'a missing end is the file end');
    const repeats = rig.sim.state.received.filter((c) => c.rpc === 'PlaybackRepeat').map((c) => c.request);
    assert.equal(repeats[0].startOffset, '0');
    assert.equal('endOffset' in repeats[0], false);

    const ranged = await rig.client.repeat(CITY, { startUs: 2_000_000, endUs: 4_000_000 });
    assert.deepEqual(ranged.repeat, { startUs: 2_000_000, endUs: 4_000_000 });
    assert.equal(ranged.offsetUs, 2_000_000, 'a cursor outside the range jumps to its start');
    await rig.client.play(CITY);
    // At 20× speed two seconds of recording pass in 100 ms: several loops within 400 ms.
    const seen: number[] = [];
    const until = Date.now() + 400;
    while (Date.now() < until) {
      seen.push(rig.sim.state.sessions[0].offsetUs);
      await delay(15);
    }
    assert.ok(
      seen.every((o) => o >= 2_000_000 && o < 4_000_000),
      `stays in range: ${seen.join(',')}`,
    );
    assert.ok(
      seen.some((o, i) => i > 0 && o < seen[i - 1]),
      'wrapped around at least once',
    );

    const off = await rig.client.repeat(CITY);
    assert.equal(off.repeat, undefined);
    const cleared = rig.sim.state.received.filter((c) => c.rpc === 'PlaybackRepeat').at(-1)?.request ?? {};
    assert.equal('startOffset' in cleared || 'endOffset' in cleared, false, 'both absent on the wire');

    const inverted = await rejection(rig.client.repeat(CITY, { startUs: 5_000_000, endUs: 1_000_000 }));
    assert.ok(inverted instanceof ApiError);
    assert.match(inverted.message, /must be before its end/);
  });

  it('pauses at the end of the file and restarts on the next play', async () => {
    await rig.sim.close();
    await rig.client.close();
    rig = await startRig({ speed: 50 });
    await rig.client.open(CITY);
    await rig.client.play(CITY, 59_000_000);
    const ended = await waitFor('the end of the file', () => {
      const s = rig.sim.state.sessions[0];
      return s.mode === 'PLAYBACK_PAUSED' ? s : undefined;
    });
    assert.equal(ended.offsetUs, 60_000_000);
    const again = await rig.client.play(CITY);
    assert.equal(again.mode, 'playing');
    assert.ok(again.offsetUs < 2_000_000, `restarted from the beginning: ${again.offsetUs}`);
  });

  it('plays several sessions at once, keyed by path', async () => {
    await rig.client.open(CITY);
    await rig.client.open(`./${HIGHWAY}`);
    await rig.client.play(HIGHWAY, 1_000_000);
    const paths = rig.sim.state.sessions.map((s) => [s.path, s.mode]).sort();
    assert.deepEqual(paths, [
      [CITY, 'PLAYBACK_PAUSED'],
      [HIGHWAY, 'PLAYBACK_PLAYING'],
    ]);
    await rig.client.close(CITY);
    assert.deepEqual(
      rig.sim.state.sessions.map((s) => s.path),
      [HIGHWAY],
    );
  });

  it('streams playback status: the current list at once, a push on every change, periodic while playing', async () => {
    const messages: PlaybackStatus[][] = [];
    const states: string[] = [];
    const watch = rig.client.watchPlayback(
      (items) => messages.push(items),
      (state) => states.push(state),
    );
    try {
      await waitFor('the initial status', () => messages.length >= 1);
      assert.deepEqual(messages[0], [], 'nothing open yet');
      assert.deepEqual(states, ['open']);
      await rig.client.open(CITY);
      await waitFor('the open push', () => messages.some((m) => m.length === 1 && m[0].mode === 'paused'));
      await rig.client.repeat(CITY, { startUs: 0, endUs: 30_000_000 });
      await waitFor('the repeat push', () => messages.some((m) => m[0]?.repeat?.endUs === 30_000_000));
      await rig.client.play(CITY);
      const before = messages.length;
      // No command is sent now: further messages can only be the periodic pushes (every 100 ms).
      const periodic = await waitFor(
        'three periodic pushes',
        () => {
          const playing = messages.slice(before).filter((m) => m[0]?.mode === 'playing');
          return playing.length >= 4 ? playing : undefined;
        },
        2000,
      );
      const offsets = periodic.map((m) => m[0].offsetUs);
      assert.ok(
        offsets.every((o, i) => i === 0 || o >= offsets[i - 1]),
        'offsets grow',
      );
      await rig.client.close(CITY);
      await waitFor('the close push', () => messages.at(-1)?.length === 0);
    } finally {
      watch.cancel();
    }
    await waitFor('the stream to end on the broker', () => rig.sim.state.statusStreams === 0);
  });

  it('rejects calls after the client is closed', async () => {
    await rig.client.close();
    const err = await rejection(rig.client.licence());
    assert.ok(err instanceof ClosedError);
    assert.throws(() => rig.client.watchPlayback(() => undefined), ClosedError);
  });

  it('cancels a call when its AbortSignal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await rejection(rig.client.licence({ signal: controller.signal }));
    assert.ok(err instanceof ClosedError);
    assert.match(err.message, /aborted/);
  });
});
