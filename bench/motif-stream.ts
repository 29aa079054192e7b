/**
 * motif-stream inside a running Node-RED flow next to two baselines reading the same simulator (in
 * its own process) in the same run, rounds rotating between the three:
 *  - a hand-written node reading a raw zeromq PULL socket (`baselines/raw-zeromq-node.ts`), which
 *    pays Node-RED's own cost of a message as ours does: the ratio is what our node adds;
 *  - a bare zeromq PULL socket outside Node-RED.
 *
 * - throughput: simulator in flood mode (`--fps 0`: it sends as fast as the reader takes frames),
 *   node in "every frame" mode, 640×480 mono and 1920×1080 RGB, one stream and four at once.
 *   BENCH_ROUNDS rounds (default 7); each figure is the median of the rounds with their range, and
 *   a ratio the median of the per-round ratios. Goal ≥ 0.95 of the raw zeromq node.
 * - latency: simulator at a fixed 200 fps; simulator timestamp → message leaving the node (the
 *   node's send, and arrival at the next node), minus the raw socket's. Goal: median added < 1 ms
 *   for 640×480.
 * - memory: a flood into a "latest" node with a slow consumer for BENCH_FLOOD_SECONDS (default 60);
 *   RSS sampled at start and end.
 */
import * as zmq from 'zeromq';
import { startChildSimulator, type ChildSimulator } from './child-simulator';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import { fmt, median, rotate, spread, summary } from './stats';

const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS) || 3;
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS) || 60;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 7;
const GOAL = 0.95;
/** Only the flood cases whose label contains this (e.g. "1920×1080 RGB uint8, 1"). */
const CASE = process.env.BENCH_CASE;
/** One side alone, for profiling: BENCH_SIDE=node or raw (then latency and memory are skipped). */
const SIDE = process.env.BENCH_SIDE;

interface Sim {
  child: ChildSimulator;
  port: number;
  apiKey: string;
  fingerprint: string;
  imageUrl: string;
  /** One per camera (FAKE0, FAKE1, …). */
  imageUrls: string[];
}

interface Round {
  fps: number;
  latencies: number[];
}

function nowSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

function serials(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `FAKE${i}`);
}

async function startSim(args: string[], cameras = 1): Promise<Sim> {
  const names = serials(cameras);
  const child = await startChildSimulator(
    'motif',
    ['api', 'api key', 'certificate sha-256 fingerprint', ...names.map((n) => `image stream ${n}`)],
    ['--cameras', names.join(','), ...args],
  );
  const imageUrls = names.map((n) => child.lines[`image stream ${n}`]);
  return {
    child,
    port: Number(new URL(child.lines.api).port),
    apiKey: child.lines['api key'],
    fingerprint: child.lines['certificate sha-256 fingerprint'],
    imageUrl: imageUrls[0],
    imageUrls,
  };
}

/** Raw PULL sockets on every stream of `sim` at once; frames per second in total. */
async function rawFlood(sim: Sim, seconds: number): Promise<number> {
  const sockets = sim.imageUrls.map((url) => {
    const socket = new zmq.Pull({ linger: 0, receiveHighWaterMark: 4, receiveTimeout: 2000 });
    socket.connect(url);
    return socket;
  });
  try {
    await Promise.all(sockets.map((s) => s.receive())); // connected and flowing
    let frames = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(
      sockets.map(async (socket) => {
        while (performance.now() < end) {
          const [meta] = await socket.receive();
          // The same work a consumer does at least: read the metadata.
          JSON.parse(meta.toString());
          frames++;
        }
      }),
    );
    return frames / ((performance.now() - started) / 1000);
  } finally {
    for (const s of sockets) s.close();
  }
}

