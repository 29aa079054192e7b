/**
 * The motif stream backend over real ZeroMQ sockets against the simulator's streams: set-up from the
 * camera status, framing and metadata, each backpressure mode, bounded memory under a flood, stall
 * detection and recovery after a simulator restart.
 */
import assert from 'node:assert/strict';
import type { MotifClient } from '../../src/backends/motif/client';
import {
  MotifStream,
  type MotifImageFrame,
  type MotifStreamItem,
  type MotifStreamOptions,
  type MotifStreamStatus,
} from '../../src/backends/motif/stream';
import { resolveStreamEndpoint, streamHost } from '../../src/backends/motif/stream-endpoint';
import { RecorderError } from '../../src/common/errors';
import type { MotifSimulator, MotifSimulatorOptions } from '../../src/simulators/motif';
import { clientFor, delay, rejection, startSimulator } from '../motif/helpers';

interface Rig {
  sim: MotifSimulator;
  client: MotifClient;
  streams: MotifStream[];
}

async function rig(options: MotifSimulatorOptions = {}): Promise<Rig> {
  const sim = await startSimulator({ cameras: ['FAKE0'], ...options });
  return { sim, client: clientFor(sim), streams: [] };
}

async function teardown(r: Rig | undefined): Promise<void> {
  if (!r) return;
  await Promise.all(r.streams.map((s) => s.close()));
  await r.client.close();
  await r.sim.close();
}

function open(
  r: Rig,
  options: Partial<MotifStreamOptions> & Pick<MotifStreamOptions, 'deliver'>,
  serial = 'FAKE0',
): MotifStream {
  const stream = new MotifStream({
    kind: 'image',
    resolve: (signal) =>
      resolveStreamEndpoint(r.client, {
        kind: options.kind ?? 'image',
        serial,
        apiHost: r.sim.host,
        signal,
      }),
    stallMs: 2000,
    backoff: { initialMs: 50, maxMs: 200 },
    ...options,
  });
  r.streams.push(stream);
  stream.start();
  return stream;
}

function frames(items: MotifStreamItem[]): MotifImageFrame[] {
  return items.flatMap((i) => (i.kind === 'image' ? [i.frame] : []));
}

function until(probe: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (probe()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(check, 10);
    };
    check();
  });
}

function nextStatus(
  stream: MotifStream,
  phase: MotifStreamStatus['phase'],
  ms = 5000,
): Promise<MotifStreamStatus> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.off('status', on);
      reject(new Error(`no "${phase}" within ${ms} ms (now ${stream.status.phase})`));
    }, ms);
    const on = (s: MotifStreamStatus): void => {
      if (s.phase !== phase) return;
      clearTimeout(timer);
      stream.off('status', on);
      resolve(s);
    };
    stream.on('status', on);
  });
}

describe('motif stream set-up', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await teardown(r);
    r = undefined;
  });

  it('applies the host rule: override, then 0.0.0.0 → API host, else as reported', () => {
    assert.equal(streamHost('0.0.0.0', '10.0.0.5'), '10.0.0.5');
    assert.equal(streamHost('192.168.1.9', '10.0.0.5'), '192.168.1.9');
    assert.equal(streamHost('0.0.0.0', '0.0.0.0'), '0.0.0.0');
    assert.equal(streamHost('0.0.0.0', '10.0.0.5', ' cam.lan '), 'cam.lan');
  });

  it('reads the endpoint from the camera status, using the first camera when none is given', async () => {
    r = await rig({ cameras: ['CAM_A', 'CAM_B'] });
    const image = await resolveStreamEndpoint(r.client, { kind: 'image', apiHost: '127.0.0.1' });
    assert.equal(image.serial, 'CAM_A');
    assert.equal(image.reportedHost, '0.0.0.0');
    assert.equal(image.host, '127.0.0.1');
    assert.equal(image.port, r.sim.stream('CAM_A').imagePort);
    assert.equal(image.url, `tcp://127.0.0.1:${image.port}`);
    const state = await resolveStreamEndpoint(r.client, { kind: 'state', serial: 'CAM_B', apiHost: 'h' });
    assert.equal(state.port, r.sim.stream('CAM_B').statePort);
    assert.equal(state.host, 'h');
  });

  it('names an unknown camera and a camera without streams in its errors', async () => {
    r = await rig({ streams: { enabled: false } });
    const unknown = await rejection(() =>
      resolveStreamEndpoint(r!.client, { kind: 'image', serial: 'NOPE', apiHost: '127.0.0.1' }),
    );
    assert.ok(unknown instanceof RecorderError);
    assert.equal(unknown.statusText, 'unknown camera');
    assert.equal(unknown.message, 'motif camera "NOPE" was not found');
    const none = await rejection(() =>
      resolveStreamEndpoint(r!.client, { kind: 'state', serial: 'FAKE0', apiHost: '127.0.0.1' }),
    );
    assert.ok(none instanceof RecorderError);
    assert.deepEqual([none.code, none.statusText], ['API', 'no stream']);
    assert.equal(none.message, 'the realtime state stream is not enabled on motif camera "FAKE0"');
  });
});

