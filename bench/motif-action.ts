/**
 * motif-action throughput and latency inside a running Node-RED flow, next to raw undici requests
 * to the same simulator in the same run. Goal: the node path keeps ≥ 80 % of raw throughput at
 * concurrency 1 and 16.
 */
import tls from 'node:tls';
import { Pool } from 'undici';
import { MotifSimulator } from '../src/simulators/motif/server';
import { helper, loadFlow, nodeModule } from '../test/support/node-red';
import { fmt, runConcurrent, summary } from './stats';

const nodes = ['motif-server', 'motif-action'].map(nodeModule);

const TOTAL = Number(process.env.BENCH_REQUESTS) || 3000;

async function rawUndici(
  sim: MotifSimulator,
  concurrency: number,
): Promise<{ rps: number; p50: number; p99: number }> {
  const pool = new Pool(`https://127.0.0.1:${sim.port}`, {
    connections: concurrency,
    connect: { ca: sim.certificatePem, checkServerIdentity: () => undefined } as tls.ConnectionOptions,
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
  sim: MotifSimulator,
  concurrency: number,
): Promise<{ rps: number; p50: number; p99: number }> {
  await helper.startServer();
  await loadFlow(
    nodes,
    [
      { id: 'tab', type: 'tab' },
      {
        id: 'srv',
        type: 'motif-server',
        host: '127.0.0.1',
        port: sim.port,
        tlsMode: 'fingerprint',
        fingerprint: sim.fingerprint256,
        timeout: 10,
      },
      {
        id: 'act',
        type: 'motif-action',
        z: 'tab',
        server: 'srv',
        operation: 'version',
        args: '',
        wires: [['out']],
      },
      { id: 'out', type: 'helper', z: 'tab' },
    ],
    { srv: { apiKey: sim.apiKey } },
  );
  const act = helper.getNode('act');
  const out = helper.getNode('out');
  const pending = new Map<string, () => void>();
  let seq = 0;
  (out as unknown as NodeJS.EventEmitter).on('input', (msg: { benchId: string }) =>
    pending.get(msg.benchId)?.(),
  );
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
  await helper.unload();
  await helper.stopServer();
  const s = summary(latencies);
  return { rps: TOTAL / seconds, p50: s.p50, p99: s.p99 };
}

export async function benchMotifAction(): Promise<void> {
  const sim = await MotifSimulator.start();
  try {
    console.log(`\nmotif-action vs raw undici (${TOTAL} GET /version per run, HTTPS on loopback)`);
    console.log('concurrency | raw req/s | node req/s | ratio | raw p50/p99 ms | node p50/p99 ms');
    for (const concurrency of [1, 16]) {
      const raw = await rawUndici(sim, concurrency);
      const node = await nodePath(sim, concurrency);
      const ratio = node.rps / raw.rps;
      console.log(
        `${String(concurrency).padStart(11)} | ${fmt(raw.rps, 0).padStart(9)} | ${fmt(node.rps, 0).padStart(10)} | ${fmt(ratio * 100, 1)}% ${ratio >= 0.8 ? '(goal ≥80% met)' : '(goal ≥80% MISSED)'} | ${fmt(raw.p50)}/${fmt(raw.p99)} | ${fmt(node.p50)}/${fmt(node.p99)}`,
      );
    }
  } finally {
    await sim.close();
  }
}
