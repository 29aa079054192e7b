/**
 * Aivero: set-state round trips through aivero-action in a running Node-RED flow next to raw
 * graphql-request against the same simulator in the same run (concurrency 1 and 16, median of
 * alternating rounds with their spread; goal ≥ 90 % of raw); trigger latency (msg in → mutation
 * acknowledged) p50/p99 next to raw; watch latency (state written → aivero-watch message) p50/p99
 * at the simulator's refetch interval of 1 s and 50 ms (goal ≤ interval + 5 ms at p99).
 * The simulators run in their own processes (their embedded Postgres is synchronous WebAssembly).
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { spawn } from 'node:child_process';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import { fmt, runConcurrent, summary } from './stats';

// graphql-request 7 is an ES module with a CommonJS bundle, loaded with require() from this CommonJS bench.
type GraphqlRequestModule = typeof import('graphql-request', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GraphQLClient } = require('graphql-request') as GraphqlRequestModule;

const TOTAL = Number(process.env.BENCH_REQUESTS) || 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const SECRET = 'bench-admin-secret-0001';
const UPDATE = `mutation UpdateRecordingSessionState($id: uuid!, $state: RecordingSessionState_enum!) {
  updateRecordingSession(pk_columns: {id: $id}, _set: {state: $state}) {
    id
  }
}`;
const CREATE = `mutation InsertRecordingSession($name: String!) {
  insertRecordingSession(object: {name: $name, startDate: "1-01-01T00:00:00", endDate: "9999-12-31T23:59:59",
    mode: Storage, state: Stopped, maxTimeSeconds: 0, maxSizeMegabytes: 0,
    storage: {data: {totalSize: 0, estimatedSize: 0}}}) { id }
}`;

interface ChildSim {
  lines: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * `recorders-sim aivero` in its own process. Like child-simulator.ts, but with a longer start
 * bound: the embedded Postgres takes seconds to boot on a busy machine.
 */
