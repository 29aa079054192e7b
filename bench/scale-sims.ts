/**
 * Simulators of one kind in one process, for the scale benchmark: one process per simulator would
 * cost 200 Node.js runtimes at N = 200, more than the client under test on a 2-core machine.
 *   node dist/bench/scale-sims.js motif <count>     motif systems, 2 cameras each
 *   node dist/bench/scale-sims.js aivero <count>    one Aivero server holding <count> Standby sessions
 *   node dist/bench/scale-sims.js remotive <count>  RemotiveLabs brokers, each with CITY open (paused)
 * Prints one JSON line per simulator, then "ready". Answers a line "connections" on stdin with the
 * connections every simulator accepted so far (one JSON line; a RemotiveLabs broker counts none:
 * gRPC keeps one HTTP/2 connection per channel).
 * motif streams: images 640×480 mono at 5 fps, state at 30 messages/s (the defaults). The Aivero
 * server has Hasura's and the device's default timings; the brokers play at their default tick.
 */
import readline from 'node:readline';
import { AiveroClient } from '../src/backends/aivero';
import { AiveroSimulator } from '../src/simulators/aivero';
import { MotifSimulator } from '../src/simulators/motif';
import { RemotiveSimulator } from '../src/simulators/remotive';
import { SCALE_RECORDING } from './scale-flow';
import { COLOR_RECORD } from './aivero-record';

interface Running {
  connections(): number;
  close(): Promise<void>;
}

const print = (info: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(info)}\n`);
};

async function startMotif(count: number): Promise<Running[]> {
  const sims: Running[] = [];
  for (let i = 0; i < count; i++) {
    const sim = await MotifSimulator.start({
      cameras: ['FAKE0', 'FAKE1'],
      // Short state changes, so a benchmark can start and stop recording again within a second.
      timing: { pendingMs: 20, copyMs: 20, exportMs: 20 },
      streams: { fps: 5 },
      runTasks: false,
    });
    sims.push({ connections: () => sim.tlsConnections, close: () => sim.close() });
    print({ port: sim.port, apiKey: sim.apiKey, fingerprint: sim.fingerprint256 });
  }
  return sims;
}

/**
 * One Aivero server (a Deepserver serves every camera device of a site) with one Standby session
 * per recorder. The sessions are made here, over a client of this process, so that the Node-RED
 * under test has opened no connection before its probe.
 */
async function startAivero(sessions: number): Promise<Running[]> {
  const sim = await AiveroSimulator.start({});
  const client = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca } });
  const ids: string[] = [];
  try {
    for (let i = 0; i < sessions; i++) {
      const made = await client.createSession({
        name: `scale-${i}`,
        always: true,
        state: 'Standby',
        records: [COLOR_RECORD],
      });
      ids.push(made.sessionId);
    }
  } finally {
    await client.close();
  }
  const before = sim.connectionsAccepted;
  print({ url: sim.url, ca: sim.ca, adminSecret: sim.adminSecret, sessions: ids });
  return [{ connections: () => sim.connectionsAccepted - before, close: () => sim.close() }];
}

async function startRemotive(count: number): Promise<Running[]> {
  const sims: Running[] = [];
  for (let i = 0; i < count; i++) {
    const sim = await RemotiveSimulator.start({});
    // Opened (paused at 0) as a user would before the day's first "start on all".
    sim.sessionTable().open(SCALE_RECORDING, false);
    sims.push({ connections: () => 0, close: () => sim.close() });
    print({ url: sim.url });
  }
  return sims;
}

const STARTERS: Record<string, (count: number) => Promise<Running[]>> = {
  motif: startMotif,
  aivero: startAivero,
  remotive: startRemotive,
};

async function main(): Promise<void> {
  const [kind, countText] = process.argv.slice(2);
  const count = Number(countText);
  const start = STARTERS[kind];
  if (!start || !Number.isInteger(count) || count < 1)
    throw new Error('usage: scale-sims motif|aivero|remotive <count>');
  const sims = await start(count);
  process.stdout.write('ready\n');
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() === 'connections')
      process.stdout.write(`connections ${JSON.stringify(sims.map((s) => s.connections()))}\n`);
  });
  const stop = (): void => {
    input.close();
    Promise.all(sims.map((s) => s.close())).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
