/**
 * A Node-RED started as its own program with one flow, as a rig PC or a coordinator runs it: our
 * package linked into a throw-away user directory (as `npm start` does), its environment given by
 * the test (RIG_ID, the broker's URL), killable with SIGKILL to play a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareUserDir } from '../../../src/devtools/start';
import { nodeRedPackageDir } from '../node-red';
import { freePort } from './free-port';

export interface NodeRedProcess {
  name: string;
  port: number;
  /** Everything it printed so far (the last 64 KiB). */
  log(): string;
  /** Resolves when its log matches (a "Started flows", a node's warning). */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGKILL: no clean MQTT disconnect, so the broker publishes the last will. */
  kill(): Promise<void>;
  /** SIGINT: the clean stop a user does. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a process that hangs (or a machine cut off) and comes back, sockets kept. */
  pause(): void;
  resume(): void;
}

export interface NodeRedProcessOptions {
  name: string;
  flow: Array<Record<string, unknown>>;
  credentials?: Record<string, Record<string, string>>;
  env?: Record<string, string>;
  /** Program to run it with (Node 22 for the Node-RED 5 leg); this process's Node by default. */
  nodeExecutable?: string;
}

export async function startNodeRedProcess(options: NodeRedProcessOptions): Promise<NodeRedProcess> {
  const port = await freePort();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `recorders-${options.name}-`));
  prepareUserDir(userDir, port);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flow));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(options.credentials ?? {}));
  const child: ChildProcess = spawn(
    options.nodeExecutable ?? process.execPath,
    [path.join(nodeRedPackageDir, 'red.js'), '--userDir', userDir, '--port', String(port)],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let seen = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    seen = (seen + chunk.toString()).slice(-65536);
    for (const check of [...waiters]) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanUp = (): void => fs.rmSync(userDir, { recursive: true, force: true });

  const waitForLog = (pattern: RegExp, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(seen)) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`${options.name}: no ${String(pattern)} within ${timeoutMs} ms:\n${seen.slice(-3000)}`),
        );
      }, timeoutMs);
      waiters.add(check);
      if (child.exitCode !== null || child.signalCode !== null) {
        waiters.delete(check);
        clearTimeout(timer);
        reject(new Error(`${options.name} has exited:\n${seen.slice(-3000)}`));
        return;
      }
      child.once('exit', () => {
        if (!waiters.has(check)) return;
        waiters.delete(check);
        clearTimeout(timer);
        reject(new Error(`${options.name} exited:\n${seen.slice(-3000)}`));
      });
      check();
    });

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
    cleanUp();
  };
  try {
    await waitForLog(/Started flows/, 60_000);
  } catch (err) {
    await end('SIGKILL');
    throw err;
  }
  return {
    name: options.name,
    port,
    log: () => seen,
    waitForLog,
    kill: () => end('SIGKILL'),
    stop: async () => {
      // A paused program ignores SIGINT until it runs again.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await end('SIGINT');
    },
    pause: () => {
      child.kill('SIGSTOP');
    },
    resume: () => {
      child.kill('SIGCONT');
    },
  };
}
