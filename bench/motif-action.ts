/**
 * motif-action throughput, latency and CPU per request inside a running Node-RED flow, next to raw
 * undici requests to the same simulator in the same run. Rounds alternate between the two paths;
 * each figure is the median of the rounds with their range. Goal: the node path keeps ≥ 90 % of
 * raw throughput at concurrency 1, 16 and 64. Both sides use the same pool shape (the motif
 * client's 16 keep-alive connections, no pipelining), so the ratio measures per-request overhead.
 */
import tls from 'node:tls';
import { Pool } from 'undici';
import { startChildSimulator } from './child-simulator';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import { alternate, fmt, median, runConcurrent, spread, summary, withCpu } from './stats';

type Result = { rps: number; p50: number; p99: number; cpuUs: number };

interface Target {
  port: number;
  apiKey: string;
  fingerprint: string;
}

const TOTAL = Number(process.env.BENCH_REQUESTS) || 3000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5;
/** The motif client's pool size (DEFAULT_CONNECTIONS in backends/motif/client.ts). */
const POOL_CONNECTIONS = 16;
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
/** For profiling one side alone (`node --cpu-prof`): BENCH_SIDE=node or raw. */
const SIDE = process.env.BENCH_SIDE;

async function rawUndici(sim: Target, concurrency: number): Promise<Result> {
  const pool = new Pool(`https://127.0.0.1:${sim.port}`, {
    connections: Math.min(concurrency, POOL_CONNECTIONS),
    pipelining: 1,
    // The same trust as the node (fingerprint pin, checked once per connection), done by hand.
    connect: { rejectUnauthorized: false } as tls.ConnectionOptions,
  });
  const task = async (): Promise<void> => {
    const res = await pool.request({
      path: '/version',
      method: 'GET',
      headers: { 'x-api-key': sim.apiKey, 'content-type': 'application/json' },
    });
    await res.body.json();
  };
  for (let i = 0; i < 200; i++) await task(); // warm-up
  const { value, cpuUs } = await withCpu(() => runConcurrent(TOTAL, concurrency, task));
  await pool.close();
  const s = summary(value.latencies);
  return { rps: TOTAL / value.seconds, p50: s.p50, p99: s.p99, cpuUs: cpuUs / TOTAL };
}

async function nodePath(
  red: EmbeddedNodeRed,
  concurrency: number,
  from = 'act',
  to = 'out',
): Promise<Result> {
  const act = red.getNode(from);
  const out = red.getNode(to);
  const pending = new Map<string, () => void>();
  let seq = 0;
  const onOutput = (msg: { benchId: string }): void => pending.get(msg.benchId)?.();
  const emitter = out as unknown as NodeJS.EventEmitter;
  emitter.on('input', onOutput);
  const task = (): Promise<void> =>
    new Promise((resolve) => {
      const id = String(seq++);
      pending.set(id, () => {
        pending.delete(id);
        resolve();
      });
      act.receive({ benchId: id, payload: null });
    });
  for (let i = 0; i < 200; i++) await task();
  const { value, cpuUs } = await withCpu(() => runConcurrent(TOTAL, concurrency, task));
  emitter.off('input', onOutput);
  const s = summary(value.latencies);
  return { rps: TOTAL / value.seconds, p50: s.p50, p99: s.p99, cpuUs: cpuUs / TOTAL };
}

export async function benchMotifAction(): Promise<void> {
  const child = await startChildSimulator('motif', ['api', 'api key', 'certificate sha-256 fingerprint']);
  const url = new URL(child.lines.api);
  const sim: Target = {
    port: Number(url.port),
    apiKey: child.lines['api key'],
    fingerprint: child.lines['certificate sha-256 fingerprint'],
  };
  let red: EmbeddedNodeRed | undefined;
  try {
    console.log(
      `\nmotif-action vs raw undici (${TOTAL} GET /version per round, ${ROUNDS} alternating rounds, HTTPS on loopback, simulator in its own process, Node ${process.version})`,
    );
    console.log('median (min–max) of the rounds; ratio = median of the per-round ratios');
    console.log(
      'concurrency | raw req/s | node req/s | ratio | raw CPU µs/req | node CPU µs/req | raw p50/p99 ms | node p50/p99 ms',
    );
    red = await startNodeRed(
      [
        { id: 'tab', type: 'tab' },
        {
          id: 'srv',
          type: 'motif-server',
          host: '127.0.0.1',
          port: sim.port,
          tlsMode: 'fingerprint',
          fingerprint: sim.fingerprint,
          timeout: 10,
        },
        {
          id: 'act',
          type: 'motif-action',
          z: 'tab',
          server: 'srv',
          operation: 'version',
          args: '',
          x: 100,
          y: 100,
          wires: [['out']],
        },
        { id: 'out', type: 'debug', z: 'tab', active: false, x: 300, y: 100, wires: [] },
        // Node-RED's own cost of a message in and out of one node, for scale (no network).
        { id: 'echo', type: 'change', z: 'tab', rules: [], x: 100, y: 200, wires: [['echo-out']] },
        { id: 'echo-out', type: 'debug', z: 'tab', active: false, x: 300, y: 200, wires: [] },
      ],
      { srv: { apiKey: sim.apiKey } },
    );
    const floor = await nodePath(red, 16, 'echo', 'echo-out');
    console.log(
      `Node-RED alone (a change node without rules, no network), concurrency 16: ${fmt(floor.cpuUs, 1)} µs CPU per message`,
    );
    for (const concurrency of CONCURRENCY) {
      if (SIDE === 'node' || SIDE === 'raw') {
        const run = SIDE === 'node' ? () => nodePath(red!, concurrency) : () => rawUndici(sim, concurrency);
        for (let round = 0; round < ROUNDS; round++) {
          const r = await run();
          console.log(`${SIDE} c=${concurrency}: ${fmt(r.rps, 0)} req/s, ${fmt(r.cpuUs, 1)} µs CPU/req`);
        }
        continue;
      }
      const { a: raw, b: node } = await alternate(
        ROUNDS,
        () => rawUndici(sim, concurrency),
        () => nodePath(red!, concurrency),
      );
      const ratios = raw.map((r, i) => node[i].rps / r.rps);
      const ratio = median(ratios);
      const pct = (values: number[]): string =>
        spread(
          values.map((v) => v * 100),
          1,
        );
      const rps = (rs: Result[]): string => spread(rs.map((r) => r.rps));
      const cpu = (rs: Result[]): string =>
        spread(
          rs.map((r) => r.cpuUs),
          1,
        );
      const lat = (rs: Result[]): string =>
        `${fmt(median(rs.map((r) => r.p50)))}/${fmt(median(rs.map((r) => r.p99)))}`;
      console.log(
        `${String(concurrency).padStart(11)} | ${rps(raw)} | ${rps(node)} | ${pct(ratios)}% ${ratio >= 0.9 ? '(goal ≥90% met)' : '(goal ≥90% MISSED)'} | ${cpu(raw)} | ${cpu(node)} | ${lat(raw)} | ${lat(node)}`,
      );
    }
  } finally {
    await red?.stop();
    await child.stop();
  }
}