/** The motif-stream nodes `ids` started together; frames per second leaving them in total. */
async function nodeFlood(red: EmbeddedNodeRed, ids: string[], seconds: number): Promise<number> {
  let frames = 0;
  const listeners = ids.map((id) => {
    const next = red.getNode(`${id}-out`) as unknown as NodeJS.EventEmitter;
    const on = (): void => void frames++;
    next.on('input', on);
    return { next, on };
  });
  try {
    for (const id of ids) red.getNode(id).receive({ action: 'start' });
    const deadline = Date.now() + 10_000;
    while (frames < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const before = frames;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const fps = (frames - before) / ((performance.now() - started) / 1000);
    for (const id of ids) red.getNode(id).receive({ action: 'stop' });
    await new Promise((r) => setTimeout(r, 200));
    return fps;
  } finally {
    for (const { next, on } of listeners) next.off('input', on);
  }
}

async function rawRound(sim: Sim, seconds: number): Promise<Round> {
  const socket = new zmq.Pull({ linger: 0, receiveHighWaterMark: 4, receiveTimeout: 2000 });
  socket.connect(sim.imageUrl);
  const latencies: number[] = [];
  await socket.receive(); // connected and flowing
  const end = performance.now() + seconds * 1000;
  let frames = 0;
  const started = performance.now();
  while (performance.now() < end) {
    const [meta] = await socket.receive();
    const md = JSON.parse(meta.toString()) as { timestamp: number };
    latencies.push((nowSeconds() - md.timestamp) * 1000);
    frames++;
  }
  const elapsed = (performance.now() - started) / 1000;
  socket.close();
  return { fps: frames / elapsed, latencies };
}

interface Probe {
  atSend: number[];
  atNext: number[];
  frames: number;
}

/** Wraps the stream node's send and listens at the next node, to time messages leaving it. */
function probe(red: EmbeddedNodeRed, id: string, nextId: string): { data: Probe; detach(): void } {
  const node = red.getNode(id) as unknown as { send(msg: unknown): void };
  const next = red.getNode(nextId) as unknown as NodeJS.EventEmitter;
  const data: Probe = { atSend: [], atNext: [], frames: 0 };
  const original = node.send;
  node.send = function (this: unknown, msg: unknown) {
    const ts = (msg as { image?: { timestamp?: number } }).image?.timestamp;
    if (ts !== undefined) data.atSend.push((nowSeconds() - ts) * 1000);
    data.frames++;
    original.call(this, msg);
  };
  const onInput = (msg: { image?: { timestamp?: number } }): void => {
    if (msg.image?.timestamp !== undefined) data.atNext.push((nowSeconds() - msg.image.timestamp) * 1000);
  };
  next.on('input', onInput);
  return {
    data,
    detach() {
      node.send = original;
      next.off('input', onInput);
    },
  };
}

async function nodeRound(
  red: EmbeddedNodeRed,
  id: string,
  seconds: number,
): Promise<Round & { atNext: number[] }> {
  const stream = red.getNode(id);
  const p = probe(red, id, `${id}-out`);
  stream.receive({ action: 'start' });
  const deadline = Date.now() + 10_000;
  while (p.data.frames === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  p.data.atSend.length = 0;
  p.data.atNext.length = 0;
  const before = p.data.frames;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const frames = p.data.frames - before;
  const elapsed = (performance.now() - started) / 1000;
  stream.receive({ action: 'stop' });
  await new Promise((r) => setTimeout(r, 200));
  p.detach();
  return { fps: frames / elapsed, latencies: p.data.atSend, atNext: p.data.atNext };
}

function serverNode(id: string, sim: Sim): Record<string, unknown> {
  return {
    id,
    type: 'motif-server',
    host: '127.0.0.1',
    port: sim.port,
    tlsMode: 'fingerprint',
    fingerprint: sim.fingerprint,
    timeout: 10,
  };
}

function streamNodes(
  id: string,
  server: string,
  mode: string,
  extra: Record<string, unknown> = {},
  camera = 'FAKE0',
): Array<Record<string, unknown>> {
  return [
    {
      id,
      type: 'motif-stream',
      z: 'tab',
      server,
      camera,
      stream: 'image',
      mode,
      queue: 8,
      encoding: 'raw',
      stallTimeout: 5,
      autoStart: false,
      x: 100,
      y: 100,
      wires: [[`${id}-out`]],
      ...extra,
    },
    { id: `${id}-out`, type: 'debug', z: 'tab', active: false, x: 300, y: 100, wires: [] },
  ];
}

function line(label: string, raw: number[], hand: number[], node: number[]): void {
  const vsHand = node.map((n, i) => n / hand[i]);
  const met = median(vsHand) >= GOAL;
  console.log(
    `${label.padEnd(30)} | ${spread(raw).padStart(18)} | ${spread(hand).padStart(18)} | ${spread(node).padStart(18)} | ${spread(vsHand, 3)} ${met ? `(goal ≥${GOAL} met)` : `(goal ≥${GOAL} MISSED)`} | ${spread(
      node.map((n, i) => n / raw[i]),
      3,
    )}`,
  );
}

/** Hand-written raw zeromq nodes (baselines/raw-zeromq-node.ts), one per stream URL. */
function handNodes(prefix: string, urls: string[]): Array<Record<string, unknown>> {
  return urls.flatMap((url, i) => [
    {
      id: `${prefix}-${i}`,
      type: 'bench-raw-zeromq',
      z: 'tab',
      url,
      x: 100,
      y: 100,
      wires: [[`${prefix}-${i}-out`]],
    },
    { id: `${prefix}-${i}-out`, type: 'debug', z: 'tab', active: false, x: 300, y: 100, wires: [] },
  ]);
}

function latencyLine(label: string, raw: Round[], node: Array<Round & { atNext: number[] }>): void {
  const r = summary(raw.flatMap((x) => x.latencies));
  const s = summary(node.flatMap((x) => x.latencies));
  const n = summary(node.flatMap((x) => x.atNext));
  console.log(
    `${label.padEnd(26)} | raw p50 ${fmt(r.p50, 3)} p99 ${fmt(r.p99, 3)} | node send p50 ${fmt(s.p50, 3)} p99 ${fmt(s.p99, 3)} | next node p50 ${fmt(n.p50, 3)} | added p50 ${fmt(s.p50 - r.p50, 3)} (at next node ${fmt(n.p50 - r.p50, 3)}) ms`,
  );
}

export async function benchMotifStream(): Promise<void> {
  const sims: Sim[] = [];
  const extras: Sim[] = [];
  let red: EmbeddedNodeRed | undefined;
  try {
    const monoFlood = await startSim(['--fps', '0', '--width', '640', '--height', '480']);
    sims.push(monoFlood);
    const rgbFlood = await startSim(['--fps', '0', '--width', '1920', '--height', '1080', '--channels', '3']);
    sims.push(rgbFlood);
    const mono4 = await startSim(['--fps', '0', '--width', '640', '--height', '480'], 4);
    extras.push(mono4);
    const rgb4 = await startSim(['--fps', '0', '--width', '1920', '--height', '1080', '--channels', '3'], 4);
    extras.push(rgb4);
    const monoPaced = await startSim(['--fps', '200', '--width', '640', '--height', '480']);
    sims.push(monoPaced);
    const rgbPaced = await startSim([
      '--fps',
      '30',
      '--width',
      '1920',
      '--height',
      '1080',
      '--channels',
      '3',
    ]);
    sims.push(rgbPaced);
    const memFlood = await startSim(['--fps', '0', '--width', '640', '--height', '480']);
    sims.push(memFlood);
    red = await startNodeRed(
      [
        { id: 'tab', type: 'tab' },
        serverNode('s1', monoFlood),
        serverNode('s2', rgbFlood),
        serverNode('s3', monoPaced),
        serverNode('s4', rgbPaced),
        serverNode('s5', memFlood),
        ...streamNodes('mono', 's1', 'every'),
        ...streamNodes('rgb', 's2', 'every'),
        serverNode('s6', mono4),
        serverNode('s7', rgb4),
        ...serials(4).flatMap((camera, i) => streamNodes(`mono4-${i}`, 's6', 'every', {}, camera)),
        ...serials(4).flatMap((camera, i) => streamNodes(`rgb4-${i}`, 's7', 'every', {}, camera)),
        ...handNodes('hand-mono', [monoFlood.imageUrl]),
        ...handNodes('hand-rgb', [rgbFlood.imageUrl]),
        ...handNodes('hand-mono4', mono4.imageUrls),
        ...handNodes('hand-rgb4', rgb4.imageUrls),
        ...streamNodes('monoPaced', 's3', 'every'),
        ...streamNodes('rgbPaced', 's4', 'every'),
        {
          id: 'latest',
          type: 'motif-stream',
          z: 'tab',
          server: 's5',
          camera: 'FAKE0',
          stream: 'image',
          mode: 'latest',
          encoding: 'raw',
          autoStart: false,
          x: 100,
          y: 100,
          wires: [['slow']],
        },
        // A slow consumer: 20 ms of blocking work per frame.
        {
          id: 'slow',
          type: 'function',
          z: 'tab',
          func: 'const end = Date.now() + 20; while (Date.now() < end) {} return null;',
          outputs: 1,
          x: 300,
          y: 100,
          wires: [[]],
        },
      ],
      {
        ...Object.fromEntries(
          ['s1', 's2', 's3', 's4', 's5'].map((id, i) => [id, { apiKey: sims[i].apiKey }]),
        ),
        s6: { apiKey: mono4.apiKey },
        s7: { apiKey: rgb4.apiKey },
      },
      [],
      { 'bench-raw-zeromq': 'baselines/raw-zeromq-node.js' },
    );

    console.log(
      `\nmotif-stream ("every frame") vs a raw zeromq node and a bare zeromq PULL, ${ROUNDS} rotating rounds of ${ROUND_SECONDS} s, simulator in its own process, Node ${process.version}`,
    );
    console.log('frames/s: median (min–max) of the rounds; ratio: median of the per-round ratios');
    console.log(
      `${'flood'.padEnd(30)} | ${'bare zeromq fps'.padStart(18)} | ${'raw zeromq node'.padStart(18)} | ${'motif-stream fps'.padStart(18)} | motif-stream / raw zeromq node | motif-stream / bare zeromq`,
    );
    const four = (prefix: string): string[] => serials(4).map((_, i) => `${prefix}-${i}`);
    const cases: Array<[string, Sim, string[], string[]]> = [
      ['640×480 mono uint8, 1 stream', monoFlood, ['mono'], ['hand-mono-0']],
      ['640×480 mono uint8, 4 streams', mono4, four('mono4'), four('hand-mono4')],
      ['1920×1080 RGB uint8, 1 stream', rgbFlood, ['rgb'], ['hand-rgb-0']],
      ['1920×1080 RGB uint8, 4 streams', rgb4, four('rgb4'), four('hand-rgb4')],
    ];
    for (const [label, sim, ids, handIds] of cases) {
      if (CASE && !label.includes(CASE)) continue;
      if (SIDE) {
        // For profiling one path alone (`node --cpu-prof`): BENCH_SIDE=node, hand or raw.
        for (let round = 0; round < ROUNDS; round++) {
          const fps =
            SIDE === 'raw'
              ? await rawFlood(sim, ROUND_SECONDS)
              : await nodeFlood(red, SIDE === 'hand' ? handIds : ids, ROUND_SECONDS);
          console.log(`${SIDE} ${label}: ${fmt(fps, 0)} fps`);
        }
        continue;
      }
      const [raw, hand, node] = await rotate(ROUNDS, [
        () => rawFlood(sim, ROUND_SECONDS),
        () => nodeFlood(red!, handIds, ROUND_SECONDS),
        () => nodeFlood(red!, ids, ROUND_SECONDS),
      ]);
      line(label, raw, hand, node);
    }
    if (SIDE || CASE) return;
    console.log('\nlatency, simulator timestamp → message (paced stream, below both capacities)');
    const paced: Array<[string, Sim, string]> = [
      ['640×480 mono @ 200 fps', monoPaced, 'monoPaced'],
      ['1920×1080 RGB @ 30 fps', rgbPaced, 'rgbPaced'],
    ];
    for (const [label, sim, id] of paced) {
      const raw: Round[] = [];
      const node: Array<Round & { atNext: number[] }> = [];
      for (let round = 0; round < 2; round++) {
        raw.push(await rawRound(sim, ROUND_SECONDS));
        node.push(await nodeRound(red, id, ROUND_SECONDS));
      }
      latencyLine(label, raw, node);
    }

    console.log(`\nRSS under a ${FLOOD_SECONDS} s flood (640×480, "latest", consumer 20 ms per frame)`);
    const latest = red.getNode('latest');
    latest.receive({ action: 'start' });
    await new Promise((r) => setTimeout(r, 2000));
    global.gc?.();
    const mb = (): string => fmt(process.memoryUsage().rss / 1e6, 1);
    const startRss = mb();
    const samples: string[] = [startRss];
    const until = Date.now() + FLOOD_SECONDS * 1000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, Math.min(10_000, FLOOD_SECONDS * 250)));
      samples.push(mb());
    }
    latest.receive({ action: 'stop' });
    console.log(
      `RSS MB: start ${startRss}, samples ${samples.join(' → ')}, end ${samples[samples.length - 1]}`,
    );
  } finally {
    await red?.stop();
    for (const sim of [...sims, ...extras]) await sim.child.stop();
  }
}
