/**
 * `npm run bench -- aivero-client`: the Aivero client next to raw graphql-request on the same simulator
 * (in its own process) in the same run.
 *
 * - set-state round trips: AiveroClient.setState vs a raw graphql-request call of the vendor's
 *   mutation (same undici Agent settings), concurrency 1 and 16, alternating rounds; the median
 *   throughput of each side with its spread (min–max over rounds).
 * - trigger latency: one call at a time, mutation sent → acknowledged, p50/p99 for both.
 * - watch latency: state written → SessionWatch `change` event, p50/p99, with the simulator's
 *   refetch interval at 1 s and at 50 ms (goal: p99 at most the interval plus 5 ms).
 *
 * The node-level comparison (aivero-action in a running flow) needs the aivero nodes; this one
 * measures the backend they will use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { AiveroClient, type StateChange } from '../src/backends/aivero';
import { UPDATE_RECORDING_SESSION_STATE } from '../src/backends/aivero/documents';
import { startChildSimulator, type ChildSimulator } from './child-simulator';
import { fmt, runConcurrent, summary } from './stats';

type GraphqlRequestModule = typeof import('graphql-request', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const graphqlRequest = require('graphql-request') as GraphqlRequestModule;

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5;
const CALLS = Number(process.env.BENCH_CALLS) || 300;
const WATCH_SAMPLES_SLOW = Number(process.env.BENCH_WATCH_SAMPLES_SLOW) || 20;
const WATCH_SAMPLES_FAST = Number(process.env.BENCH_WATCH_SAMPLES_FAST) || 100;
const SECRET = 'bench-secret';

interface Sim {
  child: ChildSimulator;
  url: string;
  ca: string;
  dir: string;
}

async function startSim(refetchMs: number): Promise<Sim> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aivero-bench-'));
  const cert = path.join(dir, 'ca.pem');
  const child = await startChildSimulator(
    'aivero',
    ['graphql'],
    ['--admin-secret', SECRET, '--refetch-ms', String(refetchMs), '--cert-out', cert],
  );
  return { child, url: child.lines.graphql, ca: readFileSync(cert, 'utf8'), dir };
}

async function stopSim(sim: Sim): Promise<void> {
  await sim.child.stop();
  rmSync(sim.dir, { recursive: true, force: true });
}

/** The baseline: graphql-request as a user would wire it, with the same Agent settings. */
function rawSetState(sim: Sim): {
  call: (id: string, state: string) => Promise<void>;
  close: () => Promise<void>;
} {
  const agent = new Agent({ connections: 16, keepAliveTimeout: 30_000, connect: { ca: sim.ca } });
  const fetchWithAgent = ((url: string | URL, init?: object) =>
    undiciFetch(url, { ...init, dispatcher: agent })) as unknown as typeof fetch;
  const client = new graphqlRequest.GraphQLClient(sim.url, {
    headers: { 'x-hasura-admin-secret': SECRET },
    fetch: fetchWithAgent,
  });
  return {
    call: async (id, state) => {
      await client.request(UPDATE_RECORDING_SESSION_STATE, { id, state });
    },
    close: () => agent.close(),
  };
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (values: number[]): string => `${fmt(Math.min(...values), 0)}–${fmt(Math.max(...values), 0)}`;

async function roundTrips(sim: Sim, client: AiveroClient, sessionId: string): Promise<void> {
  const raw = rawSetState(sim);
  try {
    let flip = 0;
    const next = (): string => (flip++ % 2 ? 'Started' : 'Standby');
    // Warm both paths (connections, introspection) before measuring.
    await runConcurrent(50, 4, () => raw.call(sessionId, next()));
    await runConcurrent(50, 4, async () => void (await client.setState(sessionId, next())));
    for (const concurrency of [1, 16]) {
      const ours: number[] = [];
      const theirs: number[] = [];
      const oursLatency: number[] = [];
      const rawLatency: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which side goes first, so drift in the machine's load hits both alike.
        const order = round % 2 ? ['ours', 'raw'] : ['raw', 'ours'];
        for (const side of order) {
          const result =
            side === 'ours'
              ? await runConcurrent(
                  CALLS,
                  concurrency,
                  async () => void (await client.setState(sessionId, next())),
                )
              : await runConcurrent(CALLS, concurrency, () => raw.call(sessionId, next()));
          (side === 'ours' ? ours : theirs).push(CALLS / result.seconds);
          if (concurrency === 1) (side === 'ours' ? oursLatency : rawLatency).push(...result.latencies);
        }
      }
      const ratio = (100 * median(ours)) / median(theirs);
      console.log(
        `aivero set-state, concurrency ${concurrency}: client ${fmt(median(ours), 0)}/s (${spread(ours)}), ` +
          `raw graphql-request ${fmt(median(theirs), 0)}/s (${spread(theirs)}) → ${fmt(ratio, 1)} % of raw (goal ≥ 90 %)`,
      );
      if (concurrency === 1) {
        const a = summary(oursLatency);
        const b = summary(rawLatency);
        console.log(
          `aivero trigger latency (mutation acknowledged): client p50 ${fmt(a.p50)} ms p99 ${fmt(a.p99)} ms, ` +
            `raw p50 ${fmt(b.p50)} ms p99 ${fmt(b.p99)} ms`,
        );
      }
    }
  } finally {
    await raw.close();
  }
}

