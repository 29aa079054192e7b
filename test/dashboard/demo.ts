/**
 * The demo as `npm start` runs it, on free ports and in a temporary user directory: the example
 * simulators, the dashboard's own systems, a local MQTT broker, and Node-RED with our nodes and
 * Dashboard 2 in a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDashboardSystems, type DashboardSystems } from '../../src/devtools/demo';
import { startMqttBroker } from '../../src/devtools/mqtt-broker';
import { prepareUserDir, writeFlows } from '../../src/devtools/start';
import { simulatorTargets } from '../../src/devtools/targets';
import { startSimulators } from '../../src/simulators/cli';
import type { SimulatorHandle } from '../../src/simulators/types';
import { nodeRedPackageDir } from '../support/node-red';

export interface Demo {
  url: string;
  userDir: string;
  dashboard: DashboardSystems;
  /** Node-RED's output so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface DemoOptions {
  /** Environment of the Node-RED process besides ours (e.g. NODE_EXTRA_CA_CERTS, as `npm start` sets it). */
  env?: Record<string, string>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-dashboard-'));
  const handles: SimulatorHandle[] = await startSimulators(['all'], {
    'motif-port': '0',
    // Light state streams for the example tabs, which this test does not look at.
    'motif-state-rate': '5',
    'remotive-port': '0',
    'aivero-port': '0',
    'aivero-cert-out': path.join(userDir, 'aivero-ca.pem'),
  });
  let dashboard: DashboardSystems;
  try {
    handles.push(await startMqttBroker(0));
    dashboard = await startDashboardSystems(path.join(userDir, 'dashboard-aivero-ca.pem'), {
      motif: 0,
      remotive: 0,
      aivero: 0,
    });
  } catch (err) {
    await Promise.all(handles.map((h) => h.close()));
    fs.rmSync(userDir, { recursive: true, force: true });
    throw err;
  }
  const port = await freePort();
  prepareUserDir(userDir, port);
  writeFlows(
    userDir,
    simulatorTargets(handles),
    simulatorTargets([...dashboard.handles, ...handles.filter((h) => h.name === 'mqtt')]),
  );
  const red: ChildProcess = spawn(
    process.execPath,
    [path.join(nodeRedPackageDir, 'red.js'), '--userDir', userDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    },
  );
  let seen = '';
  red.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  red.stderr?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (red.exitCode === null && red.signalCode === null) {
      const exited = new Promise((resolve) => red.once('exit', resolve));
      red.kill('SIGINT');
      const force = setTimeout(() => red.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
    await Promise.all([...handles, ...dashboard.handles].map((h) => h.close()));
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${seen}`)), 60_000);
      const check = (): void => {
        // A node type that did not load would keep Node-RED waiting: fail at once, with the log.
        if (seen.includes('Waiting for missing types')) {
          clearTimeout(timer);
          reject(new Error(`Node-RED is missing node types:\n${seen}`));
        } else if (seen.includes('Started flows')) {
          clearTimeout(timer);
          red.stdout?.off('data', check);
          resolve();
        }
      };
      red.stdout?.on('data', check);
      red.once('exit', (code) => reject(new Error(`Node-RED exited (${code}):\n${seen}`)));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, userDir, dashboard, log: () => seen, stop };
}
