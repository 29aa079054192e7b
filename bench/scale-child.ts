/**
 * One size of the scale benchmark, in its own process (RSS and CPU are per process, and an embedded
 * Node-RED starts once per process): one Node-RED driving N simulated motif systems of 2 cameras,
 * plus one Aivero recorder (a session on one Aivero server) and one RemotiveLabs playback (a broker
 * each) per 10 systems, the simulators in child processes of their own (scale-sims.ts).
 *   node --expose-gc dist/bench/scale-child.js <N>
 * Prints one JSON line with the measurements.
 *
 * - trigger: one message into a node wired to 2N motif-action nodes ("start recording" per camera),
 *   the aivero-actions (session to Started) and the remotive-playbacks ("play"); the
 *   acknowledgement spread is the time from that message to each action's output, overall and per
 *   backend. The first trigger after the servers' probes passed is the cold one (measured before
 *   the motif streams and the session watches start, so only the probes and the RemotiveLabs
 *   streams, which run from deploy on the broker's one channel, have connected); then all stop
 *   (motif recording stop, session to Standby, playback paused). Rounds of two triggers (the first
 *   after the idle stream window, the second at once: warm) alternate with the stream windows.
 * - stream window: 2N motif state streams ("every message"), 20 image streams (5 fps, "latest"),
 *   the Aivero session watches, and per playback a status and a signal stream (the sessions are
 *   set Started and the playbacks play from the window's start, outside the measured triggers, so
 *   the trigger after the window writes Started and play again before its stop; the HTTP pools are
 *   still idle for the whole window);
 *   event-loop lag p99 (monitorEventLoopDelay), CPU and messages per second.
 * - RSS after a full GC, with the streams running.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Node } from 'node-red';
import type { ServerNode } from '../src/kit/node-red';
import type tls from 'node:tls';
import { Pool } from 'undici';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import {
  BACKENDS,
  CAMERAS,
  SINKS,
  scaleCredentials,
  scaleFlow,
  serverIds,
  streamIds,
  type AiveroInfo,
  type Backend,
  type MotifInfo,
  type RemotiveInfo,
  type ScaleSystems,
} from './scale-flow';
import type { AckTimes, Measured, Trigger, Window } from './scale-result';
import { startSims, type SimProcess } from './sim-processes';
import { alternate, median, summary } from './stats';

const ROUNDS = Number(process.env.SCALE_ROUNDS) || 5;
const WINDOW_MS = (Number(process.env.SCALE_WINDOW_SECONDS) || 5) * 1000;
const SIMS_PER_PROCESS = 50;
/** One Aivero recorder and one RemotiveLabs playback per this many motif systems. */
const SYSTEMS_PER_RECORDER = 10;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function gcRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}

function counter(red: EmbeddedNodeRed, id: string): { count: number; last: string } {
  const c = { count: 0, last: '' };
  (red.getNode(id) as unknown as NodeJS.EventEmitter).on('input', (msg: { error?: { message?: string } }) => {
    c.count++;
    if (msg.error?.message) c.last = msg.error.message;
  });
  return c;
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(5);
  }
}

function ackTimes(samples: number[]): AckTimes {
  const s = summary(samples);
  return { p50: s.p50, p99: s.p99, max: samples.length ? Math.max(...samples) : NaN };
}

async function startSystems(
  n: number,
): Promise<{ procs: Record<Backend, SimProcess[]>; systems: ScaleSystems }> {
  const recorders = Math.ceil(n / SYSTEMS_PER_RECORDER);
  const procs: Record<Backend, SimProcess[]> = { motif: [], aivero: [], remotive: [] };
  for (let left = n; left > 0; left -= SIMS_PER_PROCESS)
    procs.motif.push(await startSims('motif', Math.min(left, SIMS_PER_PROCESS)));
  procs.aivero.push(await startSims('aivero', recorders));
  for (let left = recorders; left > 0; left -= SIMS_PER_PROCESS)
    procs.remotive.push(await startSims('remotive', Math.min(left, SIMS_PER_PROCESS)));
  const all = (kind: Backend): Array<Record<string, unknown>> => procs[kind].flatMap((p) => p.sims);
  return {
    procs,
    systems: {
      motif: all('motif') as unknown as MotifInfo[],
      aivero: all('aivero')[0] as unknown as AiveroInfo,
      remotive: all('remotive') as unknown as RemotiveInfo[],
    },
  };
}

/**
 * The baseline: bare undici (one keep-alive pool per motif system, as many connections as it has
 * cameras) starting and stopping recording on every camera at once, under the same load (the same
 * simulators, the streams running in Node-RED): the floor this machine sets for the motif part of
 * a trigger.
 */