describe('motif stream messages', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await teardown(r);
    r = undefined;
  });

  it('decodes image frames: dtype, shape, size, pixels, frame number and timestamp', async () => {
    r = await rig({ streams: { width: 32, height: 16, channels: 3, dtype: 'uint16', fps: 200 } });
    const seen: MotifStreamItem[] = [];
    const stream = open(r, { deliver: (i) => void seen.push(i), flow: { mode: 'every' } });
    await until(() => seen.length >= 20);
    const list = frames(seen);
    const f = list[0];
    assert.equal(f.dtype, 'uint16');
    assert.deepEqual(f.shape, [16, 32, 3]);
    assert.deepEqual([f.width, f.height, f.channels, f.itemSize], [32, 16, 3, 2]);
    assert.equal(f.data.length, 16 * 32 * 3 * 2);
    assert.equal(f.data[0], f.data[1], 'uint16 pattern: both bytes carry the band value');
    assert.equal(f.metadata.serial, 'FAKE0');
    assert.equal('dtype' in f.metadata || 'shape' in f.metadata, false, 'dtype/shape removed from metadata');
    for (let i = 1; i < list.length; i++) assert.equal(list[i].frameNumber, list[i - 1].frameNumber! + 1);
    const lag = Date.now() / 1000 - f.timestamp!;
    assert.ok(lag >= 0 && lag < 5, `timestamp is wall-clock seconds (lag ${lag})`);
    assert.equal(stream.stats.dropped, 0);
    assert.equal(stream.status.phase, 'streaming');
  });

  it('delivers state messages (topic j) that follow the simulated recording', async () => {
    r = await rig({ streams: { statePerSecond: 100 } });
    const seen: MotifStreamItem[] = [];
    open(r, { kind: 'state', deliver: (i) => void seen.push(i), flow: { mode: 'every' } });
    const states = (): Array<Record<string, unknown>> =>
      seen.flatMap((i) => (i.kind === 'state' ? [i.message.state] : []));
    await until(() => states().length >= 3);
    assert.equal(seen[0].kind === 'state' && seen[0].message.topic, 'j');
    assert.equal(states()[0].is_recording, false);
    assert.equal(states()[0].frame_number, null);
    await r.client.call('camera/<serial>/recording/start', { serial: 'FAKE0' });
    await until(() => states().some((s) => s.is_recording === true), 3000);
    const recording = states().filter((s) => s.is_recording === true);
    await until(() => states().filter((s) => s.is_recording === true).length >= recording.length + 5);
    const numbers = states()
      .filter((s) => s.is_recording === true)
      .map((s) => s.frame_number as number);
    assert.ok(
      numbers.every((n, i) => i === 0 || n >= numbers[i - 1]),
      'frame numbers grow',
    );
    assert.equal(typeof states().at(-1)!.frame_time, 'number');
  });
});

