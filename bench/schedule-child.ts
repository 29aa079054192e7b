/**
 * One measurement of the schedule benchmark, in its own process (memory and CPU are per process,
 * and an embedded Node-RED starts once per process): an embedded Node-RED with ONE scheduler node,
 * ours or cron-plus, holding N schedules from its configuration (cron-plus takes minutes to accept
 * 10,000 schedules by message, so both sides get them as editor schedules). Prints one JSON line.
 *   node --expose-gc dist/bench/schedule-child.js <ours|cronplus> <empty|idle|fire>
 * empty: heap with a node without schedules; idle: heap and CPU with N schedules that do not fire in
 * the window (1 January only); fire: lateness with N once-a-minute schedules spread over the seconds.
 */
import type { Node } from 'node-red';
import { startNodeRed } from './embedded-node-red';
import { summary } from './stats';

const COUNT = Number(process.env.BENCH_SCHEDULES) || 10_000;
const IDLE_MS = Number(process.env.BENCH_IDLE_MS) || 10_000;
const FIRE_MS = Number(process.env.BENCH_FIRE_MS) || 20_000;

type Impl = 'ours' | 'cronplus';
type Phase = 'empty' | 'idle' | 'fire';
type Sent = Record<string, unknown>;

function expressionFor(phase: Phase, i: number): string {
  return phase === 'fire' ? `${i % 60} * * * * *` : `${i % 60} ${Math.floor(i / 60) % 60} 3 1 1 *`;
}

function nodeConfig(impl: Impl, phase: Phase): Record<string, unknown> {
  const count = phase === 'empty' ? 0 : COUNT;
  const names = Array.from({ length: count }, (_, i) => `s${i}`);
  if (impl === 'ours') {
    const schedules = names.map((name, i) => ({
      name,
      expression: expressionFor(phase, i),
      timeZone: '',
      relative: false,
      topic: name,
      payload: name,
      payloadType: 'str',
    }));
    return {
      id: 'n',
      type: 'recorder-schedule',
      z: 't',
      schedules,
      dst: 'auto',
      missed: 'skip',
      store: 'none',
      wires: [[], []],
    };
  }
  const options = names.map((name, i) => ({
    name,
    topic: name,
    payloadType: 'str',
    payload: name,
    expressionType: 'cron',
    expression: expressionFor(phase, i),
  }));
  return {
    id: 'n',
    type: 'cronplus',
    z: 't',
    outputField: 'payload',
    timeZone: '',
    persistDynamic: false,
    commandResponseMsgOutput: 'output1',
    outputs: 1,
    options,
    wires: [[]],
  };
}

function gcHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const impl = process.argv[2] as Impl;
  const phase = process.argv[3] as Phase;
  if (!['ours', 'cronplus'].includes(impl) || !['empty', 'idle', 'fire'].includes(phase))
    throw new Error('usage: schedule-child <ours|cronplus> <empty|idle|fire>');
  const startedAt = Date.now();
  const startCpu = process.cpuUsage();
  const red = await startNodeRed(
    [{ id: 't', type: 'tab' }, nodeConfig(impl, phase)],
    {},
    impl === 'cronplus' ? ['node-red-contrib-cron-plus'] : [],
  );
  const startMs = Date.now() - startedAt;
  // CPU as well as wall time: on a busy machine the wall clock also counts other processes' turns.
  const started = process.cpuUsage(startCpu);
  const startCpuMs = (started.user + started.system) / 1000;
  const target: Node = red.getNode('n');
  const lateness: number[] = [];
  // Only firings due inside the window count: a node still catching up on firings that fell into
  // its own start-up is not measured against the clock.
  let windowStart = Infinity;
  // What the node sends, timed at the send call; firings carry their scheduled instant.
  target.send = (msg: Sent | Sent[]) => {
    const now = Date.now();
    const m = (Array.isArray(msg) ? msg[0] : msg) as Sent | null;
    const meta = impl === 'ours' ? m?.schedule : m?.cronplus;
    const scheduled = (meta as Sent | undefined)?.[impl === 'ours' ? 'scheduledAt' : 'triggerTimestamp'];
    if (typeof scheduled === 'number' && scheduled >= windowStart) lateness.push(now - scheduled);
  };
  await sleep(3000); // settle: start-up work, first status updates
  let result: Record<string, unknown> = { impl, phase, startMs, startCpuMs };
  if (phase === 'fire') {
    lateness.length = 0;
    windowStart = Date.now();
    const fireCpu = process.cpuUsage();
    await sleep(FIRE_MS);
    const late = summary(lateness);
    const used = process.cpuUsage(fireCpu);
    const cpuUsPerFiring = (used.user + used.system) / Math.max(1, lateness.length);
    result = { ...result, firings: lateness.length, p50: late.p50, p99: late.p99, cpuUsPerFiring };
  } else {
    const heap = gcHeap();
    // V8's memory reducer runs a series of collections some seconds after the start-up burst of
    // allocations; idle CPU is measured after it has finished, for both sides alike.
    await sleep(Number(process.env.BENCH_SETTLE_MS) || 25_000);
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    await sleep(IDLE_MS);
    const cpu = process.cpuUsage(cpu0);
    result = { ...result, heap, cpuMsPerS: (cpu.user + cpu.system) / 1000 / ((Date.now() - t0) / 1000) };
  }
  await red.stop();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
