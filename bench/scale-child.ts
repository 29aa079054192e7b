/**
 * One size of the scale benchmark, in its own process (RSS and CPU are per process, and an embedded
 * Node-RED starts once per process): one Node-RED driving N simulated motif systems of 2 cameras,
 * the simulators in child processes of their own (up to 50 per process, see scale-sims.ts).
 *   node --expose-gc dist/bench/scale-child.js <N>
 * Prints one JSON line with the measurements.
 *
 * - trigger: one message into a node wired to 2N motif-action nodes ("start recording" per camera);
 *   the acknowledgement spread is the time from that message to each action's output. The first
 *   trigger after the servers' probes passed is the cold one (measured before any stream starts, so
 *   nothing else has opened a connection yet); then recording is stopped on all. Rounds of two
 *   triggers (the first after the idle stream window, the second at once: warm) alternate with the
 *   stream windows.
 * - stream window: 2N state streams ("every message") and 20 image streams (5 fps, "latest")
 *   running; event-loop lag p99 (monitorEventLoopDelay), CPU and messages per second.
 * - RSS after a full GC, with the streams running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import readline from 'node:readline';
import type { Node } from 'node-red';
import type { ServerNode } from '../src/kit/node-red';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import { alternate, median, summary } from './stats';

const ROUNDS = Number(process.env.SCALE_ROUNDS) || 5;
const WINDOW_MS = (Number(process.env.SCALE_WINDOW_SECONDS) || 5) * 1000;
const SIMS_PER_PROCESS = 50;
const IMAGE_STREAMS = 20;
const CAMERAS = ['FAKE0', 'FAKE1'];

interface SimInfo {
  port: number;
  apiKey: string;
  fingerprint: string;
}

interface SimProcess {
  sims: SimInfo[];
  connections(): Promise<number[]>;
  stop(): Promise<void>;
}

function startSims(count: number): Promise<SimProcess> {
  const file = path.join(__dirname, 'scale-sims.js');
  const child: ChildProcess = spawn(process.execPath, [file, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const sims: SimInfo[] = [];
  const waiting: Array<(counts: number[]) => void> = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the simulators exited (${code})`)));
    lines.on('line', (line) => {
      if (line.startsWith('{')) sims.push(JSON.parse(line) as SimInfo);
      else if (line.startsWith('connections '))
        waiting.shift()?.(JSON.parse(line.slice('connections '.length)) as number[]);
      else if (line === 'ready')
        resolve({
          sims,
          connections: () =>
            new Promise((done) => {
              waiting.push(done);
              child.stdin!.write('connections\n');
            }),
          stop: () =>
            new Promise<void>((done) => {
              child.removeAllListeners('exit');
              child.once('exit', () => done());
              child.kill('SIGINT');
            }),
        });
    });
  });
}

function flow(sims: SimInfo[]): Array<Record<string, unknown>> {
  const nodes: Array<Record<string, unknown>> = [{ id: 'tab', type: 'tab' }];
  const starts: string[] = [];
  const stops: string[] = [];
  const at = { z: 'tab', x: 100, y: 100 };
  sims.forEach((sim, i) => {
    nodes.push({
      id: `srv${i}`,
      type: 'motif-server',
      host: '127.0.0.1',
      port: sim.port,
      tlsMode: 'fingerprint',
      fingerprint: sim.fingerprint,
      timeout: 10,
    });
    CAMERAS.forEach((camera, c) => {
      const action = (id: string, operation: string, wire: string): Record<string, unknown> => ({
        id,
        type: 'motif-action',
        ...at,
        server: `srv${i}`,
        operation,
        camera,
        args: '',
        payloadArgs: false,
        wires: [[wire]],
      });
      nodes.push(action(`start${i}-${c}`, 'camera/<serial>/recording/start', 'ack'));
      nodes.push(action(`stop${i}-${c}`, 'camera/<serial>/recording/stop', 'stopped'));
      starts.push(`start${i}-${c}`);
      stops.push(`stop${i}-${c}`);
      const stream = (id: string, kind: string, mode: string, wire: string): Record<string, unknown> => ({
        id,
        type: 'motif-stream',
        ...at,
        server: `srv${i}`,
        camera,
        stream: kind,
        mode,
        queue: 8,
        encoding: 'raw',
        stallTimeout: 5,
        autoStart: false,
        wires: [[wire]],
      });
      nodes.push(stream(`state${i}-${c}`, 'state', 'every', 'states'));
      if (i * CAMERAS.length + c < IMAGE_STREAMS)
        nodes.push(stream(`image${i}-${c}`, 'image', 'latest', 'images'));
    });
  });
  const sink = (id: string): Record<string, unknown> => ({
    id,
    type: 'debug',
    ...at,
    active: false,
    wires: [],
  });
  nodes.push(
    { id: 'go', type: 'change', ...at, rules: [], wires: [starts] },
    { id: 'halt', type: 'change', ...at, rules: [], wires: [stops] },
    sink('ack'),
    sink('stopped'),
    sink('states'),
    sink('images'),
    { id: 'catch', type: 'catch', ...at, scope: null, uncaught: false, wires: [['errors']] },
    sink('errors'),
  );
  return nodes;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function gcRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}

function counter(red: EmbeddedNodeRed, id: string): { count: number; last: string } {
  const c = { count: 0, last: '' };
  (red.getNode(id) as unknown as NodeJS.EventEmitter).on('input', (msg: { error?: { message?: string } }) => {
    c.count++;
    if (msg.error?.message) c.last = msg.error.message;
  });
  return c;
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(5);
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 1) throw new Error('usage: scale-child <N>');
  const cameras = n * CAMERAS.length;
  const procs: SimProcess[] = [];
  for (let left = n; left > 0; left -= SIMS_PER_PROCESS)
    procs.push(await startSims(Math.min(left, SIMS_PER_PROCESS)));
  const sims = procs.flatMap((p) => p.sims);
  const connections = async (): Promise<number> =>
    (await Promise.all(procs.map((p) => p.connections()))).flat().reduce((a, b) => a + b, 0);
  const rssBefore = gcRss();
  const t0 = Date.now();
  const red = await startNodeRed(
    flow(sims),
    Object.fromEntries(sims.map((sim, i) => [`srv${i}`, { apiKey: sim.apiKey }])),
  );
  try {
    const servers = sims.map((_, i) => red.getNode(`srv${i}`) as unknown as ServerNode<unknown>);
    await waitFor('every probe', () => servers.every((s) => s.connection.state === 'connected'), 60_000);
    const readyMs = Date.now() - t0;
    const acks = counter(red, 'ack');
    const stopped = counter(red, 'stopped');
    const errors = counter(red, 'errors');
    const states = counter(red, 'states');
    const images = counter(red, 'images');
    const ackTimes: number[] = [];
    let triggeredAt = 0;
    (red.getNode('ack') as unknown as NodeJS.EventEmitter).on('input', () =>
      ackTimes.push(performance.now() - triggeredAt),
    );
    const go: Node = red.getNode('go');
    const halt: Node = red.getNode('halt');

    /** Sends one message to `node` and waits until each of `cameras` outputs or errors came back. */
    const fanOut = async (node: Node, outputs: { count: number }): Promise<number> => {
      const before = outputs.count;
      const failed = errors.count;
      node.receive({ payload: null });
      await waitFor('every answer', () => outputs.count - before + errors.count - failed >= cameras, 60_000);
      return errors.count - failed;
    };

    /**
     * One "start recording on all" and its acknowledgements, then "stop on all". A call that fails
     * (a timeout on an overloaded machine) is counted, not fatal; a stop is repeated once after a
     * failure, so that the next start finds idle cameras.
     */
    const trigger = async (): Promise<{
      p50: number;
      p99: number;
      max: number;
      opened: number;
      failed: number;
      error?: string;
    }> => {
      const connectionsBefore = await connections();
      ackTimes.length = 0;
      triggeredAt = performance.now();
      let failed = await fanOut(go, acks);
      const s = summary(ackTimes);
      const max = Math.max(...ackTimes);
      const opened = (await connections()) - connectionsBefore;
      const error = failed > 0 ? errors.last : undefined;
      const stopFailures = await fanOut(halt, stopped);
      if (stopFailures > 0) await fanOut(halt, stopped);
      failed += stopFailures;
      await sleep(200); // the simulators' short copy phase (20 ms) is over: the cameras are idle again
      return { p50: s.p50, p99: s.p99, max, opened, failed, error };
    };

    const connectionsAtReady = await connections();
    const cold = await trigger();
    const connectionsAfterCold = await connections();

    const streamIds = sims.flatMap((_, i) =>
      CAMERAS.flatMap((_c, c) => [
        `state${i}-${c}`,
        ...(i * 2 + c < IMAGE_STREAMS ? [`image${i}-${c}`] : []),
      ]),
    );
    for (const id of streamIds) red.getNode(id).receive({ action: 'start' });
    await waitFor('a state message from every stream', () => states.count >= cameras * 2, 60_000);
    await sleep(2000); // streams settled

    const lag = monitorEventLoopDelay({ resolution: 1 });
    const window = async (): Promise<{
      lagP99: number;
      cpu: number;
      statesPerS: number;
      imagesPerS: number;
      rss: number;
    }> => {
      const s0 = states.count;
      const i0 = images.count;
      lag.reset();
      lag.enable();
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      await sleep(WINDOW_MS);
      const cpu = process.cpuUsage(cpu0);
      const seconds = (performance.now() - w0) / 1000;
      lag.disable();
      return {
        lagP99: lag.percentile(99) / 1e6,
        cpu: (cpu.user + cpu.system) / 1e6 / seconds,
        statesPerS: (states.count - s0) / seconds,
        imagesPerS: (images.count - i0) / seconds,
        rss: gcRss(),
      };
    };
    const warm: Array<Awaited<ReturnType<typeof trigger>>> = [];
    const afterIdle: Array<Awaited<ReturnType<typeof trigger>>> = [];
    const windows: Array<Awaited<ReturnType<typeof window>>> = [];
    await alternate(
      ROUNDS,
      async () => {
        // The first trigger after a stream window: the pool has been idle for longer than the
        // simulator keeps idle connections (Node's 5 s); the next one follows at once (warm).
        afterIdle.push(await trigger());
        warm.push(await trigger());
      },
      async () => {
        windows.push(await window());
      },
    );
    const connectionsAtEnd = await connections();
    const result = {
      n,
      cameras,
      readyMs,
      connectionsAtReady,
      connectionsAfterCold,
      connectionsAtEnd,
      cold,
      warm,
      afterIdle,
      windows,
      rssBefore,
      rssMedian: median(windows.map((w) => w.rss)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await red.stop();
    for (const p of procs) await p.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
