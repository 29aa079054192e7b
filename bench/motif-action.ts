/**
 * motif-action throughput and latency inside a running Node-RED flow, next to raw undici requests
 * to the same simulator in the same run. Goal: the node path keeps ≥ 80 % of raw throughput at
 * concurrency 1 and 16.
 */
import tls from 'node:tls';
import { Pool } from 'undici';
import { startChildSimulator } from './child-simulator';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import { fmt, runConcurrent, summary } from './stats';

type Result = { rps: number; p50: number; p99: number };

interface Target {
  port: number;
  apiKey: string;
  fingerprint: string;
}

const TOTAL = Number(process.env.BENCH_REQUESTS) || 3000;

async function rawUndici(
  sim: Target,
  concurrency: number,
): Promise<{ rps: number; p50: number; p99: number }> {
  const pool = new Pool(`https://127.0.0.1:${sim.port}`, {
    connections: concurrency,
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
  const { latencies, seconds } = await runConcurrent(TOTAL, concurrency, task);
  await pool.close();
  const s = summary(latencies);
  return { rps: TOTAL / seconds, p50: s.p50, p99: s.p99 };
}

async function nodePath(
  red: EmbeddedNodeRed,
  concurrency: number,
): Promise<{ rps: number; p50: number; p99: number }> {
  const act = red.getNode('act');
  const out = red.getNode('out');
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
  const { latencies, seconds } = await runConcurrent(TOTAL, concurrency, task);
  emitter.off('input', onOutput);
  const s = summary(latencies);
  return { rps: TOTAL / seconds, p50: s.p50, p99: s.p99 };
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
      `\nmotif-action vs raw undici (${TOTAL} GET /version per run, HTTPS on loopback, simulator in its own process)`,
    );
    console.log('concurrency | raw req/s | node req/s | ratio | raw p50/p99 ms | node p50/p99 ms');
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
      ],
      { srv: { apiKey: sim.apiKey } },
    );
    for (const concurrency of [1, 16]) {
      // Alternate the two paths and keep each one's better round, so warm-up and order favour neither.
      const best = (a: Result, b: Result): Result => (a.rps >= b.rps ? a : b);
      let raw = await rawUndici(sim, concurrency);
      let node = await nodePath(red, concurrency);
      raw = best(raw, await rawUndici(sim, concurrency));
      node = best(node, await nodePath(red, concurrency));
      const ratio = node.rps / raw.rps;
      console.log(
        `${String(concurrency).padStart(11)} | ${fmt(raw.rps, 0).padStart(9)} | ${fmt(node.rps, 0).padStart(10)} | ${fmt(ratio * 100, 1)}% ${ratio >= 0.8 ? '(goal ≥80% met)' : '(goal ≥80% MISSED)'} | ${fmt(raw.p50)}/${fmt(raw.p99)} | ${fmt(node.p50)}/${fmt(node.p99)}`,
      );
    }
  } finally {
    await red?.stop();
    await child.stop();
  }
}
