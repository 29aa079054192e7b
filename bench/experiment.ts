/**
 * `npm run bench -- experiment`: the start spread of recorder-experiment (first to last
 * acknowledged start) over 100 starts with 2 motif cameras, one Aivero session and one RemotiveLabs
 * playback, against the spread of today's Experiment page flow measured in the same run, rounds
 * alternating; and the clock offsets the node measured against the simulators' configured clocks.
 *
 * Baseline (the page as it is): one message fans out at once to motif-action `recording/start`
 * (all cameras), aivero-action `setState Started` and remotive-playback `open` then `play`; each
 * acknowledgement is stamped when its node sends. A second baseline calls the three nodes one
 * after another. Simulators run in their own processes with their own clocks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Node } from 'node-red';
import { AiveroClient } from '../src/backends/aivero';
import { startChildSimulator, type ChildSimulator } from './child-simulator';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import { fmt, median, spread, summary } from './stats';
import { COLOR_RECORD } from './aivero-record';

const STARTS = Number(process.env.EXPERIMENT_STARTS ?? 100);
const SECRET = 'bench-admin-secret';
const CITY = 'drive/city-loop.recordingsession.yaml';
const HIGHWAY = 'drive/highway.recordingsession.yaml';
/** The simulators' clocks: ahead, behind, and right, all drifting. */
const CLOCKS = {
  motif: { offsetMs: 2500, driftPpm: 50 },
  aivero: { offsetMs: -800, driftPpm: 50 },
  remotive: { offsetMs: 0, driftPpm: 50 },
};
const clockArgs = (c: { offsetMs: number; driftPpm: number }): string[] => [
  '--clock-offset-ms',
  String(c.offsetMs),
  '--clock-drift-ppm',
  String(c.driftPpm),
];

type Msg = Record<string, unknown>;

/** Calls `fn` with every message `node` sends (the answer of an action node). */
function tap(node: Node, fn: (msg: Msg | Array<Msg | null>) => void): void {
  const send = node.send.bind(node);
  node.send = (msg: Msg | Array<Msg | null>) => {
    fn(msg);
    send(msg);
  };
}

/** The next message a tapped node sends (first output or any). */
class Waiter {
  private pending: Array<(msg: Msg | Array<Msg | null>) => void> = [];
  constructor(node: Node) {
    tap(node, (msg) => this.pending.shift()?.(msg));
  }
  next(timeoutMs = 20_000): Promise<Msg | Array<Msg | null>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      this.pending.push((msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
    });
  }
}

interface Sims {
  motif: ChildSimulator;
  aivero: ChildSimulator;
  remotive: ChildSimulator;
  caFile: string;
  dir: string;
  /** Local time each simulator started (its drift counts from there). */
  startedAt: Record<keyof typeof CLOCKS, number>;
}

async function startSims(): Promise<Sims> {
  const dir = mkdtempSync(path.join(tmpdir(), 'experiment-bench-'));
  const caFile = path.join(dir, 'ca.pem');
  const t0 = Date.now();
  const [motif, aivero, remotive] = await Promise.all([
    startChildSimulator(
      'motif',
      ['api', 'api key', 'certificate sha-256 fingerprint'],
      ['--streams', 'off', ...clockArgs(CLOCKS.motif)],
    ),
    startChildSimulator(
      'aivero',
      ['graphql'],
      ['--admin-secret', SECRET, '--cert-out', caFile, ...clockArgs(CLOCKS.aivero)],
    ),
    startChildSimulator('remotive', ['grpc'], clockArgs(CLOCKS.remotive)),
  ]);
  return { motif, aivero, remotive, caFile, dir, startedAt: { motif: t0, aivero: t0, remotive: t0 } };
}

/** Two Standby sessions: one for the experiment node, one for the page flow. */
async function standbySessions(url: string, ca: string): Promise<[string, string]> {
  const client = new AiveroClient({ endpoint: url, adminSecret: SECRET, tls: { ca } });
  try {
    const make = async (name: string): Promise<string> =>
      (
        await client.createSession({
          name,
          always: true,
          state: 'Standby',
          records: [COLOR_RECORD],
        })
      ).sessionId;
    return [await make('bench-experiment'), await make('bench-page')];
  } finally {
    await client.close();
  }
}

