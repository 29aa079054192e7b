/**
 * Every motif operation once, through the real client against the simulator over HTTPS, checking
 * both the answer and the simulator state it changed.
 */
import assert from 'node:assert/strict';
import type { MotifClient } from '../../src/backends/motif/client';
import { endpointPath, findEndpoint, MOTIF_ENDPOINTS } from '../../src/backends/motif/endpoints';
import type { MotifSimulator } from '../../src/simulators/motif';
import { clientFor, delay, startSimulator } from './helpers';

interface Case {
  id: string;
  params?: Record<string, string>;
  body?: Record<string, unknown>;
  check(answer: Record<string, unknown>, sim: MotifSimulator, client: MotifClient): void | Promise<void>;
}

const cam = (sim: MotifSimulator, serial = 'FAKE0') => {
  const camera = sim.state.cameras.get(serial);
  assert.ok(camera, serial);
  return camera;
};

const CASES: Case[] = [
  { id: 'version', check: (a) => assert.equal(typeof a.software, 'string') },
  {
    id: 'cameras',
    check: (a) =>
      assert.deepEqual(
        (a.cameras as Array<{ serial: string }>).map((c) => c.serial),
        ['FAKE0', 'FAKE1'],
      ),
  },
  {
    id: 'cameras/configure',
    body: { AcquisitionFrameRate: 50.0, Gain: 2 },
    check: (_a, sim) => {
      assert.equal(cam(sim, 'FAKE0').parameters.AcquisitionFrameRate, 50);
      assert.equal(cam(sim, 'FAKE1').parameters.Gain, 2);
    },
  },
  {
    id: 'cameras/read/<name>',
    params: { name: 'AcquisitionFrameRate' },
    check: (a) => assert.deepEqual(a.values, { FAKE0: 50, FAKE1: 50 }),
  },
  {
    id: 'camera/<serial>',
    params: { serial: 'FAKE1' },
    check: (a) => {
      const info = a.camera_info as Record<string, unknown>;
      assert.equal(info.status, 'idle');
      assert.equal(info.filename, null);
      // Realtime streams are on by default, advertised on 0.0.0.0 (vendor documentation).
      const stream = info.stream as Record<string, { host: string; port: number }>;
      assert.deepEqual(Object.keys(stream).sort(), ['image', 'state']);
      assert.equal(stream.image.host, '0.0.0.0');
      assert.equal((a.playback_info as Record<string, unknown>).status, 'idle');
    },
  },
  {
    id: 'camera/<serial>/configure',
    params: { serial: 'FAKE0' },
    body: { ExposureTime: 10000.0 },
    check: (_a, sim) => {
      assert.equal(cam(sim, 'FAKE0').parameters.ExposureTime, 10000);
      assert.equal(cam(sim, 'FAKE1').parameters.ExposureTime, 20000);
    },
  },
  {
    id: 'camera/<serial>/read/<name>',
    params: { serial: 'FAKE1', name: 'ExposureTime' },
    check: (a) => assert.equal(a.value, 20000),
  },
  {
    id: 'camera/<serial>/recording/start',
    params: { serial: 'FAKE0' },
    body: { filename: 'trial', codec: 'low', metadata: { foo: 1 } },
    check: async (_a, sim, client) => {
      assert.equal(cam(sim).recording.status, 'pending');
      assert.equal(await client.isRecording('FAKE0'), true);
      await delay(60);
      assert.equal(cam(sim).recording.status, 'recording');
      assert.match(cam(sim).recording.filename ?? '', /^trial_FAKE0\./);
      assert.equal(cam(sim, 'FAKE1').recording.status, 'idle');
    },
  },
  {
    id: 'camera/<serial>/recording/stop',
    params: { serial: 'FAKE0' },
    check: async (_a, sim, client) => {
      assert.equal(cam(sim).recording.status, 'idle');
      assert.equal(await client.isRecording('FAKE0'), false);
      assert.equal(cam(sim).recordings.length, 1);
    },
  },
  {
    id: 'camera/<serial>/recordings',
    params: { serial: 'FAKE0' },
    check: (a) => {
      const list = a.recordings as Array<Record<string, unknown>>;
      assert.equal(list.length, 1);
      assert.equal(list[0].codec, 'low');
      assert.deepEqual(list[0].metadata, { foo: 1 });
    },
  },
  {
    id: 'camera/<serial>/recordings/copy_all',
    params: { serial: 'FAKE0' },
    body: { location: '/mnt/nas', delete_after: false },
    check: async (a, sim, client) => {
      assert.equal(a.recordings, 1);
      assert.equal(await client.isCopying('FAKE0'), true);
      await client.waitUntil('copied', 'FAKE0', { timeoutMs: 2000, intervalMs: 20 });
      assert.equal(cam(sim).playback.status, 'copy finished');
      assert.equal(cam(sim).recordings[0].location, '/mnt/nas');
    },
  },
  {
    id: 'camera/<serial>/recordings/export_all',
    params: { serial: 'FAKE0' },
    body: { codec: 'h264' },
    check: async (_a, sim, client) => {
      assert.equal(await client.isExporting('FAKE0'), true);
      await client.waitUntil('exported', 'FAKE0', { timeoutMs: 2000, intervalMs: 20 });
      assert.equal(await client.isExporting('FAKE0'), false);
      assert.equal(cam(sim).recordings[0].exported, true);
    },
  },
  {
    id: 'camera/<serial>/io/<name>/set',
    params: { serial: 'FAKE1', name: 'ledgreen' },
    body: { value: 0.3 },
    check: (_a, sim) => assert.equal(cam(sim, 'FAKE1').outputs.ledgreen.value, 0.3),
  },
  {
    id: 'camera/<serial>/io/log',
    params: { serial: 'FAKE1' },
    body: { temperature: 21.5, note: 'x' },
    check: (_a, sim) => {
      const last = sim.state.ioLog.at(-1);
      assert.equal(last?.serial, 'FAKE1');
      assert.deepEqual(last?.values, { temperature: 21.5, note: 'x' });
    },
  },
  {
    id: 'camera/<serial>/io/read',
    params: { serial: 'FAKE1' },
    check: (a) => assert.equal((a.outputs as Record<string, number>).ledgreen, 0.3),
  },
  {
    id: 'recording/start',
    body: { codec: 'high', duration: 0.08, metadata: { foo: 1, bar: 'bob' } },
    check: async (a, sim, client) => {
      assert.deepEqual(a.serials, ['FAKE0', 'FAKE1']);
      await client.waitUntil('stopped', 'FAKE1', { timeoutMs: 2000, intervalMs: 20 });
      assert.equal(cam(sim, 'FAKE1').recordings.length, 1);
    },
  },
  {
    id: 'recording/stop',
    body: { codec: 'h264' }, // the vendor's MATLAB example sends this; extra keys are ignored
    check: (_a, sim) => {
      for (const c of sim.state.cameras.values()) assert.equal(c.recording.status, 'idle');
    },
  },
  { id: 'recordings', check: (a) => assert.equal((a.recordings as unknown[]).length, 3) },
  {
    id: 'recordings/copy_all',
    body: { delete_after: true },
    check: async (_a, sim, client) => {
      assert.equal(cam(sim, 'FAKE1').playback.status, 'copying');
      await client.waitUntil('copied', 'FAKE1', { timeoutMs: 2000, intervalMs: 20 });
      await client.waitUntil('copied', 'FAKE0', { timeoutMs: 2000, intervalMs: 20 });
      assert.equal(cam(sim, 'FAKE1').recordings.length, 0);
    },
  },
  {
    id: 'recordings/export_all',
    check: async (_a, sim, client) => {
      assert.equal(cam(sim, 'FAKE0').playback.status, 'exporting');
      await client.waitUntil('exported', 'FAKE0', { timeoutMs: 2000, intervalMs: 20 });
      assert.equal(cam(sim, 'FAKE0').playback.status, 'export finished');
    },
  },
  {
    id: 'schedule/recording/start',
    body: { task_name: 'record_video', cron_expression: '0 6-16 * * * *', duration: 1800 },
    check: (_a, sim) => {
      const task = sim.state.tasks.get('record_video');
      assert.equal(task?.operation, 'recording/start');
      assert.deepEqual(task?.args, { duration: 1800 });
    },
  },
  {
    id: 'schedule/camera/<serial>/recording/start',
    params: { serial: 'FAKE0' },
    body: { task_name: 'rec0', cron_expression: '0 0 9 * * ?', codec: 'low' },
    check: (_a, sim) => assert.deepEqual(sim.state.tasks.get('rec0')?.params, { serial: 'FAKE0' }),
  },
  {
    id: 'schedule/recordings/copy_all',
    body: { task_name: 'copy', cron_expression: '0 0 17 * * ?', delete_after: true },
    check: (_a, sim) => assert.equal(sim.state.tasks.get('copy')?.operation, 'recordings/copy_all'),
  },
  {
    id: 'schedule/camera/<serial>/recordings/copy_all',
    params: { serial: 'FAKE1' },
    body: { task_name: 'copy1', cron_expression: '0 0 17 * * ?' },
    check: (_a, sim) => assert.ok(sim.state.tasks.has('copy1')),
  },
  {
    id: 'schedule/recordings/export_all',
    body: { task_name: 'export', cron_expression: '0 0 18 * * ?' },
    check: (_a, sim) => assert.ok(sim.state.tasks.has('export')),
  },
  {
    id: 'schedule/camera/<serial>/recordings/export_all',
    params: { serial: 'FAKE0' },
    body: { task_name: 'export0', cron_expression: '0 0 18 * * ?' },
    check: (_a, sim) => assert.ok(sim.state.tasks.has('export0')),
  },
  {
    id: 'schedule/io/<name>/set',
    params: { name: 'led' },
    body: { task_name: 'toggle', cron_expression: '%2 * * ? * * *', camera_relative: true, value: Infinity },
    check: (_a, sim) => {
      const task = sim.state.tasks.get('toggle');
      assert.equal(task?.camera_relative, true);
      assert.equal(task?.args.value, Infinity);
    },
  },
  {
    id: 'schedule/camera/<serial>/io/<name>/set',
    params: { serial: 'FAKE0', name: 'led' },
    body: {
      task_name: 'led_on_after_17s',
      cron_expression: '17 0 0 1 1 ?',
      camera_relative: true,
      value: 1.0,
    },
    check: (_a, sim) =>
      assert.deepEqual(sim.state.tasks.get('led_on_after_17s')?.params, { serial: 'FAKE0', name: 'led' }),
  },
  {
    id: 'schedule/cameras/configure/<name>',
    params: { name: 'ExposureTime' },
    body: { task_name: 'exp', cron_expression: '0 0 * ? * * *', value: 5000 },
    check: (_a, sim) => assert.deepEqual(sim.state.tasks.get('exp')?.params, { name: 'ExposureTime' }),
  },
  {
    id: 'schedule/camera/<serial>/configure/<name>',
    params: { serial: 'FAKE1', name: 'Gain' },
    body: { task_name: 'gain1', cron_expression: '0 30 * ? * * *', value: 3 },
    check: (_a, sim) =>
      assert.equal(sim.state.tasks.get('gain1')?.operation, 'camera/<serial>/configure/<name>'),
  },
  {
    id: 'schedule',
    check: (a) => {
      assert.ok(typeof a.now === 'number' && Math.abs(a.now - Date.now() / 1000) < 5);
      assert.equal((a.tasks as unknown[]).length, 10);
    },
  },
  {
    id: 'schedule/<task_name>/clear',
    params: { task_name: 'toggle' },
    check: (_a, sim) => {
      assert.equal(sim.state.tasks.has('toggle'), false);
      assert.equal(sim.state.tasks.list().length, 9);
    },
  },
  {
    id: 'schedule/clear',
    check: (a, sim) => (assert.equal(a.cleared, 9), assert.equal(sim.state.tasks.list().length, 0)),
  },
  {
    id: 'io/<io_serial>/<io_port>/set',
    params: { io_serial: '-1', io_port: '0' },
    body: { state: 1 },
    check: (_a, sim) => assert.equal(sim.state.outputs['-1/0'].value, 1),
  },
  {
    id: 'io/<name>/set',
    params: { name: 'led' },
    body: { value: 0.3 },
    check: (_a, sim) => assert.equal(sim.state.outputs.led.value, 0.3),
  },
  {
    id: 'io/log',
    body: { stimulus: 'on' },
    check: (_a, sim) => assert.deepEqual(sim.state.ioLog.at(-1)?.values, { stimulus: 'on' }),
  },
  { id: 'io/read', check: (a) => assert.equal((a.outputs as Record<string, number>).led, 0.3) },
  {
    id: 'camera/<serial>/experiment/message',
    params: { serial: 'FAKE1' },
    body: { message: 'trial 3 of 10' },
    check: (_a, sim) => assert.equal(cam(sim, 'FAKE1').experimentMessage, 'trial 3 of 10'),
  },
  {
    id: 'experiment/message',
    body: { message: 'habituation' },
    check: (_a, sim) => assert.equal(sim.state.experimentMessage, 'habituation'),
  },
  { id: 'multicam/synchronize', check: (_a, sim) => assert.ok(sim.state.synchronizedAt !== null) },
  {
    id: 'multicam/disconnect_camera/<serial>',
    params: { serial: '__all' },
    check: (_a, sim) => assert.equal(cam(sim, 'FAKE1').connected, false),
  },
  {
    id: 'multicam/connect_camera/<serial>',
    params: { serial: 'FAKE0' },
    check: (_a, sim) => (
      assert.equal(cam(sim, 'FAKE0').connected, true),
      assert.equal(cam(sim, 'FAKE1').connected, false)
    ),
  },
  { id: 'multicam/disconnect_all', check: (_a, sim) => assert.equal(cam(sim, 'FAKE0').connected, false) },
  {
    id: 'multicam/connect_all',
    check: (_a, sim) => {
      for (const c of sim.state.cameras.values()) assert.equal(c.connected, true);
    },
  },
];

