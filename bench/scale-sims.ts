/**
 * Several motif simulators in one process, for the scale benchmark: one process per simulator
 * would cost 200 Node.js runtimes at N = 200, more than the client under test on a 2-core machine.
 *   node dist/bench/scale-sims.js <count>
 * Prints one JSON line per simulator ({ port, apiKey, fingerprint }), then "ready". Answers a line
 * "connections" on stdin with the TLS connections every simulator accepted so far (one JSON line).
 * Streams: 2 cameras each, images 640×480 mono at 5 fps, state at 30 messages/s (the defaults).
 */
import readline from 'node:readline';
import { MotifSimulator } from '../src/simulators/motif';

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  if (!Number.isInteger(count) || count < 1) throw new Error('usage: scale-sims <count>');
  const sims: MotifSimulator[] = [];
  for (let i = 0; i < count; i++) {
    const sim = await MotifSimulator.start({
      cameras: ['FAKE0', 'FAKE1'],
      // Short state changes, so a benchmark can start and stop recording again within a second.
      timing: { pendingMs: 20, copyMs: 20, exportMs: 20 },
      streams: { fps: 5 },
      runTasks: false,
    });
    sims.push(sim);
    process.stdout.write(
      `${JSON.stringify({ port: sim.port, apiKey: sim.apiKey, fingerprint: sim.fingerprint256 })}\n`,
    );
  }
  process.stdout.write('ready\n');
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() === 'connections')
      process.stdout.write(`connections ${JSON.stringify(sims.map((s) => s.tlsConnections))}\n`);
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