describe('motif stream backpressure', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await teardown(r);
    r = undefined;
  });

  it('latest: a slow consumer gets fresh frames, never more than one waiting', async () => {
    r = await rig({ streams: { fps: 500, width: 64, height: 48 } });
    const seen: MotifImageFrame[] = [];
    let maxQueued = 0;
    const stream = open(r, {
      flow: { mode: 'latest' },
      deliver: async (i) => {
        if (i.kind === 'image') seen.push(i.frame);
        maxQueued = Math.max(maxQueued, stream.stats.queued);
        await delay(20);
      },
    });
    await until(() => seen.length >= 15);
    assert.ok(maxQueued <= 1, `queued ${maxQueued}`);
    const gaps = seen.slice(1).map((f, i) => f.frameNumber! - seen[i].frameNumber!);
    assert.ok(
      gaps.every((g) => g > 0),
      'in order',
    );
    assert.ok(
      gaps.slice(2).every((g) => g > 3),
      `frames were skipped while the consumer was busy: ${gaps}`,
    );
    assert.ok(stream.stats.dropped > 20, `dropped ${stream.stats.dropped}`);
    assert.equal(stream.dropped, stream.stats.dropped, 'the cheap count agrees');
  });

  it('every Nth frame: keeps exactly one in N', async () => {
    r = await rig({ streams: { fps: 300, width: 16, height: 16 } });
    const seen: MotifImageFrame[] = [];
    const stream = open(r, {
      flow: { mode: 'nth', every: 3 },
      deliver: (i) => void seen.push(frames([i])[0]),
    });
    await until(() => seen.length >= 20);
    const gaps = seen.slice(1).map((f, i) => f.frameNumber! - seen[i].frameNumber!);
    assert.ok(
      gaps.every((g) => g === 3),
      `gaps ${gaps}`,
    );
    assert.ok(stream.stats.dropped >= 2 * seen.length - 2);
    assert.equal(stream.dropped, stream.stats.dropped, 'the cheap count agrees');
  });

  it('at most N per second: limits the rate of a faster stream', async () => {
    r = await rig({ streams: { fps: 400, width: 16, height: 16 } });
    const seen: number[] = [];
    const stream = open(r, {
      flow: { mode: 'rate', perSecond: 20 },
      deliver: () => void seen.push(Date.now()),
    });
    await until(() => seen.length >= 1);
    const start = Date.now();
    const before = seen.length;
    await delay(1000);
    const count = seen.length - before;
    assert.ok(count >= 15 && count <= 22, `${count} in ${Date.now() - start} ms`);
    assert.ok(stream.stats.received > 200, `received ${stream.stats.received}`);
  });

  it('every frame: nothing is dropped inside; a slow consumer holds the socket back instead', async () => {
    // Frames large enough that the socket buffers between sender and reader fill within the test.
    r = await rig({ streams: { fps: 500, width: 640, height: 480 } });
    const seen: MotifImageFrame[] = [];
    let maxQueued = 0;
    const stream = open(r, {
      flow: { mode: 'every', maxQueue: 4 },
      deliver: async (i) => {
        if (i.kind === 'image') seen.push(i.frame);
        maxQueued = Math.max(maxQueued, stream.stats.queued);
        await delay(10);
      },
    });
    const rigged = r;
    await until(() => seen.length >= 40 && rigged.sim.stream('FAKE0').counters.dropped > 0);
    assert.equal(stream.stats.dropped, 0);
    assert.ok(maxQueued <= 4, `queued ${maxQueued}`);
    assert.ok(
      r.sim.stream('FAKE0').counters.dropped > 0,
      'the sender saw a full queue and dropped at its side',
    );
  });

  it('keeps memory bounded under a flood (latest mode, slow consumer)', async function () {
    this.timeout(20_000);
    r = await rig({ streams: { fps: 0, width: 640, height: 480 } });
    let delivered = 0;
    const stream = open(r, {
      flow: { mode: 'latest' },
      deliver: async () => {
        delivered++;
        await delay(50);
      },
    });
    await until(() => stream.stats.received > 200);
    const baseline = process.memoryUsage().arrayBuffers;
    const received = stream.stats.received;
    const deliveredBefore = delivered;
    const started = performance.now();
    // 500 more frames through a consumer that takes 50 ms each: the flood outruns it by far.
    await until(() => stream.stats.received - received > 500, 15_000);
    const seconds = (performance.now() - started) / 1000;
    const after = process.memoryUsage().arrayBuffers;
    assert.ok(stream.stats.queued <= 1);
    const pace = delivered - deliveredBefore;
    assert.ok(pace <= seconds * 20 + 2, `consumer pace kept: ${pace} in ${seconds.toFixed(1)} s`);
    const grownMb = (after - baseline) / 1e6;
    assert.ok(grownMb < 40, `external memory grew ${grownMb.toFixed(1)} MB`);
  });
});

