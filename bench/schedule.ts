/**
 * Many active schedules in one node: recorder-schedule next to node-red-contrib-cron-plus (the
 * devDependency, 1.5.7). Each measurement runs in its own child process with an embedded Node-RED
 * (memory and CPU are per process). Measures the extra start-up time of a flow holding the schedules,
 * heap growth, CPU while idle (no firing in the window), and firing lateness p50/p99 with
 * once-a-minute schedules spread over the seconds (10,000 → ~167 firings/s, 50,000 → ~833/s).
 * Every figure is the median of several rounds, with the spread (lowest–highest) beside it; the
 * head-to-head alternates the order of the two sides from round to round.
 * Goals: 10,000 schedules start in < 1 s, lateness p99 < 10 ms; less memory and idle CPU than
 * cron-plus. Run: `npm run build && node dist/bench/run.js schedule` (BENCH_ROUNDS, BENCH_COUNTS,
 * BENCH_COMPARE_SCHEDULES, BENCH_IDLE_MS, BENCH_FIRE_MS, BENCH_SETTLE_MS override the defaults).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fmt } from './stats';

type Impl = 'ours' | 'cronplus';
type Phase = 'empty' | 'idle' | 'fire';
type Measured = Record<string, number>;

/**
 * cron-plus's start-up grows with the square of its schedule count (1,000 → 7 s, 4,000 → 82 s,
 * 10,000 → not done after 15 CPU-minutes), so the head-to-head runs at this count; ours alone runs
 * at each of COUNTS as well.
 */
/** 0 skips the head-to-head. */
const COMPARE_COUNT = process.env.BENCH_COMPARE_SCHEDULES
  ? Number(process.env.BENCH_COMPARE_SCHEDULES)
  : 2_000;
const COUNTS = (process.env.BENCH_COUNTS ?? '10000,50000')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;

function runChild(impl: Impl, phase: Phase, count: number): Promise<Measured> {
  const script = path.join(__dirname, 'schedule-child.js');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', script, impl, phase],
      { maxBuffer: 1 << 20, env: { ...process.env, BENCH_SCHEDULES: String(count) } },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${impl} ${phase} failed: ${stderr || err.message}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Measured);
      },
    );
  });
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function median(values: number[]): number {
  const s = sorted(values);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** "0.52 (0.49–0.60)": the median, then the lowest and highest round. */
function withSpread(values: number[], show: (n: number) => string): string {
  const s = sorted(values);
  if (s.length < 2) return show(median(values));
  return `${show(median(values))} (${show(s[0])}–${show(s[s.length - 1])})`;
}

export async function benchSchedule(): Promise<void> {
  console.log(`node ${process.version}`);
  if (COMPARE_COUNT > 0) await compare(COMPARE_COUNT, ['ours', 'cronplus']);
  for (const count of COUNTS) if (count !== COMPARE_COUNT) await compare(count, ['ours']);
}

type Series = {
  start: number[];
  startCpu: number[];
  perFiring: number[];
  heap: number[];
  cpu: number[];
  firings: number[];
  p50: number[];
  p99: number[];
};

async function compare(count: number, impls: Impl[]): Promise<void> {
  const empty = (): Series => ({
    start: [],
    startCpu: [],
    perFiring: [],
    heap: [],
    cpu: [],
    firings: [],
    p50: [],
    p99: [],
  });
  const seen: Record<Impl, Series> = { ours: empty(), cronplus: empty() };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Impl[] = round % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) {
      const none = await runChild(impl, 'empty', count);
      const idle = await runChild(impl, 'idle', count);
      const fire = await runChild(impl, 'fire', count);
      const series = seen[impl];
      series.start.push(idle.startMs - none.startMs);
      series.startCpu.push(idle.startCpuMs - none.startCpuMs);
      series.perFiring.push(fire.cpuUsPerFiring);
      series.heap.push(idle.heap - none.heap);
      series.cpu.push(idle.cpuMsPerS);
      series.firings.push(fire.firings);
      series.p50.push(fire.p50);
      series.p99.push(fire.p99);
    }
  }
  type Key = keyof Series;
  const rows: Array<[string, Key, (n: number) => string, boolean]> = [
    [`start-up with ${count} schedules (s)`, 'start', (n) => fmt(n / 1000, 2), true],
    [`start-up CPU for ${count} (s)`, 'startCpu', (n) => fmt(n / 1000, 2), true],
    [`heap for ${count} schedules (MB)`, 'heap', (n) => fmt(n / 1e6, 1), true],
    ['CPU while idle (ms per s)', 'cpu', (n) => fmt(n, 2), true],
    ['firings measured', 'firings', (n) => fmt(n, 0), false],
    ['lateness p50 (ms)', 'p50', (n) => fmt(n, 1), true],
    ['lateness p99 (ms)', 'p99', (n) => fmt(n, 1), true],
    ['CPU per firing (µs)', 'perFiring', (n) => fmt(n, 0), true],
  ];
  const both = impls.length > 1;
  console.log(
    `\nschedule: ${count} schedules in one node, median (lowest–highest) of ${ROUNDS} rounds` +
      (both ? ', alternating order' : ''),
  );
  console.log(
    'metric'.padEnd(34) +
      'recorder-schedule'.padStart(26) +
      (both ? 'cron-plus'.padStart(26) + 'ratio'.padStart(8) : ''),
  );
  for (const [label, key, show, ratio] of rows) {
    const ours = seen.ours[key];
    const theirs = seen.cronplus[key];
    console.log(
      label.padEnd(34) +
        withSpread(ours, show).padStart(26) +
        (both
          ? withSpread(theirs, show).padStart(26) +
            (ratio ? fmt(median(ours) / median(theirs), 2) : '').padStart(8)
          : ''),
    );
  }
  const p99 = median(seen.ours.p99);
  console.log(`goal lateness p99 < 10 ms: ${p99 < 10 ? 'met' : 'NOT met'} (${fmt(p99, 1)} ms)`);
  if (count === 10_000) {
    const start = median(seen.ours.start) / 1000;
    const cpu = median(seen.ours.startCpu) / 1000;
    console.log(
      `goal 10,000 schedules start in < 1 s: ${start < 1 ? 'met' : 'NOT met'} (${fmt(start, 2)} s; CPU ${fmt(cpu, 2)} s)`,
    );
  }
}