function flow(sims: Sims, ca: string, sessions: [string, string]): Array<Record<string, unknown>> {
  const api = new URL(sims.motif.lines.api);
  const action = (id: string, operation: string): Record<string, unknown> => ({
    id,
    type: 'motif-action',
    z: 'tab',
    server: 'srv-m',
    operation,
    camera: '',
    output: '',
    parameter: '',
    task: '',
    ioSerial: '',
    ioPort: '',
    args: '',
    wait: false,
    waitTimeout: 600,
    wires: [[]],
  });
  const aivero = (id: string, state: string): Record<string, unknown> => ({
    id,
    type: 'aivero-action',
    z: 'tab',
    server: 'srv-a',
    operation: 'setState',
    state,
    session: sessions[1],
    cameraModel: '',
    cameraSerial: '',
    sessionSpec: '',
    wait: false,
    waitTimeout: 5,
    wires: [[]],
  });
  const playback = (id: string, operation: string, wires: string[] = []): Record<string, unknown> => ({
    id,
    type: 'remotive-playback',
    z: 'tab',
    broker: 'srv-r',
    operation,
    path: HIGHWAY,
    recursive: false,
    force: false,
    offset: '',
    start: '',
    end: '',
    closeOnStop: false,
    wires: [wires],
  });
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'srv-m',
      type: 'motif-server',
      host: '127.0.0.1',
      port: Number(api.port),
      tlsMode: 'fingerprint',
      fingerprint: sims.motif.lines['certificate sha-256 fingerprint'],
      timeout: 10,
    },
    {
      id: 'srv-a',
      type: 'aivero-server',
      endpoint: sims.aivero.lines.graphql,
      auth: 'admin',
      tlsMode: 'ca',
      ca,
      timeout: 10,
    },
    {
      id: 'srv-r',
      type: 'remotive-broker',
      url: `http://${new URL(sims.remotive.lines.grpc).host}`,
      ca: '',
      timeout: 10,
    },
    {
      id: 'exp',
      type: 'recorder-experiment',
      z: 'tab',
      experiment: 'bench',
      participants: [
        { kind: 'motif', server: 'srv-m', cameras: '' },
        { kind: 'aivero', server: 'srv-a', session: sessions[0] },
        { kind: 'remotive', server: 'srv-r', path: CITY, offset: '0' },
      ],
      onFailure: 'stop',
      onClose: 'stop',
      pulseOutput: '',
      pulseMs: 100,
      clockEvery: 3600,
      wires: [[], []],
    },
    action('m-start', 'recording/start'),
    action('m-stop', 'recording/stop'),
    aivero('a-start', 'Started'),
    aivero('a-standby', 'Standby'),
    playback('r-open', 'open', ['r-play']),
    playback('r-play', 'play'),
    playback('r-pause', 'pause', ['r-close']),
    playback('r-close', 'close'),
  ];
}

interface ExperimentRound {
  spreadMs: number;
  clocks: Array<{ kind: string; errorMs: number; uncertaintyMs: number }>;
}

