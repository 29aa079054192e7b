/**
 * 10,000 active schedules in one node: recorder-schedule next to node-red-contrib-cron-plus (the
 * devDependency, 1.5.7) in the same run. Each side runs in its own child process with an embedded
 * Node-RED (memory and CPU are per process), alternating order over rounds. Measures heap growth for
 * the schedules, CPU while idle (no firing in the window), and firing lateness p50/p99 with 10,000
 * once-a-minute schedules spread over the seconds (~167 firings/s).
 * Goal: lateness p99 < 10 ms; less memory and idle CPU than cron-plus. Also printed: the extra
 * start-up time of a flow holding the 10,000 schedules (cron-plus: minutes).
 * Run: `npm run build && node dist/bench/run.js schedule` (BENCH_ROUNDS, BENCH_SCHEDULES, BENCH_IDLE_MS,
 * BENCH_FIRE_MS override the defaults).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fmt } from './stats';

type Impl = 'ours' | 'cronplus';
type Phase = 'empty' | 'idle' | 'fire';
type Measured = Record<string, number>;

/** cron-plus needs minutes to start with 10,000 schedules, so one round by default. */
const COUNT = Number(process.env.BENCH_SCHEDULES) || 10_000;
/**
 * cron-plus's start-up grows with the square of its schedule count (1,000 → 7 s, 4,000 → 82 s,
 * 10,000 → not done after 15 CPU-minutes), so the head-to-head runs at this count and ours alone
 * runs at COUNT as well.
 */
const COMPARE_COUNT = Number(process.env.BENCH_COMPARE_SCHEDULES) || 2_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 1;

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

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

export async function benchSchedule(): Promise<void> {
  await compare(COMPARE_COUNT, ['ours', 'cronplus']);
  if (COUNT !== COMPARE_COUNT) await compare(COUNT, ['ours']);
}

async function compare(count: number, impls: Impl[]): Promise<void> {
  const seen: Record<
    Impl,
    { start: number[]; heap: number[]; cpu: number[]; firings: number[]; p50: number[]; p99: number[] }
  > = {
    ours: { start: [], heap: [], cpu: [], firings: [], p50: [], p99: [] },
    cronplus: { start: [], heap: [], cpu: [], firings: [], p50: [], p99: [] },
  };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Impl[] = round % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) {
      const empty = await runChild(impl, 'empty', count);
      const idle = await runChild(impl, 'idle', count);
      const fire = await runChild(impl, 'fire', count);
      seen[impl].start.push(idle.startMs - empty.startMs);
      seen[impl].heap.push(idle.heap - empty.heap);
      seen[impl].cpu.push(idle.cpuMsPerS);
      seen[impl].firings.push(fire.firings);
      seen[impl].p50.push(fire.p50);
      seen[impl].p99.push(fire.p99);
    }
  }
  type Key = keyof (typeof seen)['ours'];
  const rows: Array<[string, Key, (n: number) => string, boolean]> = [
    [`start-up with ${count} schedules (s)`, 'start', (n) => fmt(n / 1000, 2), true],
    [`heap for ${count} schedules (MB)`, 'heap', (n) => fmt(n / 1e6, 1), true],
    ['CPU while idle (ms per s)', 'cpu', (n) => fmt(n, 2), true],
    ['firings measured', 'firings', (n) => String(n), false],
    ['lateness p50 (ms)', 'p50', (n) => fmt(n, 1), true],
    ['lateness p99 (ms)', 'p99', (n) => fmt(n, 1), true],
  ];
  const both = impls.length > 1;
  console.log(
    `\nschedule: ${count} schedules in one node, median of ${ROUNDS} rounds${both ? ' (alternating order)' : ''}`,
  );
  console.log(
    'metric'.padEnd(34) + 'recorder-schedule'.padStart(18) + 'cron-plus'.padStart(12) + 'ratio'.padStart(9),
  );
  for (const [label, key, show, ratio] of rows) {
    const ours = median(seen.ours[key]);
    const theirs = both ? median(seen.cronplus[key]) : NaN;
    console.log(
      label.padEnd(34) +
        show(ours).padStart(18) +
        (both ? show(theirs) : 'not run').padStart(12) +
        (ratio && both ? fmt(ours / theirs, 2) : '').padStart(9),
    );
  }
  const p99 = median(seen.ours.p99);
  console.log(`goal lateness p99 < 10 ms: ${p99 < 10 ? 'met' : 'NOT met'} (${fmt(p99, 1)} ms)`);
}
