/** Small statistics helpers shared by the benchmarks. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summary(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
}

export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

/** Run `task` with `concurrency` workers until `total` tasks ran; returns per-task latencies (ms). */
export async function runConcurrent(
  total: number,
  concurrency: number,
  task: () => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let started = 0;
  const t0 = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (started < total) {
      started++;
      const s = process.hrtime.bigint();
      await task();
      latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** "median (min–max)" of a set of rounds. */
export function spread(values: number[], digits = 0): string {
  if (values.length === 0) return 'n/a';
  return `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
}

/**
 * Runs two measurements in alternating order (A B, B A, A B, …) for `rounds` rounds, so warm-up,
 * GC debt and machine load favour neither; returns every round of each, not the best one.
 */
export async function alternate<T>(
  rounds: number,
  a: () => Promise<T>,
  b: () => Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const out = { a: [] as T[], b: [] as T[] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

/** CPU time (user + system) of this process spent in `fn`, in microseconds. */
export async function withCpu<T>(fn: () => Promise<T>): Promise<{ value: T; cpuUs: number }> {
  const before = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(before);
  return { value, cpuUs: used.user + used.system };
}

/**
 * Runs several measurements `rounds` times, the order rotating each round (A B C, B C A, C A B,
 * …) so that no path always runs first or last; returns every round of each, in input order.
 */
export async function rotate<T>(rounds: number, runs: Array<() => Promise<T>>): Promise<T[][]> {
  const out: T[][] = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < runs.length; k++) {
      const i = (round + k) % runs.length;
      out[i].push(await runs[i]());
    }
  }
  return out;
}
