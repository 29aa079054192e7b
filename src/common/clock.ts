/**
 * Measuring another system's clock against ours, NTP-style, from whatever time a system tells:
 * motif's `schedule.now`, an HTTP `Date` header (whole seconds), a playback position. No Node-RED
 * imports; each backend turns one of its calls into a `ClockSample`, this file does the arithmetic.
 *
 * One sample says: the server read its clock somewhere between our `sentMs` and `receivedMs`, and
 * its reading `serverMs` is its time cut down to `resolutionMs`. So the offset (server − local) lies
 * in `[serverMs − receivedMs, serverMs + resolutionMs − sentMs]`. Intersecting several samples'
 * intervals narrows it; for a coarse clock (1 s) the samples are placed around the server's next
 * tick so that the tick itself is caught (`measureClock`). The estimate is the interval's middle,
 * its uncertainty half its width: with a fine clock that is half the shortest round trip.
 */

export interface ClockSample {
  /** Local wall-clock time (ms since the epoch) when the request left. */
  sentMs: number;
  /** Local wall-clock time when the answer arrived. */
  receivedMs: number;
  /** The server's time as it said it (ms since the epoch, or another time base the caller names). */
  serverMs: number;
  /** The server's reading is its time cut down to this step (1000 for an HTTP Date header). */
  resolutionMs: number;
}

export interface ClockEstimate {
  /** Local wall-clock time the estimate is for (the middle of the samples used). */
  atMs: number;
  /** Server time − local time. */
  offsetMs: number;
  /** The true offset lies within ± this (half the width of the samples' common interval). */
  uncertaintyMs: number;
  /** The server clock's reading step. */
  resolutionMs: number;
  /** The shortest round trip among the samples. */
  roundTripMs: number;
  samples: number;
}

export interface DriftFit {
  /** Server clock rate − 1, in parts per million (positive: the server clock runs fast). */
  driftPpm: number;
  /** Offset at `atMs` on the fitted line. */
  offsetMs: number;
  atMs: number;
  /** Estimates the line is fitted to. */
  points: number;
}

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** The interval of offsets one sample allows. */
function bounds(sample: ClockSample): [number, number] {
  return [sample.serverMs - sample.receivedMs, sample.serverMs + sample.resolutionMs - sample.sentMs];
}

/**
 * The offset all samples agree on. Samples that contradict the others (a clock stepped while we
 * measured) are left out from the newest backwards: what remains is the latest consistent story.
 */
export function estimateOffset(samples: readonly ClockSample[]): ClockEstimate | undefined {
  if (samples.length === 0) return undefined;
  let lo = -Infinity;
  let hi = Infinity;
  const used: ClockSample[] = [];
  for (const sample of [...samples].reverse()) {
    const [a, b] = bounds(sample);
    if (Math.max(lo, a) > Math.min(hi, b)) continue;
    lo = Math.max(lo, a);
    hi = Math.min(hi, b);
    used.push(sample);
  }
  const first = Math.min(...used.map((s) => s.sentMs));
  const last = Math.max(...used.map((s) => s.receivedMs));
  return {
    atMs: Math.round((first + last) / 2),
    offsetMs: round((lo + hi) / 2),
    uncertaintyMs: round((hi - lo) / 2),
    resolutionMs: used[0]?.resolutionMs ?? 0,
    roundTripMs: round(Math.min(...used.map((s) => s.receivedMs - s.sentMs))),
    samples: used.length,
  };
}

/** Least-squares line through the estimates (offset against local time): the drift over a run. */
export function fitDrift(estimates: readonly ClockEstimate[]): DriftFit | undefined {
  if (estimates.length < 2) return undefined;
  const t0 = estimates[0]?.atMs ?? 0;
  const n = estimates.length;
  let sx = 0;
  let sy = 0;
  for (const e of estimates) {
    sx += e.atMs - t0;
    sy += e.offsetMs;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const e of estimates) {
    const dx = e.atMs - t0 - mx;
    sxx += dx * dx;
    sxy += dx * (e.offsetMs - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { driftPpm: round(slope * 1e6, 2), offsetMs: round(my), atMs: Math.round(t0 + mx), points: n };
}

export interface MeasureOptions {
  /** Stop once the uncertainty is at most this (default: 5 ms). */
  targetMs?: number;
  /** Samples per round (default 5, 8 for a coarse clock: placed across its next tick). */
  perRound?: number;
  /** Rounds of placed samples for a coarse clock, at most (default 2: 1 s → about 110 ms → about 12 ms). */
  rounds?: number;
  signal?: AbortSignal;
}

const sleepUntil = (atMs: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const wait = atMs - localNowMs();
    if (wait <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, wait);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Measures a clock with `sample`. A fine clock (its step below the round trip): `perRound`
 * samples one after another, intersected. A coarse one (an HTTP Date header): a first sample, then
 * rounds of samples timed so that each would see the server's next tick if the offset were one of
 * `perRound` candidates spread over the interval still open; each round cuts the interval by about
 * nine (1 s → about 110 ms → about 12 ms, down to the round trip). A failed sample fails
 * the measurement.
 */
export async function measureClock(
  sample: () => Promise<ClockSample>,
  options: MeasureOptions = {},
): Promise<ClockEstimate> {
  const targetMs = options.targetMs ?? 5;
  const perRound = options.perRound ?? 5;
  const placed = options.perRound ?? 8;
  const samples: ClockSample[] = [await sample()];
  const first = samples[0];
  const roundTrip = first.receivedMs - first.sentMs;
  if (first.resolutionMs <= Math.max(roundTrip, 1)) {
    for (let i = 1; i < perRound && !options.signal?.aborted; i++) samples.push(await sample());
    return estimateOffset(samples) as ClockEstimate;
  }
  for (let round = 0; round < (options.rounds ?? 2) && !options.signal?.aborted; round++) {
    const now = estimateOffset(samples) as ClockEstimate;
    if (now.uncertaintyMs <= targetMs) break;
    const lo = now.offsetMs - now.uncertaintyMs;
    const width = 2 * now.uncertaintyMs;
    const res = first.resolutionMs;
    const halfTrip = (Math.min(...samples.map((s) => s.receivedMs - s.sentMs)) || 1) / 2;
    // The earliest local time a probe can reach the server: a little from now.
    const earliest = localNowMs() + 20 + halfTrip;
    const probes: Array<Promise<ClockSample>> = [];
    for (let i = 1; i <= placed; i++) {
      const candidate = lo + (width * i) / (placed + 1);
      // The local time at which the server ticks if the offset were `candidate`.
      let tick = Math.ceil((earliest + candidate) / res) * res - candidate;
      if (tick < earliest) tick += res;
      probes.push(sleepUntil(tick - halfTrip, options.signal).then(sample));
    }
    samples.push(...(await Promise.all(probes)));
  }
  return estimateOffset(samples) as ClockEstimate;
}

let base = Date.now() - performance.now();

/**
 * Local wall-clock time in ms with sub-millisecond steps (Date.now() alone counts whole ms, which
 * would add up to 1 ms to every bound). Follows the wall clock when it is stepped.
 */
export function localNowMs(): number {
  const now = base + performance.now();
  const wall = Date.now();
  if (Math.abs(now - wall) > 1) {
    base = wall - performance.now();
    return wall;
  }
  return now;
}