describe('motif operations against the simulator', () => {
  let sim: MotifSimulator;
  let client: MotifClient;

  before(async () => {
    sim = await startSimulator({ requestLogSize: 1000 });
    client = clientFor(sim);
  });
  after(async () => {
    await client.close();
    await sim.close();
  });

  it('covers each of the 44 endpoints exactly once', () => {
    assert.deepEqual([...CASES.map((c) => c.id)].sort(), MOTIF_ENDPOINTS.map((e) => e.id).sort());
  });

  for (const c of CASES) {
    it(`${c.id}`, async () => {
      const endpoint = findEndpoint(c.id);
      assert.ok(endpoint);
      const before = sim.requests.length;
      const answer = await client.call(c.id, c.params, c.body);
      const request = sim.requests[before];
      assert.equal(request.method, endpoint.method);
      assert.equal(request.path, endpointPath(endpoint, c.params ?? {}));
      assert.equal(request.headers['x-api-key'], sim.apiKey);
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.body === '', c.body === undefined);
      // Like the Python client: Content-Length 0 on a body-less POST, none on a body-less GET/DELETE.
      if (c.body === undefined)
        assert.equal(request.headers['content-length'], endpoint.method === 'POST' ? '0' : undefined);
      assert.equal(typeof answer, 'object');
      await c.check(answer as Record<string, unknown>, sim, client);
    });
  }
});