function startChild(args: string[]): Promise<ChildSim> {
  const cli = require.resolve('../../bin/recorders-sim.js');
  const child = spawn(process.execPath, [cli, 'aivero', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    const lines: Record<string, string> = {};
    const timer = setTimeout(() => reject(new Error(`the aivero simulator did not start:\n${text}`)), 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (const line of text.split('\n')) {
        const m = /^aivero ([^:]+): (.*)$/.exec(line.trim());
        if (m) lines[m[1]] = m[2];
      }
      if ('graphql' in lines && 'database start' in lines) {
        clearTimeout(timer);
        resolve({
          lines,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGINT');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`the aivero simulator exited (${code}):\n${text}`)));
  });
}

interface Sim {
  child: ChildSim;
  url: string;
  ca: string;
  raw: InstanceType<typeof GraphQLClient>;
  agent: Agent;
}

async function startSim(refetchMs: number): Promise<Sim> {
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const certOut = path.join(mkdtempSync(path.join(os.tmpdir(), 'aivero-bench-')), 'ca.pem');
  const child = await startChild([
    '--admin-secret',
    SECRET,
    '--cert-out',
    certOut,
    '--refetch-ms',
    String(refetchMs),
  ]);
  const ca = readFileSync(certOut, 'utf8');
  // The same pairing as the node's client: undici fetch with a keep-alive Agent holding the CA.
  const agent = new Agent({ connections: 16, connect: { ca } });
  const raw = new GraphQLClient(child.lines.graphql, {
    headers: { 'x-hasura-admin-secret': SECRET },
    fetch: ((url: string, init: Record<string, unknown>) =>
      undiciFetch(url, { ...init, dispatcher: agent })) as unknown as typeof fetch,
  });
  return { child, url: child.lines.graphql, ca, raw, agent };
}

async function newSession(sim: Sim, name: string): Promise<string> {
  const data = await sim.raw.request<{ insertRecordingSession: { id: string } }>(CREATE, { name });
  return data.insertRecordingSession.id;
}

type Round = { rps: number; p50: number; p99: number };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function spread(values: number[]): string {
  return `${fmt(Math.min(...values), 0)}–${fmt(Math.max(...values), 0)}`;
}

const STATES = ['Started', 'Standby'];

async function rawRound(sim: Sim, session: string, concurrency: number, total = TOTAL): Promise<Round> {
  let i = 0;
  const task = async (): Promise<void> => {
    await sim.raw.request(UPDATE, { id: session, state: STATES[i++ % 2] });
  };
  const { latencies, seconds } = await runConcurrent(total, concurrency, task);
  const s = summary(latencies);
  return { rps: total / seconds, p50: s.p50, p99: s.p99 };
}

function nodeTask(
  red: EmbeddedNodeRed,
  actId: string,
  outId: string,
): { task: () => Promise<void>; done(): void } {
  const act = red.getNode(actId);
  const out = red.getNode(outId) as unknown as NodeJS.EventEmitter;
  const pending = new Map<string, () => void>();
  let seq = 0;
  // The flow's output node is a debug node; its input event is where the message arrives.
  const onOutput = (msg: { benchId?: string }): void => {
    if (msg.benchId !== undefined) pending.get(msg.benchId)?.();
  };
  out.on('input', onOutput);
  const task = (): Promise<void> =>
    new Promise((resolve) => {
      const id = String(seq++);
      pending.set(id, () => {
        pending.delete(id);
        resolve();
      });
      act.receive({ benchId: id, state: STATES[seq % 2] });
    });
  return { task, done: () => out.off('input', onOutput) };
}

async function nodeRound(red: EmbeddedNodeRed, concurrency: number, total = TOTAL): Promise<Round> {
  const { task, done } = nodeTask(red, 'act', 'out');
  const { latencies, seconds } = await runConcurrent(total, concurrency, task);
  done();
  const s = summary(latencies);
  return { rps: total / seconds, p50: s.p50, p99: s.p99 };
}

/** Single triggers spaced out (a button, an MQTT message): msg in → mutation acknowledged. */
async function triggers(run: () => Promise<void>, count: number, gapMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await run();
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return out;
}

/** State written (raw mutation sent) → the aivero-watch message with that state. */
async function watchLatency(
  red: EmbeddedNodeRed,
  sim: Sim,
  session: string,
  watchId: string,
  outId: string,
  samples: number,
  interval: number,
): Promise<number[]> {
  const watch = red.getNode(watchId);
  const out = red.getNode(outId) as unknown as NodeJS.EventEmitter;
  let waiting: { state: string; resolve: () => void } | undefined;
  const onMsg = (msg: { payload?: { id?: string; state?: string } }): void => {
    if (waiting && msg.payload?.id === session && msg.payload.state === waiting.state) waiting.resolve();
  };
  out.on('input', onMsg);
  const first = new Promise<void>((resolve) => (waiting = { state: 'Stopped', resolve }));
  watch.receive({ action: 'start' });
  await first; // subscribed: the current state arrived
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const state = STATES[i % 2];
    const seen = new Promise<void>((resolve) => (waiting = { state, resolve }));
    // A random phase against the server's refetch timer (right after a result the next refetch is a
    // whole interval away; writing then would measure the interval, not the latency).
    await new Promise((r) => setTimeout(r, Math.random() * interval));
    const t0 = performance.now();
    await sim.raw.request(UPDATE, { id: session, state });
    await seen;
    latencies.push(performance.now() - t0);
  }
  out.off('input', onMsg);
  watch.receive({ action: 'stop' });
  return latencies;
}

export async function benchAivero(): Promise<void> {
  const slow = await startSim(1000);
  const fast = await startSim(50);
  let red: EmbeddedNodeRed | undefined;
  try {
    const session = await newSession(fast, 'bench-set-state');
    const watched1s = await newSession(slow, 'bench-watch-1s');
    const watched50 = await newSession(fast, 'bench-watch-50ms');
    const server = (id: string, sim: Sim): Record<string, unknown> => ({
      id,
      type: 'aivero-server',
      endpoint: sim.url,
      auth: 'admin',
      tlsMode: 'ca',
      ca: sim.ca,
      timeout: 10,
    });
    const debug = (id: string, y: number): Record<string, unknown> => ({
      id,
      type: 'debug',
      z: 'tab',
      active: false,
      x: 400,
      y,
      wires: [],
    });
    const watch = (
      id: string,
      srv: string,
      sessionId: string,
      y: number,
      out: string,
    ): Record<string, unknown> => ({
      id,
      type: 'aivero-watch',
      z: 'tab',
      server: srv,
      scope: 'session',
      session: sessionId,
      autoStart: false,
      initial: true,
      protocol: 'auto',
      pollInterval: 2,
      x: 100,
      y,
      wires: [[out]],
    });
    red = await startNodeRed(
      [
        { id: 'tab', type: 'tab' },
        server('fast', fast),
        server('slow', slow),
        {
          id: 'act',
          type: 'aivero-action',
          z: 'tab',
          server: 'fast',
          operation: 'setState',
          state: '',
          session,
          x: 100,
          y: 100,
          wires: [['out']],
        },
        debug('out', 100),
        watch('w1s', 'slow', watched1s, 200, 'o1s'),
        debug('o1s', 200),
        watch('w50', 'fast', watched50, 300, 'o50'),
        debug('o50', 300),
      ],
      { fast: { adminSecret: SECRET }, slow: { adminSecret: SECRET } },
    );
    // Warm-up of both paths (connections, the schema the node reads once).
    await rawRound(fast, session, 16, 200);
    await nodeRound(red, 16, 200);

    console.log(
      `\naivero-action set state vs raw graphql-request (${TOTAL} mutations per round, ${ROUNDS} alternating rounds each, HTTPS on loopback, simulator in its own process)`,
    );
    console.log(
      'concurrency | raw req/s median (spread) | node req/s median (spread) | ratio | raw p50/p99 ms | node p50/p99 ms',
    );
    for (const concurrency of [1, 16]) {
      const raws: Round[] = [];
      const nodes: Round[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        raws.push(await rawRound(fast, session, concurrency));
        nodes.push(await nodeRound(red, concurrency));
      }
      const rawRps = median(raws.map((x) => x.rps));
      const nodeRps = median(nodes.map((x) => x.rps));
      const ratio = nodeRps / rawRps;
      console.log(
        `${String(concurrency).padStart(11)} | ${fmt(rawRps, 0)} (${spread(raws.map((x) => x.rps))}) | ${fmt(nodeRps, 0)} (${spread(nodes.map((x) => x.rps))}) | ${fmt(ratio * 100, 1)}% ${ratio >= 0.9 ? '(goal ≥90% met)' : '(goal ≥90% MISSED)'} | ${fmt(median(raws.map((x) => x.p50)))}/${fmt(median(raws.map((x) => x.p99)))} | ${fmt(median(nodes.map((x) => x.p50)))}/${fmt(median(nodes.map((x) => x.p99)))}`,
      );
    }

    const { task, done } = nodeTask(red, 'act', 'out');
    let flip = 0;
    const rawTrigger = await triggers(
      () => fast.raw.request(UPDATE, { id: session, state: STATES[flip++ % 2] }).then(() => undefined),
      200,
      10,
    );
    const nodeTrigger = await triggers(task, 200, 10);
    done();
    const rt = summary(rawTrigger);
    const nt = summary(nodeTrigger);
    console.log(
      `\ntrigger latency, msg in → mutation acknowledged (200 single triggers, 10 ms apart): raw p50 ${fmt(rt.p50)} / p99 ${fmt(rt.p99)} ms, aivero-action p50 ${fmt(nt.p50)} / p99 ${fmt(nt.p99)} ms`,
    );

    console.log('\nwatch latency, state written → aivero-watch message (graphql-transport-ws live query)');
    for (const [label, interval, sim, id, wid, oid, samples] of [
      ['1 s', 1000, slow, watched1s, 'w1s', 'o1s', 30],
      ['50 ms', 50, fast, watched50, 'w50', 'o50', 200],
    ] as const) {
      const lat = summary(await watchLatency(red, sim, id, wid, oid, samples, interval));
      const goal = interval + 5;
      console.log(
        `  refetch ${label}: p50 ${fmt(lat.p50)} ms, p99 ${fmt(lat.p99)} ms (${samples} changes; goal p99 ≤ ${goal} ms ${lat.p99 <= goal ? 'met' : 'MISSED'})`,
      );
    }
  } finally {
    await red?.stop();
    await Promise.all(
      [slow, fast].map(async (s) => {
        await s.agent.close();
        await s.child.stop();
      }),
    );
  }
}