function bareMotif(systems: ScaleSystems): {
  start(): Promise<number[]>;
  stop(): Promise<void>;
  close(): Promise<void>;
} {
  const pools = systems.motif.map(
    (sim) =>
      new Pool(`https://127.0.0.1:${sim.port}`, {
        connections: CAMERAS.length,
        pipelining: 1,
        // The node pins the certificate's fingerprint once per connection; the baseline trusts it.
        connect: { rejectUnauthorized: false } as tls.ConnectionOptions,
      }),
  );
  const all = async (action: string, t0: number): Promise<number[]> =>
    Promise.all(
      pools.flatMap((pool, i) =>
        CAMERAS.map(async (camera) => {
          const res = await pool.request({
            path: `/api/1/camera/${camera}/recording/${action}`,
            method: 'POST',
            headers: { 'x-api-key': systems.motif[i].apiKey, 'content-type': 'application/json' },
            body: '{}',
          });
          await res.body.json();
          return performance.now() - t0;
        }),
      ),
    );
  return {
    start: () => all('start', performance.now()),
    stop: async () => {
      await all('stop', performance.now());
      await sleep(200); // as after the node trigger: the short copy phase is over
    },
    close: async () => {
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 1) throw new Error('usage: scale-child <N>');
  const cameras = n * CAMERAS.length;
  const { procs, systems } = await startSystems(n);
  const recorders = systems.aivero.sessions.length;
  const playbacks = systems.remotive.length;
  const actions = cameras + recorders + playbacks;
  const connectionsOf = async (kind: Backend): Promise<number> =>
    (await Promise.all(procs[kind].map((p) => p.connections()))).flat().reduce((a, b) => a + b, 0);
  const connections = async (): Promise<Record<Backend, number>> => {
    const [motif, aivero, remotive] = await Promise.all(BACKENDS.map(connectionsOf));
    return { motif, aivero, remotive };
  };
  const rssBefore = gcRss();
  const t0 = Date.now();
  const red = await startNodeRed(scaleFlow(systems), scaleCredentials(systems));
  try {
    const servers = serverIds(systems).map((id) => red.getNode(id) as unknown as ServerNode<unknown>);
    await waitFor('every probe', () => servers.every((s) => s.connection.state === 'connected'), 60_000);
    const readyMs = Date.now() - t0;
    const count = (id: string): { count: number; last: string } => counter(red, id);
    const ackSinks: Record<Backend, string> = {
      motif: SINKS.motifAck,
      aivero: SINKS.aiveroAck,
      remotive: SINKS.remotiveAck,
    };
    const acks = {
      motif: count(ackSinks.motif),
      aivero: count(ackSinks.aivero),
      remotive: count(ackSinks.remotive),
    };
    const stopped = count(SINKS.stopped);
    const running = count(SINKS.running);
    const errors = count(SINKS.errors);
    const states = count(SINKS.states);
    const images = count(SINKS.images);
    const watched = count(SINKS.sessionWatch);
    const statuses = count(SINKS.playbackStatus);
    const signals = count(SINKS.signals);
    const times: Record<Backend, number[]> = { motif: [], aivero: [], remotive: [] };
    let triggeredAt = 0;
    for (const kind of BACKENDS)
      (red.getNode(ackSinks[kind]) as unknown as NodeJS.EventEmitter).on('input', () =>
        times[kind].push(performance.now() - triggeredAt),
      );
    const node = (id: string): Node => red.getNode(id);
    const answered = (...outputs: Array<{ count: number }>): number =>
      outputs.reduce((a, o) => a + o.count, 0);

    /** Sends one message to `id` and waits until `expected` outputs or errors came back. */
    const fanOut = async (
      id: string,
      outputs: Array<{ count: number }>,
      expected: number,
    ): Promise<number> => {
      const before = answered(...outputs);
      const failed = errors.count;
      node(id).receive({ payload: null });
      await waitFor(
        'every answer',
        () => answered(...outputs) - before + errors.count - failed >= expected,
        60_000,
      );
      return errors.count - failed;
    };

    /**
     * One "start on all" and its acknowledgements, then "stop on all". A call that fails (a timeout
     * on an overloaded machine) is counted, not fatal; a stop is repeated once after a failure, so
     * that the next start finds idle cameras, Standby sessions and paused playbacks.
     */
    const trigger = async (): Promise<Trigger> => {
      const before = await connections();
      for (const kind of BACKENDS) times[kind].length = 0;
      triggeredAt = performance.now();
      let failed = await fanOut('go', Object.values(acks), actions);
      const after = await connections();
      const overall = ackTimes(BACKENDS.flatMap((kind) => times[kind]));
      const backends = {
        motif: ackTimes(times.motif),
        aivero: ackTimes(times.aivero),
        remotive: ackTimes(times.remotive),
      };
      const opened = {
        motif: after.motif - before.motif,
        aivero: after.aivero - before.aivero,
        remotive: after.remotive - before.remotive,
      };
      const error = failed > 0 ? errors.last : undefined;
      const stopFailures = await fanOut('halt', [stopped], actions);
      if (stopFailures > 0) await fanOut('halt', [stopped], actions);
      failed += stopFailures;
      await sleep(200); // the simulators' short copy phase (20 ms) is over: the cameras are idle again
      return { ...overall, backends, opened, failed, error };
    };

    /** motif alone through the nodes ('go-motif'): the node side of the bare-undici comparison. */
    const motifOnly = async (): Promise<{ p50: number; p99: number }> => {
      times.motif.length = 0;
      triggeredAt = performance.now();
      await fanOut('go-motif', [acks.motif], cameras);
      const s = summary(times.motif);
      await fanOut('halt-motif', [stopped], cameras);
      await sleep(200);
      return { p50: s.p50, p99: s.p99 };
    };

    const connectionsAtReady = await connections();
    const cold = await trigger();
    const connectionsAfterCold = await connections();

    for (const id of streamIds(systems)) node(id).receive({ action: 'start' });
    await waitFor('a state message from every stream', () => states.count >= cameras * 2, 60_000);
    await sleep(2000); // streams settled

    const lag = monitorEventLoopDelay({ resolution: 1 });
    const window = async (): Promise<Window> => {
      // The playbacks play and the sessions record through the window (the signal and status
      // streams carry data only while a recording plays; the session watch sees the state changes).
      await fanOut('run', [running], recorders + playbacks);
      const s0 = states.count;
      const i0 = images.count;
      const g0 = signals.count;
      const p0 = statuses.count;
      lag.reset();
      lag.enable();
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      await sleep(WINDOW_MS);
      const cpu = process.cpuUsage(cpu0);
      const seconds = (performance.now() - w0) / 1000;
      lag.disable();
      return {
        lagP99: lag.percentile(99) / 1e6,
        cpu: (cpu.user + cpu.system) / 1e6 / seconds,
        statesPerS: (states.count - s0) / seconds,
        imagesPerS: (images.count - i0) / seconds,
        signalsPerS: (signals.count - g0) / seconds,
        statusesPerS: (statuses.count - p0) / seconds,
        rss: gcRss(),
      };
    };
    const bare = bareMotif(systems);
    const warm: Trigger[] = [];
    const bareWarm: Measured['bareWarm'] = [];
    const motifWarm: Measured['motifWarm'] = [];
    const afterIdle: Trigger[] = [];
    const windows: Window[] = [];
    await alternate(
      ROUNDS,
      async () => {
        // The first trigger after a stream window: the pools have been idle for longer than the
        // simulators keep idle connections (Node's 5 s); the next one follows at once (warm).
        afterIdle.push(await trigger());
        warm.push(await trigger());
        // motif alone through the nodes and with bare undici, in alternating order.
        const order = motifWarm.length % 2 === 0 ? ['node', 'bare'] : ['bare', 'node'];
        for (const which of order) {
          if (which === 'node') {
            motifWarm.push(await motifOnly());
            continue;
          }
          // Its pools sat idle through the window (the simulators close idle connections after 5 s,
          // and the node's were woken by the trigger after the window): an untimed round first.
          await bare.start();
          await bare.stop();
          const times = await bare.start();
          await bare.stop();
          const s = summary(times);
          bareWarm.push({ p50: s.p50, p99: s.p99 });
        }
      },
      async () => {
        windows.push(await window());
      },
    );
    await bare.close();
    const connectionsAtEnd = await connections();
    const result: Measured = {
      n,
      cameras,
      recorders,
      playbacks,
      readyMs,
      connectionsAtReady,
      connectionsAfterCold,
      connectionsAtEnd,
      cold,
      warm,
      bareWarm,
      motifWarm,
      afterIdle,
      windows,
      sessionWatchMessages: watched.count,
      rssBefore,
      rssMedian: median(windows.map((w) => w.rss)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await red.stop();
    for (const p of BACKENDS.flatMap((kind) => procs[kind])) await p.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