describe('motif stream liveness', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await teardown(r);
    r = undefined;
  });

  it('reports a stall, recreates the socket and resumes when frames come back', async () => {
    r = await rig({ streams: { fps: 100, width: 16, height: 16 } });
    let count = 0;
    const stream = open(r, { stallMs: 300, deliver: () => void count++ });
    await until(() => count > 5);
    const stalled = nextStatus(stream, 'stalled');
    r.sim.stream('FAKE0').pause();
    await stalled;
    assert.ok(stream.stats.stalls >= 1);
    const connectsBefore = stream.stats.connects;
    await until(() => stream.stats.connects > connectsBefore, 3000);
    r.sim.stream('FAKE0').resume();
    const resumedAt = count;
    await until(() => count > resumedAt + 5, 3000);
    assert.equal(stream.status.phase, 'streaming');
  });

  it('survives a simulator restart with new stream ports, re-reading the camera status', async function () {
    this.timeout(15_000);
    r = await rig({ streams: { fps: 100, width: 16, height: 16 } });
    const { port, apiKey } = r.sim;
    let count = 0;
    const stream = open(r, { stallMs: 300, deliver: () => void count++ });
    await until(() => count > 5);
    const oldPort = stream.status.endpoint!.port;
    await r.sim.close();
    await nextStatus(stream, 'stalled');
    await until(() => stream.status.phase === 'retrying', 3000);
    assert.equal(stream.status.error?.code, 'CONNECTION');
    r.sim = await startSimulator({
      cameras: ['FAKE0'],
      port,
      apiKey,
      streams: { fps: 100, width: 16, height: 16 },
    });
    const before = count;
    await until(() => count > before + 5, 8000);
    assert.notEqual(stream.status.endpoint!.port, oldPort, 'the new port came from the status');
    assert.equal(stream.status.endpoint!.port, r.sim.stream('FAKE0').imagePort);
  });

  it('halts on a rejected API key instead of retrying, and tries again only when started', async () => {
    r = await rig({ streams: { fps: 100, width: 16, height: 16 } });
    const wrong = clientFor(r.sim, { apiKey: 'ffffffffffffffffffffffffffffffff' });
    let resolves = 0;
    const failures: RecorderError[] = [];
    const stream = new MotifStream({
      kind: 'image',
      resolve: (signal) => {
        resolves++;
        return resolveStreamEndpoint(wrong, { kind: 'image', serial: 'FAKE0', apiHost: r!.sim.host, signal });
      },
      deliver: () => undefined,
      backoff: { initialMs: 1, maxMs: 1 },
    });
    r.streams.push(stream);
    stream.on('failure', (e: RecorderError) => failures.push(e));
    try {
      const halted = nextStatus(stream, 'halted');
      stream.start();
      const status = await halted;
      assert.equal(status.error?.code, 'AUTH');
      assert.equal(stream.running, false, 'no retry loop is left running');
      assert.equal(resolves, 1);
      assert.deepEqual(
        failures.map((f) => f.code),
        ['AUTH'],
      );
      const again = nextStatus(stream, 'halted');
      stream.start();
      await again;
      assert.equal(resolves, 2, 'start() tries once more');
      await stream.stop();
      assert.equal(stream.status.phase, 'stopped');
    } finally {
      await wrong.close();
    }
  });

  it('halt(error) ends a retry loop and keeps the error until started again', async () => {
    r = await rig({ streams: { fps: 100, width: 16, height: 16 } });
    const stream = open(r, { deliver: () => undefined }, 'NOPE');
    await until(() => stream.status.phase === 'retrying');
    const halted = nextStatus(stream, 'halted');
    await stream.halt(new RecorderError('AUTH', 'rejected elsewhere', 'auth failed'));
    assert.equal((await halted).error?.message, 'rejected elsewhere');
    assert.equal(stream.running, false);
    assert.equal(stream.status.phase, 'halted');
  });

  it('halts and says why when its supervisor fails by itself, instead of staying in its last phase', async () => {
    r = await rig({ streams: { fps: 100, width: 16, height: 16 } });
    const failures: RecorderError[] = [];
    const stream = new MotifStream({
      kind: 'image',
      resolve: (signal) =>
        resolveStreamEndpoint(r!.client, { kind: 'image', serial: 'FAKE0', apiHost: r!.sim.host, signal }),
      deliver: () => undefined,
    });
    r.streams.push(stream);
    // A failure that is not the server's: a status listener that throws once, on the first phase.
    let thrown = false;
    stream.on('status', (s: MotifStreamStatus) => {
      if (s.phase !== 'resolving' || thrown) return;
      thrown = true;
      throw new Error('listener broke');
    });
    stream.on('failure', (e: RecorderError) => failures.push(e));
    const halted = nextStatus(stream, 'halted');
    stream.start();
    const status = await halted;
    assert.equal(status.error?.code, 'CONNECTION');
    assert.equal(status.error?.message, 'the image stream stopped: listener broke');
    assert.equal(stream.running, false, 'nothing is left running');
    assert.deepEqual(
      failures.map((f) => f.message),
      ['the image stream stopped: listener broke'],
    );
    stream.start();
    await until(() => stream.status.phase === 'streaming');
  });

  it("emits 'healthy' when frames flow, again after a stall, and 'failure' when the server is gone", async () => {
    r = await rig({ streams: { fps: 100, width: 16, height: 16 } });
    const events: string[] = [];
    const stream = new MotifStream({
      kind: 'image',
      resolve: (signal) =>
        resolveStreamEndpoint(r!.client, { kind: 'image', serial: 'FAKE0', apiHost: r!.sim.host, signal }),
      deliver: () => undefined,
      stallMs: 300,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    r.streams.push(stream);
    stream.on('healthy', () => events.push('healthy'));
    stream.on('failure', (e: RecorderError) => events.push(`failure ${e.code}`));
    stream.start();
    await until(() => events.includes('healthy'));
    r.sim.stream('FAKE0').pause();
    await nextStatus(stream, 'stalled');
    assert.deepEqual(events, ['healthy'], 'a stall alone is not a server failure');
    r.sim.stream('FAKE0').resume();
    await until(() => events.filter((e) => e === 'healthy').length === 2);
    await r.sim.close();
    await until(() => events.includes('failure CONNECTION'), 5000);
  });

  it('refuses frames above the size limit without buffering them', async () => {
    r = await rig({ streams: { fps: 100, width: 64, height: 64 } });
    let count = 0;
    const stream = open(r, { stallMs: 300, maxMessageBytes: 1024, deliver: () => void count++ });
    await nextStatus(stream, 'stalled');
    assert.equal(count, 0, 'no 4 KB frame got through a 1 KB limit');
    assert.equal(stream.stats.received, 0);
  });

  it('stops at once and starts again', async () => {
    r = await rig({ streams: { fps: 200, width: 16, height: 16 } });
    let count = 0;
    const stream = open(r, { deliver: () => void count++ });
    await until(() => count > 3);
    await stream.stop();
    assert.equal(stream.status.phase, 'stopped');
    assert.equal(stream.running, false);
    const stoppedAt = count;
    await delay(100);
    assert.equal(count, stoppedAt, 'nothing delivered after stop');
    stream.start();
    await until(() => count > stoppedAt + 3);
  });
});
