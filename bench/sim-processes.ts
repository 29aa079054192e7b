/**
 * Simulators in child processes of their own (scale-sims.ts), for the benchmarks that drive many
 * systems: the simulators' work must not be counted as the client's CPU and memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { Backend } from './scale-flow';

export interface SimProcess {
  sims: Array<Record<string, unknown>>;
  connections(): Promise<number[]>;
  stop(): Promise<void>;
}

export function startSims(kind: Backend, count: number): Promise<SimProcess> {
  const file = path.join(__dirname, 'scale-sims.js');
  const child: ChildProcess = spawn(process.execPath, [file, kind, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const sims: Array<Record<string, unknown>> = [];
  const waiting: Array<(counts: number[]) => void> = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${kind} simulators exited (${code})`)));
    lines.on('line', (line) => {
      if (line.startsWith('{')) sims.push(JSON.parse(line) as Record<string, unknown>);
      else if (line.startsWith('connections '))
        waiting.shift()?.(JSON.parse(line.slice('connections '.length)) as number[]);
      else if (line === 'ready')
        resolve({
          sims,
          connections: () =>
            new Promise((done) => {
              waiting.push(done);
              child.stdin!.write('connections\n');
            }),
          stop: () =>
            new Promise<void>((done) => {
              child.removeAllListeners('exit');
              child.once('exit', () => done());
              child.kill('SIGINT');
            }),
        });
    });
  });
}
