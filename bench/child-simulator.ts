/**
 * A simulator in its own process, as a real server would be: the benchmark process then measures
 * only the client side, instead of sharing its event loop with the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ChildSimulator {
  lines: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts `recorders-sim <name>` and resolves once it printed every line named in `expect`. */
export function startChildSimulator(
  name: string,
  expect: string[],
  args: string[] = [],
): Promise<ChildSimulator> {
  const cli = path.join(__dirname, '..', '..', 'bin', 'recorders-sim.js');
  const child: ChildProcess = spawn(process.execPath, [cli, name, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    const lines: Record<string, string> = {};
    const timer = setTimeout(() => reject(new Error(`simulator ${name} did not start:\n${text}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (const line of text.split('\n')) {
        const m = /^(\S+) ([^:]+): (.*)$/.exec(line.trim());
        if (m && m[1] === name) lines[m[2]] = m[3];
      }
      if (expect.every((key) => key in lines)) {
        clearTimeout(timer);
        resolve({
          lines,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGINT');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator ${name} exited (${code}):\n${text}`)));
  });
}
