/**
 * A real Mosquitto broker for the fleet tests (Debian's `mosquitto`, installed by .ci/run), on a
 * free loopback port, anonymous, without persistence: each test file gets a clean broker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForListening } from './free-port';

export interface Mosquitto {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Where Debian puts the broker; PATH first so a developer's own install also works. */
function mosquittoProgram(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/sbin', '/usr/local/sbin'])) {
    const candidate = path.join(dir, 'mosquitto');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  throw new Error('mosquitto is not installed (Debian: apt-get install mosquitto; .ci/run does it)');
}

export async function startMosquitto(): Promise<Mosquitto> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', ''].join(
      '\n',
    ),
  );
  const child: ChildProcess = spawn(mosquittoProgram(), ['-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  try {
    await waitForListening(port, 10_000, 'mosquitto');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