async function watchLatency(sim: Sim, refetchMs: number, samples: number): Promise<void> {
  const client = new AiveroClient({ endpoint: sim.url, adminSecret: SECRET, tls: { ca: sim.ca } });
  const raw = rawSetState(sim);
  try {
    const camera = (await client.listCameras())[0];
    const { sessionId } = await client.createSession({
      name: 'bench-watch',
      state: 'Stopped',
      records: [
        {
          camera: { id: camera.id },
          streams: [
            { type: 'color', encoder: 'HEVC', width: 1280, height: 720, bitrate: 1000000, frameRate: 30 },
          ],
        },
      ],
    });
    const watch = client.watchSession(sessionId, { protocols: ['graphql-transport-ws'] });
    let waiting: ((change: StateChange) => void) | undefined;
    watch.on('change', (change: StateChange) => waiting?.(change));
    await new Promise<void>((resolve) => watch.once('healthy', () => resolve()));
    const latencies: number[] = [];
    const afterAck: number[] = [];
    let state = 'Stopped';
    for (let i = 0; i < samples; i++) {
      state = state === 'Started' ? 'Standby' : 'Started';
      const target = state;
      const seen = new Promise<number>((resolve) => {
        waiting = (change) => {
          if (change.state === target) resolve(performance.now());
        };
      });
      // A random phase against the refetch ticks: writing right after an event would always land
      // just after a tick and measure the worst case every time.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * refetchMs));
      const t0 = performance.now();
      await raw.call(sessionId, target);
      const acked = performance.now();
      const at = await seen;
      latencies.push(at - t0);
      // From the acknowledgement: the row is committed by then (the event may even come first).
      afterAck.push(Math.max(0, at - acked));
    }
    const s = summary(latencies);
    const a = summary(afterAck);
    const verdict = a.p99 <= refetchMs + 5 ? 'within' : 'over';
    console.log(
      `aivero watch latency at refetch ${refetchMs} ms (${samples} changes): p50 ${fmt(s.p50, 1)} ms, ` +
        `p99 ${fmt(s.p99, 1)} ms from the mutation sent; p50 ${fmt(a.p50, 1)} ms, p99 ${fmt(a.p99, 1)} ms from its ` +
        `acknowledgement (${verdict} the goal of ${refetchMs + 5} ms)`,
    );
    await watch.close();
  } finally {
    await raw.close();
    await client.close();
  }
}

export async function benchAiveroClient(): Promise<void> {
  const fast = await startSim(50);
  try {
    const client = new AiveroClient({ endpoint: fast.url, adminSecret: SECRET, tls: { ca: fast.ca } });
    try {
      const camera = (await client.listCameras())[0];
      const { sessionId } = await client.createSession({
        name: 'bench-state',
        state: 'Stopped',
        records: [
          {
            camera: { id: camera.id },
            streams: [
              { type: 'color', encoder: 'HEVC', width: 1280, height: 720, bitrate: 1000000, frameRate: 30 },
            ],
          },
        ],
      });
      await roundTrips(fast, client, sessionId);
    } finally {
      await client.close();
    }
    await watchLatency(fast, 50, WATCH_SAMPLES_FAST);
  } finally {
    await stopSim(fast);
  }
  const slow = await startSim(1000);
  try {
    await watchLatency(slow, 1000, WATCH_SAMPLES_SLOW);
  } finally {
    await stopSim(slow);
  }
}
