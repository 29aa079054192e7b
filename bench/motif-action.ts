/**
 * motif-action throughput, latency and CPU per request inside a running Node-RED flow, against two
 * baselines measured in the same run, rounds rotating between the three paths:
 *  - a hand-written node doing one raw undici request per message (`baselines/raw-undici-node.ts`),
 *    which pays Node-RED's own cost of a message as ours does: the ratio is what our node adds;
 *  - bare undici outside Node-RED, the limit of the client itself.
 * Goal: ≥ 90 % of the raw-undici node's throughput at concurrency 1, 16 and 64. All three use the
 * motif client's pool shape (16 keep-alive connections, no pipelining) and warm pools.
 */
import tls from 'node:tls';
import { Pool } from 'undici';
import { startChildSimulator } from './child-simulator';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import { fmt, median, rotate, runConcurrent, spread, summary, withCpu } from './stats';

type Result = { rps: number; p50: number; p99: number; cpuUs: number };

interface Target {
  port: number;
  apiKey: string;
  fingerprint: string;
}

const TOTAL = Number(process.env.BENCH_REQUESTS) || 6000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 7;
/** Requests before each measured round, at the round's concurrency (connections open, code hot). */
const WARM_UP = 1000;
/** The motif client's pool size (DEFAULT_CONNECTIONS in backends/motif/client.ts). */
const POOL_CONNECTIONS = 16;
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
/** For profiling one path alone (`node --cpu-prof`): BENCH_SIDE=node, hand or raw. */
const SIDE = process.env.BENCH_SIDE;

/** One raw pool per concurrency, kept across rounds like the node's: no handshakes in a round. */
const rawPools = new Map<number, Pool>();

function rawPool(sim: Target, concurrency: number): Pool {
  let pool = rawPools.get(concurrency);
  if (!pool) {
    pool = new Pool(`https://127.0.0.1:${sim.port}`, {
      connections: Math.min(concurrency, POOL_CONNECTIONS),
      pipelining: 1,
      // The same trust as the node (fingerprint pin, checked once per connection), done by hand.
      connect: { rejectUnauthorized: false } as tls.ConnectionOptions,
    });
    rawPools.set(concurrency, pool);
  }
  return pool;
}

async function rawUndici(sim: Target, concurrency: number): Promise<Result> {
  const pool = rawPool(sim, concurrency);
  const task = async (): Promise<void> => {
    const res = await pool.request({
      path: '/version',
      method: 'GET',
      headers: { 'x-api-key': sim.apiKey, 'content-type': 'application/json' },
    });
    await res.body.json();
  };
  await runConcurrent(WARM_UP, concurrency, task); // every connection open and hot
  const { value, cpuUs } = await withCpu(() => runConcurrent(TOTAL, concurrency, task));
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
  await runConcurrent(WARM_UP, concurrency, task);
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
      `\nmotif-action vs a raw undici node and bare undici (${TOTAL} GET /version per round, ${ROUNDS} rotating rounds, HTTPS on loopback, simulator in its own process, Node ${process.version})`,
    );
    console.log('median (min–max) of the rounds; ratios are medians of the per-round ratios');
    console.log('  c | path                   | req/s | CPU µs/req | p50/p99 ms | ratio');
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
        {
          id: 'hand',
          type: 'bench-raw-undici',
          z: 'tab',
          origin: `https://127.0.0.1:${sim.port}`,
          apiKey: sim.apiKey,
          path: '/version',
          connections: POOL_CONNECTIONS,
          x: 100,
          y: 300,
          wires: [['hand-out']],
        },
        { id: 'hand-out', type: 'debug', z: 'tab', active: false, x: 300, y: 300, wires: [] },
        // Node-RED's own cost of a message in and out of one node, for scale (no network).
        { id: 'echo', type: 'change', z: 'tab', rules: [], x: 100, y: 200, wires: [['echo-out']] },
        { id: 'echo-out', type: 'debug', z: 'tab', active: false, x: 300, y: 200, wires: [] },
      ],
      { srv: { apiKey: sim.apiKey } },
      [],
      { 'bench-raw-undici': 'baselines/raw-undici-node.js' },
    );
    const floors = await rotate(3, [() => nodePath(red!, 16, 'echo', 'echo-out')]);
    console.log(
      `Node-RED alone (a change node without rules, no network), concurrency 16: ${spread(
        floors[0].map((r) => r.cpuUs),
        1,
      )} µs CPU per message`,
    );
    for (const concurrency of CONCURRENCY) {
      if (SIDE === 'node' || SIDE === 'raw' || SIDE === 'hand') {
        const run =
          SIDE === 'node'
            ? () => nodePath(red!, concurrency)
            : SIDE === 'hand'
              ? () => nodePath(red!, concurrency, 'hand', 'hand-out')
              : () => rawUndici(sim, concurrency);
        for (let round = 0; round < ROUNDS; round++) {
          const r = await run();
          console.log(`${SIDE} c=${concurrency}: ${fmt(r.rps, 0)} req/s, ${fmt(r.cpuUs, 1)} µs CPU/req`);
        }
        continue;
      }
      const [raw, hand, node] = await rotate(ROUNDS, [
        () => rawUndici(sim, concurrency),
        () => nodePath(red!, concurrency, 'hand', 'hand-out'),
        () => nodePath(red!, concurrency),
      ]);
      const ratios = (of: Result[], to: Result[]): number[] => of.map((r, i) => r.rps / to[i].rps);
      const pct = (values: number[]): string =>
        spread(
          values.map((v) => v * 100),
          1,
        );
      const row = (name: string, rs: Result[], extra: string): void => {
        const lat = `${fmt(median(rs.map((r) => r.p50)))}/${fmt(median(rs.map((r) => r.p99)))}`;
        console.log(
          `${String(concurrency).padStart(3)} | ${name.padEnd(22)} | ${spread(rs.map((r) => r.rps))} | ${spread(
            rs.map((r) => r.cpuUs),
            1,
          )} | ${lat} | ${extra}`,
        );
      };
      const vsHand = ratios(node, hand);
      const met = median(vsHand) >= 0.9;
      row('bare undici', raw, '');
      row('raw undici node', hand, `${pct(ratios(hand, raw))}% of bare undici`);
      row(
        'motif-action',
        node,
        `${pct(vsHand)}% of the raw undici node ${met ? '(goal ≥90% met)' : '(goal ≥90% MISSED)'}, ${pct(
          ratios(node, raw),
        )}% of bare undici`,
      );
    }
  } finally {
    for (const pool of rawPools.values()) await pool.close();
    await red?.stop();
    await child.stop();
  }
}