export async function benchExperiment(): Promise<void> {
  const sims = await startSims();
  let red: EmbeddedNodeRed | undefined;
  try {
    const ca = readFileSync(sims.caFile, 'utf8');
    const sessions = await standbySessions(sims.aivero.lines.graphql, ca);
    red = await startNodeRed(flow(sims, ca, sessions), {
      'srv-m': { apiKey: sims.motif.lines['api key'] },
      'srv-a': { adminSecret: SECRET },
    });
    const node = (id: string): Node => (red as EmbeddedNodeRed).getNode(id);
    const exp = new Waiter(node('exp'));
    const waiters = Object.fromEntries(
      ['m-start', 'm-stop', 'a-start', 'a-standby', 'r-play', 'r-close'].map((id) => [
        id,
        new Waiter(node(id)),
      ]),
    );
    const call = async (id: string, msg: Msg = {}): Promise<number> => {
      const answered = waiters[id].next();
      node(id).receive(msg);
      await answered;
      return performance.now();
    };
    const callOpen = async (): Promise<number> => {
      const played = waiters['r-play'].next();
      node('r-open').receive({});
      await played;
      return performance.now();
    };
    const stopPage = async (): Promise<void> => {
      await Promise.all([call('m-stop'), call('a-standby')]);
      const closed = waiters['r-close'].next();
      node('r-pause').receive({});
      await closed;
    };

    const experiment = async (): Promise<ExperimentRound> => {
      let answer = exp.next();
      node('exp').receive({ action: 'start' });
      const started = (await answer) as Array<Msg | null>;
      const info = started[1]?.experiment as { spreadMs: number; state: string };
      if (info.state !== 'running')
        throw new Error(`experiment did not start: ${JSON.stringify(started[1]?.payload)}`);
      answer = exp.next();
      node('exp').receive({ action: 'stop' });
      const stopped = (await answer) as Array<Msg | null>;
      const manifest = stopped[0]?.payload as {
        systems: Array<{
          kind: keyof typeof CLOCKS;
          clock: { measurements: Array<{ at: string; offsetMs: number; uncertaintyMs: number }> };
        }>;
      };
      const clocks = manifest.systems.flatMap((s) =>
        s.clock.measurements.map((m) => {
          const at = Date.parse(m.at);
          const c = CLOCKS[s.kind];
          // The remotive figure is the playback's lag (its clock offset does not move playback).
          const truth =
            s.kind === 'remotive' ? 0 : c.offsetMs + ((at - sims.startedAt[s.kind]) * c.driftPpm) / 1e6;
          return { kind: s.kind, errorMs: m.offsetMs - truth, uncertaintyMs: m.uncertaintyMs };
        }),
      );
      return { spreadMs: info.spreadMs, clocks };
    };
    const page = async (): Promise<number> => {
      const acks = await Promise.all([call('m-start'), call('a-start'), callOpen()]);
      const ms = Math.max(...acks) - Math.min(...acks);
      await stopPage();
      return ms;
    };
    const oneByOne = async (): Promise<number> => {
      const acks = [await call('m-start'), await call('a-start'), await callOpen()];
      const ms = Math.max(...acks) - Math.min(...acks);
      await stopPage();
      return ms;
    };

    console.log(
      `\nrecorder-experiment start spread vs today's Experiment page flow (${STARTS} starts each, rounds alternating; 2 motif cameras, 1 Aivero Standby session, 1 playback; simulators in their own processes, Node ${process.version})`,
    );
    // Warm-up: connections made, code paths compiled.
    await experiment();
    await page();
    const rounds = { exp: [] as ExperimentRound[], page: [] as number[], serial: [] as number[] };
    const t0 = Date.now();
    for (let i = 0; i < STARTS; i++) {
      const order: Array<() => Promise<void>> = [
        async () => void rounds.exp.push(await experiment()),
        async () => void rounds.page.push(await page()),
        async () => void rounds.serial.push(await oneByOne()),
      ];
      // Rotate the order so warm-up and load favour none.
      for (let k = 0; k < order.length; k++) await order[(i + k) % order.length]();
    }
    const seconds = (Date.now() - t0) / 1000;
    const spreads = rounds.exp.map((r) => r.spreadMs);
    const blocks = (values: number[]): number[] => {
      const out: number[] = [];
      for (let i = 0; i < values.length; i += 10) out.push(median(values.slice(i, i + 10)));
      return out;
    };
    const row = (name: string, values: number[]): void => {
      const s = summary(values);
      console.log(
        `  ${name.padEnd(34)} | ${fmt(s.p50, 1).padStart(6)} | ${fmt(s.p99, 1).padStart(6)} | ${spread(blocks(values), 1)}`,
      );
    };
    console.log(
      '  start spread (ms)                  |    p50 |    p99 | median of 10-start blocks (min–max)',
    );
    row('recorder-experiment (arm, release)', spreads);
    row('page flow (fan-out, open then play)', rounds.page);
    row('one node after another', rounds.serial);
    const ratio = (base: number[]): string => fmt(median(base) / Math.max(median(spreads), 0.001), 1);
    console.log(
      `  page flow / experiment: ${ratio(rounds.page)}×; one after another / experiment: ${ratio(rounds.serial)}× (p50)`,
    );
    console.log(`  ${STARTS * 3} starts in ${fmt(seconds, 0)} s`);

    console.log(
      '\nclock offset measured vs the simulator clocks (motif +2.5 s, Aivero −0.8 s, RemotiveLabs 0; 50 ppm each)',
    );
    console.log(
      '  system   | measurements | |error| p50 / p99 ms | stated uncertainty p50 / p99 ms | within its uncertainty',
    );
    for (const kind of Object.keys(CLOCKS)) {
      const all = rounds.exp.flatMap((r) => r.clocks.filter((c) => c.kind === kind));
      if (all.length === 0) continue;
      const err = summary(all.map((c) => Math.abs(c.errorMs)));
      const unc = summary(all.map((c) => c.uncertaintyMs));
      const within = all.filter((c) => Math.abs(c.errorMs) <= c.uncertaintyMs).length;
      console.log(
        `  ${kind.padEnd(8)} | ${String(all.length).padStart(12)} | ${fmt(err.p50, 2)} / ${fmt(err.p99, 2)} | ${fmt(unc.p50, 2)} / ${fmt(unc.p99, 2)} | ${within}/${all.length}`,
      );
    }
  } finally {
    await red?.stop();
    await Promise.all([sims.motif.stop(), sims.aivero.stop(), sims.remotive.stop()]);
    rmSync(sims.dir, { recursive: true, force: true });
  }
}
