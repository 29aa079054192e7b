/**
 * The simulator executes its stored tasks with the cron engine, on a clock the test drives: the
 * tasks are created over real HTTPS, time is advanced by hand, results are read back over the API.
 */
import assert from 'node:assert/strict';
import type { MotifClient } from '../../src/backends/motif/client';
import type { MotifSimulator } from '../../src/simulators/motif';
import { ManualClock } from '../schedule/manual-clock';
import { clientFor, startSimulator } from './helpers';

const START = Date.UTC(2026, 0, 5, 8, 59, 50); // a Monday, 10 s before 09:00 UTC

interface CameraStatus {
  camera_info: { status: string; started: number | null };
  playback_info: { status: string };
}

describe('motif simulator: executing scheduled tasks', function () {
  let sim: MotifSimulator;
  let client: MotifClient;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(START);
    sim = await startSimulator({ clock, cameras: ['FAKE0', 'FAKE1'] });
    client = clientFor(sim);
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  const status = async (serial: string): Promise<CameraStatus> =>
    (await client.cameraStatus(serial)) as unknown as CameraStatus;
  const led = async (serial: string): Promise<number> => {
    const answer = (await client.call('camera/<serial>/io/read', { serial })) as { outputs: { led: number } };
    return answer.outputs.led;
  };

  it('reports the driven clock as schedule.now', async () => {
    const first = (await client.call('schedule')) as { now: number };
    assert.equal(first.now, START / 1000);
    clock.advance(90_000);
    const second = (await client.call('schedule')) as { now: number };
    assert.equal(second.now, START / 1000 + 90);
  });

  it('starts a scheduled recording at its time and stops it after its duration', async () => {
    await client.call(
      'schedule/camera/<serial>/recording/start',
      { serial: 'FAKE0' },
      { task_name: 'nine', cron_expression: '0 0 9 * * *', duration: 60 },
    );
    assert.equal(sim.nextTaskFiring('nine'), Date.UTC(2026, 0, 5, 9, 0, 0));
    clock.advance(9_000);
    assert.equal((await status('FAKE0')).camera_info.status, 'idle', 'not before 09:00');
    clock.advance(1_000 + 30); // 09:00 plus the pending time
    const recording = await status('FAKE0');
    assert.equal(recording.camera_info.status, 'recording');
    assert.equal((await status('FAKE1')).camera_info.status, 'idle', 'only the task camera');
    clock.advance(60_000);
    assert.equal((await status('FAKE0')).camera_info.status, 'idle', 'stopped after the duration');
    assert.deepEqual(
      sim.taskRuns.map((r) => [r.task_name, r.ok, r.scheduled]),
      [['nine', true, Date.UTC(2026, 0, 5, 9) / 1000]],
    );
  });

  it('toggles an output every 2 s relative to the recording start, and only while recording', async () => {
    await client.call(
      'schedule/camera/<serial>/io/<name>/set',
      { serial: 'FAKE0', name: 'led' },
      { task_name: 'toggle', cron_expression: '%2 * * ? * * *', camera_relative: true, value: Infinity },
    );
    assert.equal(sim.nextTaskFiring('toggle'), null, 'not armed without a recording');
    await client.call('camera/<serial>/recording/start', { serial: 'FAKE0' });
    clock.advance(30); // pending → recording at START + 30 ms
    assert.equal(sim.nextTaskFiring('toggle'), START + 30 + 2000);
    clock.advance(2000);
    assert.equal(await led('FAKE0'), 1, '+inf switches to maximum first');
    clock.advance(2000);
    assert.equal(await led('FAKE0'), 0, 'then toggles');
    clock.advance(2000);
    assert.equal(await led('FAKE0'), 1);
    await client.call('camera/<serial>/recording/stop', { serial: 'FAKE0' });
    clock.advance(10_000);
    assert.equal(await led('FAKE0'), 1, 'no toggling after the recording stopped');
    assert.equal(sim.taskRuns.length, 3);
  });

  it('runs a scheduled copy of all cameras and a scheduled configure', async () => {
    await client.call('recording/start', {}, { duration: 5 });
    clock.advance(30 + 5000);
    await client.call(
      'schedule/recordings/copy_all',
      {},
      { task_name: 'copy', cron_expression: '0 0 9 * * *' },
    );
    await client.call(
      'schedule/cameras/configure/<name>',
      { name: 'Gain' },
      { task_name: 'gain', cron_expression: '0 0 9 * * *', value: 3 },
    );
    clock.advance(5000);
    assert.equal((await status('FAKE0')).playback_info.status, 'copying');
    clock.advance(80);
    const recordings = (await client.call('recordings')) as { recordings: Array<{ copied: boolean }> };
    assert.equal(recordings.recordings.length, 2);
    assert.ok(recordings.recordings.every((r) => r.copied));
    const gain = (await client.call('cameras/read/<name>', { name: 'Gain' })) as {
      values: Record<string, number>;
    };
    assert.deepEqual(gain.values, { FAKE0: 3, FAKE1: 3 });
  });

  it('forgets a deleted task and logs a failing run without stopping', async () => {
    await client.call('schedule/recording/start', {}, { task_name: 'a', cron_expression: '*/5 * * * * *' });
    await client.call(
      'schedule/io/<name>/set',
      { name: 'led' },
      { task_name: 'b', cron_expression: '*/5 * * * * *', value: 1 },
    );
    clock.advance(5_000); // 08:59:55: both fire
    clock.advance(5_000); // second start fails: already recording
    await client.call('schedule/<task_name>/clear', { task_name: 'a' });
    clock.advance(20_000);
    const runsOfA = sim.taskRuns.filter((r) => r.task_name === 'a');
    assert.deepEqual(
      runsOfA.map((r) => r.ok),
      [true, false],
    );
    assert.match(String(runsOfA[1].result), /already recording/);
    assert.equal(sim.taskRuns.filter((r) => r.task_name === 'b').length, 6);
  });
});
